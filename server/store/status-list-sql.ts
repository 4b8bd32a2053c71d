/**
 * The statements of the status list indexes (migration 6), in both dialects: SQLite's named parameters
 * with lists as JSON text, PostgreSQL's `$n` with lists as arrays.
 */

/** Numbers a new batch's credentials after the issuer's last index, in the batch's own order. */
export const STATUS_SQL = {
  assign: `
INSERT INTO status_list_entries (credential_id, issuer_id, status_index)
SELECT c.id, @issuer, (SELECT COALESCE(MAX(e.status_index), -1) FROM status_list_entries e WHERE e.issuer_id = @issuer)
  + ROW_NUMBER() OVER (ORDER BY c.idx)
FROM credentials c WHERE c.batch_id = @batch`,
  entry: "SELECT issuer_id, status_index FROM status_list_entries WHERE credential_id = ?",
  size: "SELECT COALESCE(MAX(status_index), -1) + 1 AS n FROM status_list_entries WHERE issuer_id = ?",
  indexes: `
SELECT e.status_index FROM credentials c JOIN status_list_entries e ON e.credential_id = c.id
WHERE e.issuer_id = @issuer AND c.digest IN (SELECT value FROM json_each(@digests))
UNION
SELECT e.status_index FROM credentials c JOIN status_list_entries e ON e.credential_id = c.id
WHERE e.issuer_id = @issuer AND c.batch_id IN (SELECT value FROM json_each(@batches))
ORDER BY 1`,
} as const;

export const PG_STATUS_SQL = {
  assign: `
INSERT INTO status_list_entries (credential_id, issuer_id, status_index)
SELECT c.id, $1::bigint, (SELECT COALESCE(MAX(e.status_index), -1) FROM status_list_entries e WHERE e.issuer_id = $1::bigint)
  + ROW_NUMBER() OVER (ORDER BY c.idx)
FROM credentials c WHERE c.batch_id = $2`,
  entry: "SELECT issuer_id, status_index FROM status_list_entries WHERE credential_id = $1",
  size: "SELECT COALESCE(MAX(status_index), -1) + 1 AS n FROM status_list_entries WHERE issuer_id = $1",
  indexes: `
SELECT e.status_index FROM credentials c JOIN status_list_entries e ON e.credential_id = c.id
WHERE e.issuer_id = $1 AND c.digest = ANY($2::text[])
UNION
SELECT e.status_index FROM credentials c JOIN status_list_entries e ON e.credential_id = c.id
WHERE e.issuer_id = $1 AND c.batch_id = ANY($3::text[])
ORDER BY 1`,
} as const;

/** A row of `entry`. */
export interface StatusEntryRow {
  issuer_id: number | string;
  status_index: number | string;
}

export const toEntry = (row: StatusEntryRow) => ({ issuerId: Number(row.issuer_id), index: Number(row.status_index) });
