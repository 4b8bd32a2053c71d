/**
 * The database schema, as an ordered list of migrations. A migration, once released, is never
 * edited: change the schema by appending one. Each runs in its own transaction and is recorded in
 * `schema_migrations`.
 *
 * The SQL is SQLite's, kept plain so that PostgreSQL runs it after a few mechanical changes
 * (`postgres-migrate.ts`: `INTEGER` → `BIGINT`, `BLOB` → `BYTEA`, `AUTOINCREMENT` → identity);
 * a migration whose SQL cannot be translated so gives its PostgreSQL text in `postgres`. The
 * `*_at` columns stay ISO-8601 UTC text in both, so that rows map to records alike (`rows.ts`).
 */
import { invariant } from "../../src/errors";
import { StoreError } from "./errors";

/** One schema change. */
export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  /** SQLite's SQL (and PostgreSQL's, translated, unless `postgres` is given). */
  sql: string;
  /** PostgreSQL's SQL, when the translation of `sql` would not do. */
  postgres?: string;
  /**
   * Data the migration cannot carry over: when `sql` (the same in both dialects) returns a row,
   * the migration is refused with a `SCHEMA` error saying `message`, and nothing is changed.
   */
  refuseIf?: { sql: string; message: string };
}

/** Why a database from before format v2 cannot be migrated (see migration 3). */
export const V1_CREDENTIALS_MESSAGE =
  "this database holds format-v1 credentials, which can no longer be verified; start with a new database";

/** Credential columns of format v2 (migration 3): the digest, the secret and the values replace `fields`. */
const V2_CREDENTIALS = `
CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  idx INTEGER NOT NULL CHECK (idx >= 0),
  -- The leaf binds the digest to chain, registry, issuer and batch (the batch id is a UUID).
  leaf TEXT NOT NULL,
  digest TEXT NOT NULL,
  -- base64url of the 16-byte secret every field salt derives from.
  secret TEXT NOT NULL,
  -- JSON text: the credential's values (nested) and the Merkle path.
  credential TEXT NOT NULL,
  proof TEXT NOT NULL,
  revoked_reason TEXT,
  UNIQUE (batch_id, idx)
);
`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: "initial schema",
    sql: `
CREATE TABLE schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
);

CREATE TABLE issuers (
  -- The issuer's id in the registry contract, not assigned here.
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  issuer_id INTEGER NOT NULL REFERENCES issuers (id),
  digest BLOB NOT NULL,
  label TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE INDEX api_keys_issuer ON api_keys (issuer_id);

CREATE TABLE batches (
  id TEXT PRIMARY KEY,
  issuer_id INTEGER NOT NULL REFERENCES issuers (id),
  root TEXT NOT NULL UNIQUE,
  count INTEGER NOT NULL CHECK (count >= 0),
  uri TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'anchored', 'final', 'failed', 'revoked')),
  tx_hash TEXT,
  block_number INTEGER,
  error TEXT,
  revoked_reason TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX batches_issuer ON batches (issuer_id);

CREATE TABLE credentials (
  id TEXT PRIMARY KEY,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  idx INTEGER NOT NULL CHECK (idx >= 0),
  leaf TEXT NOT NULL,
  -- JSON text: the committed fields and the Merkle path.
  fields TEXT NOT NULL,
  proof TEXT NOT NULL,
  revoked_reason TEXT,
  UNIQUE (batch_id, idx)
);

-- The anchoring outbox. AUTOINCREMENT: an op id is never reused, so logs and receipts that name
-- one stay unambiguous.
CREATE TABLE chain_ops (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL CHECK (kind IN ('anchor', 'revoke-batch', 'revoke-credential')),
  batch_id TEXT NOT NULL REFERENCES batches (id),
  credential_id TEXT REFERENCES credentials (id),
  signer TEXT NOT NULL,
  reason TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'signed', 'sent', 'mined', 'final', 'failed')),
  nonce INTEGER,
  tx_hash TEXT,
  raw_tx TEXT,
  block_number INTEGER,
  block_hash TEXT,
  error TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX chain_ops_status ON chain_ops (status, id);
CREATE INDEX chain_ops_batch ON chain_ops (batch_id, id);
-- A batch is anchored once: a second anchor op for it is a bug, refused here as well.
CREATE UNIQUE INDEX chain_ops_one_anchor ON chain_ops (batch_id) WHERE kind = 'anchor';
`,
  },
  {
    version: 2,
    name: "leases",
    sql: `
-- Which service instance may send a signer's transactions, until when (ms since the epoch, by the
-- database's clock): see Store.acquireLease.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
`,
  },
  {
    version: 3,
    name: "format v2 credentials",
    // Format-v1 credentials (per-field salts, leaves bound to nothing but their fields) cannot be
    // turned into v2 ones: their leaves are anchored on chain as they are. A database holding any
    // is refused rather than misread; an empty one (issuers and API keys only) is migrated.
    refuseIf: {
      sql: "SELECT 1 FROM batches UNION ALL SELECT 1 FROM credentials LIMIT 1",
      message: V1_CREDENTIALS_MESSAGE,
    },
    // The table is empty (see refuseIf): SQLite cannot add NOT NULL columns, so it is rebuilt.
    sql: `DROP TABLE credentials;\n${V2_CREDENTIALS}`,
    // PostgreSQL cannot drop a table other tables refer to (chain_ops.credential_id): altered instead.
    postgres: `
ALTER TABLE credentials DROP COLUMN fields;
ALTER TABLE credentials ADD COLUMN digest TEXT NOT NULL;
ALTER TABLE credentials ADD COLUMN secret TEXT NOT NULL;
ALTER TABLE credentials ADD COLUMN credential TEXT NOT NULL;
`,
  },
  {
    version: 4,
    name: "registrar lookups and idempotency keys",
    sql: `
-- The batch an issuer's Idempotency-Key (POST /v1/batches) created, and the digest of the body it
-- came with: the same key and body answer that batch again; another body under it is refused.
CREATE TABLE idempotency_keys (
  issuer_id INTEGER NOT NULL REFERENCES issuers (id),
  idem_key TEXT NOT NULL,
  digest TEXT NOT NULL,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (issuer_id, idem_key)
);
-- An issuer's batches, newest first (GET /v1/batches).
CREATE INDEX batches_issuer_created ON batches (issuer_id, created_at, id);
-- Credentials by their own /id and by /learner/identifier (GET /v1/credentials, and the refusal of
-- a credential id issued before).
CREATE INDEX credentials_credential_id ON credentials (json_extract(credential, '$.id'));
CREATE INDEX credentials_learner ON credentials (json_extract(credential, '$.learner.identifier'));
`,
    postgres: `
CREATE TABLE idempotency_keys (
  issuer_id BIGINT NOT NULL REFERENCES issuers (id),
  idem_key TEXT NOT NULL,
  digest TEXT NOT NULL,
  batch_id TEXT NOT NULL REFERENCES batches (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (issuer_id, idem_key)
);
CREATE INDEX batches_issuer_created ON batches (issuer_id, created_at, id);
CREATE INDEX credentials_credential_id ON credentials (((credential::jsonb) ->> 'id'));
CREATE INDEX credentials_learner ON credentials (((credential::jsonb) #>> '{learner,identifier}'));
`,
  },
  {
    version: 5,
    name: "service secrets",
    sql: `
-- Secrets the service creates for itself on first start and keeps (Store.serviceSecret): the master
-- secret issuer signing keys derive from, when ISSUER_SIGNING_KEY is not set. Never logged or served.
CREATE TABLE service_secrets (
  name TEXT PRIMARY KEY,
  value BLOB NOT NULL,
  created_at TEXT NOT NULL
);
`,
  },
  {
    version: 6,
    name: "status list indexes",
    // Each credential's bit in its issuer's Bitstring Status List, assigned at issuance, never
    // changed or reused. Credentials issued before get theirs here, in issuance order per issuer.
    sql: `
CREATE TABLE status_list_entries (
  credential_id TEXT PRIMARY KEY REFERENCES credentials (id),
  issuer_id INTEGER NOT NULL REFERENCES issuers (id),
  status_index INTEGER NOT NULL CHECK (status_index >= 0),
  UNIQUE (issuer_id, status_index)
);
INSERT INTO status_list_entries (credential_id, issuer_id, status_index)
SELECT c.id, b.issuer_id, ROW_NUMBER() OVER (PARTITION BY b.issuer_id ORDER BY b.created_at, b.id, c.idx) - 1
FROM credentials c JOIN batches b ON b.id = c.batch_id;
`,
  },
];

/**
 * Throws the refusal of `migration` when `rows` (what its `refuseIf` query returned) is not empty.
 * @throws StoreError `SCHEMA` with the migration's message.
 */
export function checkRefusal(migration: Migration, rows: readonly unknown[]): void {
  if (migration.refuseIf !== undefined && rows.length > 0) throw new StoreError("SCHEMA", migration.refuseIf.message);
}

/** A migration already applied to a database, as its `schema_migrations` table records it. */
export interface AppliedMigration {
  version: number;
  name: string;
}

/** Checks that `list` is numbered 1, 2, 3, … (a bug otherwise). */
export function checkMigrationList(list: readonly Migration[]): void {
  list.forEach((migration, i) => {
    invariant(
      migration.version === i + 1,
      `migration ${migration.name} has version ${migration.version}, not ${i + 1}`,
    );
  });
}

/**
 * Checks what a database has applied against what this code knows.
 * @throws StoreError `SCHEMA` when the database has a version this code does not know (a newer
 * release migrated it) or a version recorded under another name.
 */
export function checkApplied(applied: readonly AppliedMigration[], list: readonly Migration[]): void {
  const latest = list.length;
  for (const row of applied) {
    if (row.version > latest) {
      throw new StoreError(
        "SCHEMA",
        `the database schema is at version ${row.version}, newer than this code knows (${latest}): ` +
          "run the release that migrated it, or restore a backup",
      );
    }
    const known = list[row.version - 1];
    if (known?.name !== row.name) {
      throw new StoreError(
        "SCHEMA",
        `the database records migration ${row.version} as "${row.name}" but this code calls it ` +
          `"${known?.name ?? "(none)"}": it was migrated by a different build`,
      );
    }
  }
}
