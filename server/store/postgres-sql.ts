import { acquireLeaseSql, SQL as SQLITE } from "./sqlite-sql";

/** `?` placeholders numbered `$1, $2, …` as PostgreSQL wants them. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** Milliseconds since the epoch by the database's clock, fixed within one statement. */
const NOW_MS = "(extract(epoch FROM statement_timestamp()) * 1000)::bigint";

/** Parameters of one credential row in `insertCredentials`. */
export const CREDENTIAL_COLUMNS = 8;

type Statements = { [K in keyof typeof SQLITE]: (typeof SQLITE)[K] extends string ? string : never };

/**
 * The PostgreSQL store's statements: SQLite's (`sqlite-sql.ts`) with numbered placeholders, except
 * where the dialects differ.
 */
export const PG_SQL = {
  ...(Object.fromEntries(
    Object.entries(SQLITE)
      .filter((entry): entry is [string, string] => typeof entry[1] === "string")
      .map(([key, sql]) => [key, numbered(sql)]),
  ) as Omit<Statements, "listOps" | "credentialsById" | "credentialsByLearner" | "credentialsByName" | "issuedIds">),
  /** Ops whose status is in the array `$1`, oldest first, at most `$2` (null: all). */
  listOps: "SELECT * FROM chain_ops WHERE status = ANY($1::text[]) ORDER BY id LIMIT $2",
  /** Locks the op's row until the transaction ends: concurrent updates of one op queue up. */
  getOpForUpdate: "SELECT * FROM chain_ops WHERE id = $1 FOR UPDATE",
  /** `rows` credentials in one statement: a multi-row VALUES list, {@link CREDENTIAL_COLUMNS} parameters a row. */
  insertCredentials: (rows: number): string =>
    "INSERT INTO credentials (id, batch_id, idx, leaf, digest, secret, credential, proof) VALUES " +
    Array.from({ length: rows }, (_, row) => {
      const first = row * CREDENTIAL_COLUMNS;
      const params = Array.from({ length: CREDENTIAL_COLUMNS }, (_, column) => `$${first + column + 1}`);
      return `(${params.join(", ")})`;
    }).join(", "),
  acquireLease: numbered(acquireLeaseSql(NOW_MS)),
  credentialsById:
    "SELECT c.* FROM credentials c JOIN batches b ON b.id = c.batch_id " +
    "WHERE b.issuer_id = $1 AND ((c.credential::jsonb) ->> 'id') = $2 ORDER BY b.created_at, c.batch_id, c.idx LIMIT $3",
  credentialsByLearner:
    "SELECT c.* FROM credentials c JOIN batches b ON b.id = c.batch_id " +
    "WHERE b.issuer_id = $1 AND ((c.credential::jsonb) #>> '{learner,identifier}') = $2 " +
    "ORDER BY b.created_at, c.batch_id, c.idx LIMIT $3",
  credentialsByName:
    "SELECT c.* FROM credentials c JOIN batches b ON b.id = c.batch_id " +
    "WHERE b.issuer_id = $1 AND strpos(lower((c.credential::jsonb) #>> '{learner,name}'), lower($2)) > 0 " +
    "ORDER BY b.created_at, c.batch_id, c.idx LIMIT $3",
  /** issuer, text[] of credential /ids. */
  issuedIds:
    "SELECT ((c.credential::jsonb) ->> 'id') AS credential_key, c.batch_id, c.idx FROM credentials c " +
    "JOIN batches b ON b.id = c.batch_id WHERE b.issuer_id = $1 " +
    "AND ((c.credential::jsonb) ->> 'id') = ANY($2::text[]) LIMIT 1000",
  /** Serialises an issuer's batch insertions (idempotency keys, issued ids) until the transaction ends. */
  lockIssuer: "SELECT pg_advisory_xact_lock(1668441460, $1::integer)",
} as const;
