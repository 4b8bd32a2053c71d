/**
 * The PostgreSQL store's multi-row writes (a batch; an op and its batch), each run on one pooled
 * connection inside the transaction `PostgresStore` (postgres.ts) opens.
 */
import type { PoolClient } from "pg";
import { applyOpUpdate, batchChangesOf, credentialKeys, now, refuseIssued } from "./common";
import { StoreConflictError, StoreNotFoundError } from "./errors";
import { PG_SQL as SQL } from "./postgres-sql";
import { PG_STATUS_SQL } from "./status-list-sql";
import { type BatchRow, type IdempotencyRow, type IssuedRow, type OpRow, toBatch, toOp } from "./rows";
import type { BatchRecord, NewBatch, NewCredential, OpRecord, OpUpdate } from "./types";

/**
 * Credentials per INSERT of a batch (8,000 parameters; PostgreSQL allows 65,535). Multi-row VALUES
 * measured 3–4× faster here than one array per column through `unnest`, whose array literals the
 * driver must escape and the server parse.
 */
const CREDENTIALS_PER_STATEMENT = 1000;
const INSERT_FULL_CHUNK = SQL.insertCredentials(CREDENTIALS_PER_STATEMENT);

/**
 * Stores a batch with its credentials, its anchor op and its idempotency key, on `client` inside
 * its transaction.
 */
export async function insertBatchRows(
  client: PoolClient,
  batch: NewBatch,
  credentials: readonly NewCredential[],
): Promise<BatchRecord> {
  if ((await client.query(SQL.getIssuer, [batch.issuerId])).rowCount === 0) {
    throw new StoreNotFoundError("issuer", batch.issuerId);
  }
  // Two submissions of one issuer check keys and ids, and number their credentials' status list
  // entries, one after the other, not both before either stores.
  await client.query(SQL.lockIssuer, [batch.issuerId]);
  if (batch.idempotency !== undefined) {
    const earlier = (await client.query<IdempotencyRow>(SQL.getIdempotencyKey, [batch.issuerId, batch.idempotency.key]))
      .rows[0];
    if (earlier !== undefined) throw new StoreConflictError("idempotency-key", earlier.batch_id);
  }
  if (batch.refuseIssuedIds === true) {
    const issued = await client.query<IssuedRow>(SQL.issuedIds, [batch.issuerId, credentialKeys(credentials)]);
    refuseIssued(credentials, issued.rows);
  }
  const at = now();
  const params = [batch.id, batch.issuerId, batch.root, batch.count, batch.uri, at, at];
  const row = (await client.query<BatchRow>(SQL.insertBatch, params)).rows[0]!;
  for (let start = 0; start < credentials.length; start += CREDENTIALS_PER_STATEMENT) {
    const chunk = credentials.slice(start, start + CREDENTIALS_PER_STATEMENT);
    const sql = chunk.length === CREDENTIALS_PER_STATEMENT ? INSERT_FULL_CHUNK : SQL.insertCredentials(chunk.length);
    const params = chunk.flatMap((c) => [
      c.id,
      batch.id,
      c.index,
      c.leaf,
      c.digest,
      c.secret,
      JSON.stringify(c.credential),
      JSON.stringify(c.proof),
    ]);
    // The full chunk's statement is prepared once per connection and reused.
    const name = chunk.length === CREDENTIALS_PER_STATEMENT ? "credroot-insert-credentials" : undefined;
    await client.query({ ...(name === undefined ? {} : { name }), text: sql, values: params });
  }
  await client.query(PG_STATUS_SQL.assign, [batch.issuerId, batch.id]);
  await client.query(SQL.insertOp, ["anchor", batch.id, null, batch.signer, "", at, at]);
  if (batch.idempotency !== undefined) {
    const { key, digest } = batch.idempotency;
    await client.query(SQL.insertIdempotencyKey, [batch.issuerId, key, digest, batch.id, at]);
  }
  return toBatch(row);
}

/** Applies `update` to op `id` (its row locked), and to its batch when it moves the batch on. */
export async function updateOpRow(client: PoolClient, id: number, update: OpUpdate): Promise<OpRecord> {
  const row = (await client.query<OpRow>(SQL.getOpForUpdate, [id])).rows[0];
  if (row === undefined) throw new StoreNotFoundError("op", id);
  const next = applyOpUpdate(toOp(row), update, now());
  const { status, nonce, txHash, rawTx, blockNumber, blockHash, error, attempts, updatedAt } = next;
  const params = [status, nonce, txHash, rawTx, blockNumber, blockHash, error, attempts, updatedAt, id];
  await client.query(SQL.updateOp, params);
  const batch = toBatch((await client.query<BatchRow>(SQL.getBatch, [next.batchId])).rows[0]!);
  const changes = batchChangesOf(batch, next, update);
  if (changes !== null) {
    const { status, txHash, blockNumber, error, updatedAt } = changes;
    await client.query(SQL.updateBatch, [status, txHash, blockNumber, error, updatedAt, batch.id]);
  }
  return next;
}
