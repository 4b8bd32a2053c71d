/**
 * The SQLite store's multi-row writes (a batch; an op and its batch), each run inside one
 * transaction by `SqliteStore` (sqlite.ts).
 */
import { applyOpUpdate, batchChangesOf, checkBatchSize, credentialKeys, now, refuseIssued } from "./common";
import { StoreConflictError, StoreNotFoundError } from "./errors";
import { type BatchRow, type IdempotencyRow, type IssuedRow, type OpRow, toBatch, toOp } from "./rows";
import type { SqliteDb } from "./sqlite-db";
import { withConflicts } from "./sqlite-conflicts";
import { SQL } from "./sqlite-sql";
import { STATUS_SQL } from "./status-list-sql";
import type { BatchRecord, NewBatch, NewCredential, OpRecord, OpUpdate } from "./types";

/**
 * Stores a batch with its credentials, its anchor op and its idempotency key. Run inside an
 * IMMEDIATE transaction ({@link SqliteDb.immediate}), so that the checks and writes see one state.
 */
export function insertBatchRows(db: SqliteDb, batch: NewBatch, credentials: readonly NewCredential[]): BatchRecord {
  checkBatchSize(batch, credentials);
  requireIssuer(db, batch.issuerId);
  if (batch.idempotency !== undefined) {
    const earlier = db.get(SQL.getIdempotencyKey, batch.issuerId, batch.idempotency.key) as IdempotencyRow | undefined;
    if (earlier !== undefined) throw new StoreConflictError("idempotency-key", earlier.batch_id);
  }
  if (batch.refuseIssuedIds === true) {
    const keys = JSON.stringify(credentialKeys(credentials));
    refuseIssued(credentials, db.all(SQL.issuedIds, batch.issuerId, keys) as IssuedRow[]);
  }
  const at = now();
  const params = [batch.id, batch.issuerId, batch.root, batch.count, batch.uri, at, at];
  const row = withConflicts(
    () => db.get(SQL.insertBatch, ...params),
    (target) => (target === "batch-root" ? batch.root : batch.id),
  );
  // One prepared statement, run once per credential inside this transaction: ≈ 20 µs a row.
  const insert = db.statement(SQL.insertCredential);
  let current: NewCredential | undefined;
  withConflicts(
    () => {
      for (current of credentials) {
        const { id, index, leaf, digest, secret, credential, proof } = current;
        insert.run(id, batch.id, index, leaf, digest, secret, JSON.stringify(credential), JSON.stringify(proof));
      }
    },
    (target) => (target === "credential-index" ? String(current?.index) : current?.id),
  );
  db.run(STATUS_SQL.assign, { issuer: batch.issuerId, batch: batch.id });
  db.get(SQL.insertOp, "anchor", batch.id, null, batch.signer, "", at, at);
  if (batch.idempotency !== undefined) {
    const { key, digest } = batch.idempotency;
    db.run(SQL.insertIdempotencyKey, batch.issuerId, key, digest, batch.id, at);
  }
  return toBatch(row as BatchRow);
}

/** Applies `update` to op `id`, and to its batch when it moves the batch on; run inside a transaction. */
export function updateOpRow(db: SqliteDb, id: number, update: OpUpdate): OpRecord {
  const row = db.get(SQL.getOp, id) as OpRow | undefined;
  if (row === undefined) throw new StoreNotFoundError("op", id);
  const next = applyOpUpdate(toOp(row), update, now());
  const { status, nonce, txHash, rawTx, blockNumber, blockHash, error, attempts, updatedAt } = next;
  db.run(SQL.updateOp, status, nonce, txHash, rawTx, blockNumber, blockHash, error, attempts, updatedAt, id);
  const batch = toBatch(db.get(SQL.getBatch, next.batchId) as BatchRow);
  const changes = batchChangesOf(batch, next, update);
  if (changes !== null) {
    const { status, txHash, blockNumber, error, updatedAt } = changes;
    db.run(SQL.updateBatch, status, txHash, blockNumber, error, updatedAt, batch.id);
  }
  return next;
}

/** @throws StoreNotFoundError unless issuer `id` is stored. */
export function requireIssuer(db: SqliteDb, id: number): void {
  if (db.get(SQL.getIssuer, id) === undefined) throw new StoreNotFoundError("issuer", id);
}
