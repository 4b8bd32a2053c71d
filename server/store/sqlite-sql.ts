/** Milliseconds since the epoch by SQLite's clock ('now' is fixed within one statement). */
const NOW_MS = "CAST(ROUND((julianday('now') - 2440587.5) * 86400000) AS INTEGER)";

/**
 * Takes a lease (parameters: name, holder, ttl in ms) when it is free, expired, or already this
 * holder's, in one statement; `nowMs` is the dialect's "milliseconds since the epoch".
 */
export function acquireLeaseSql(nowMs: string): string {
  return (
    `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ${nowMs} + ?) ` +
    "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at " +
    `WHERE leases.holder = excluded.holder OR leases.expires_at <= ${nowMs} RETURNING *`
  );
}

/**
 * The SQLite store's statements, in one place; each is prepared once per store. The PostgreSQL
 * store numbers the same statements' placeholders (`postgres-sql.ts`) and replaces the few that differ.
 */
export const SQL = {
  ping: "SELECT 1",

  upsertIssuer:
    "INSERT INTO issuers (id, name, created_at) VALUES (?, ?, ?) " +
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name RETURNING *",
  getIssuer: "SELECT * FROM issuers WHERE id = ?",

  insertApiKey: "INSERT INTO api_keys (id, issuer_id, digest, label, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
  getApiKey: "SELECT * FROM api_keys WHERE id = ?",
  // The first revocation's time is kept: revoking twice is harmless.
  revokeApiKey: "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?",

  insertBatch:
    "INSERT INTO batches (id, issuer_id, root, count, uri, status, created_at, updated_at) " +
    "VALUES (?, ?, ?, ?, ?, 'pending', ?, ?) RETURNING *",
  getBatch: "SELECT * FROM batches WHERE id = ?",
  setBatchStatus:
    "UPDATE batches SET status = ?, revoked_reason = COALESCE(?, revoked_reason), updated_at = ? WHERE id = ?",
  updateBatch: "UPDATE batches SET status = ?, tx_hash = ?, block_number = ?, error = ?, updated_at = ? WHERE id = ?",

  insertCredential:
    "INSERT INTO credentials (id, batch_id, idx, leaf, digest, secret, credential, proof) " +
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  getCredential: "SELECT * FROM credentials WHERE id = ?",
  listCredentials: "SELECT * FROM credentials WHERE batch_id = ? ORDER BY idx LIMIT ? OFFSET ?",
  revokeCredential: "UPDATE credentials SET revoked_reason = ? WHERE id = ?",

  getIdempotencyKey: "SELECT * FROM idempotency_keys WHERE issuer_id = ? AND idem_key = ?",
  insertIdempotencyKey:
    "INSERT INTO idempotency_keys (issuer_id, idem_key, digest, batch_id, created_at) VALUES (?, ?, ?, ?, ?)",
  /** issuer, limit, offset: newest first, with how many credentials were revoked one by one. */
  listBatches:
    "SELECT b.*, (SELECT COUNT(*) FROM credentials c WHERE c.batch_id = b.id AND c.revoked_reason IS NOT NULL) " +
    "AS revoked_credentials FROM batches b WHERE b.issuer_id = ? ORDER BY b.created_at DESC, b.id DESC LIMIT ? OFFSET ?",
  countBatches: "SELECT COUNT(*) AS n FROM batches WHERE issuer_id = ?",
  /** issuer, credential /id, limit (the expression is the one `credentials_credential_id` indexes). */
  credentialsById:
    "SELECT c.* FROM credentials c JOIN batches b ON b.id = c.batch_id " +
    "WHERE b.issuer_id = ? AND json_extract(c.credential, '$.id') = ? ORDER BY b.created_at, c.batch_id, c.idx LIMIT ?",
  /** issuer, learner identifier, limit (indexed by `credentials_learner`). */
  credentialsByLearner:
    "SELECT c.* FROM credentials c JOIN batches b ON b.id = c.batch_id " +
    "WHERE b.issuer_id = ? AND json_extract(c.credential, '$.learner.identifier') = ? " +
    "ORDER BY b.created_at, c.batch_id, c.idx LIMIT ?",
  /** issuer, JSON array of credential /ids: those the issuer already issued, where. */
  issuedIds:
    "SELECT json_extract(c.credential, '$.id') AS credential_key, c.batch_id, c.idx FROM credentials c " +
    "JOIN batches b ON b.id = c.batch_id WHERE b.issuer_id = ? " +
    "AND json_extract(c.credential, '$.id') IN (SELECT value FROM json_each(?)) LIMIT 1000",

  insertOp:
    "INSERT INTO chain_ops (kind, batch_id, credential_id, signer, reason, status, attempts, created_at, updated_at) " +
    "VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?) RETURNING *",
  getOp: "SELECT * FROM chain_ops WHERE id = ?",
  opsOfBatch: "SELECT * FROM chain_ops WHERE batch_id = ? ORDER BY id",
  updateOp:
    "UPDATE chain_ops SET status = ?, nonce = ?, tx_hash = ?, raw_tx = ?, block_number = ?, block_hash = ?, " +
    "error = ?, attempts = ?, updated_at = ? WHERE id = ?",
  /** Ops whose status is one of `count` statuses, oldest first, at most a last parameter (-1: all). */
  listOps: (count: number): string =>
    `SELECT * FROM chain_ops WHERE status IN (${Array.from({ length: count }, () => "?").join(", ")}) ` +
    "ORDER BY id LIMIT ?",

  /** name, holder, ttl (ms): taken when free, expired, or already this holder's. */
  acquireLease: acquireLeaseSql(NOW_MS),
  releaseLease: "DELETE FROM leases WHERE name = ? AND holder = ?",
  getLease: "SELECT * FROM leases WHERE name = ?",

  /** name, value, created_at: stored when the name is new, else nothing changes. */
  insertSecret: "INSERT INTO service_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
  getSecret: "SELECT value FROM service_secrets WHERE name = ?",
} as const;
