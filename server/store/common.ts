/**
 * What the SQLite and PostgreSQL stores decide alike: argument checks, timestamps, and how an
 * {@link OpUpdate} changes an op and its batch. Pure functions; the stores only run the SQL.
 */
import { CredrootError } from "../../src/errors";
import { StoreIssuedError } from "./errors";
import type { IssuedRow } from "./rows";
import { opRecord } from "./op-record";
import type {
  BatchRecord,
  CredentialQuery,
  CredentialRecord,
  NewBatch,
  NewCredential,
  OpFields,
  OpRecord,
  OpUpdate,
} from "./types";

/** The time written into `*_at` columns: ISO-8601 UTC with milliseconds. */
export function now(): string {
  return new Date().toISOString();
}

export function mapOrNull<Row, Value>(row: Row | undefined, map: (row: Row) => Value): Value | null {
  return row === undefined ? null : map(row);
}

/** @throws CredrootError `INVALID_ARGUMENT` unless `value` is a non-negative integer. */
export function checkCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CredrootError("INVALID_ARGUMENT", `${name} must be a non-negative integer, got ${value}`);
  }
}

/** @throws CredrootError `INVALID_ARGUMENT` unless a lease's `ttlMs` is a positive integer. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new CredrootError("INVALID_ARGUMENT", `a lease's ttlMs must be a positive integer, got ${ttlMs}`);
  }
}

/** @throws CredrootError `INVALID_ARGUMENT` when a batch declares another count than it brings. */
export function checkBatchSize(batch: NewBatch, credentials: readonly NewCredential[]): void {
  if (credentials.length !== batch.count) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `batch ${batch.id} declares ${batch.count} credentials but ${credentials.length} were given`,
    );
  }
}

/**
 * `op` with `update` applied (fields left `undefined` kept, `null` cleared) and `updatedAt` = `at`.
 * @throws CredrootError `INVARIANT` when the result contradicts its status (see {@link opRecord}).
 */
export function applyOpUpdate(op: OpRecord, update: OpUpdate, at: string): OpRecord {
  const pick = <K extends keyof OpUpdate & keyof OpFields>(key: K): OpFields[K] =>
    (update[key] === undefined ? op[key] : update[key]) as OpFields[K];
  return opRecord({
    ...op,
    status: pick("status"),
    nonce: pick("nonce"),
    txHash: pick("txHash"),
    rawTx: pick("rawTx"),
    blockNumber: pick("blockNumber"),
    blockHash: pick("blockHash"),
    error: pick("error"),
    attempts: pick("attempts"),
    updatedAt: at,
  });
}

/** The columns an op update writes to the op's batch, or null when it leaves the batch alone. */
export function batchChangesOf(
  batch: BatchRecord,
  op: OpRecord,
  update: OpUpdate,
): Pick<BatchRecord, "status" | "txHash" | "blockNumber" | "error" | "updatedAt"> | null {
  if (update.batchStatus === undefined && update.batchTx === undefined) return null;
  const status = update.batchStatus ?? batch.status;
  // A batch's `error` is the reason it failed: set with `failed`, cleared by any other status.
  const error = update.batchStatus === undefined ? batch.error : status === "failed" ? op.error : null;
  const txHash = update.batchTx === undefined ? batch.txHash : update.batchTx.txHash;
  const blockNumber = update.batchTx === undefined ? batch.blockNumber : update.batchTx.blockNumber;
  return { status, txHash, blockNumber, error, updatedAt: op.updatedAt };
}

/** The credentials' own `/id`s (those that have a string one). */
export function credentialKeys(credentials: readonly NewCredential[]): string[] {
  return credentials.flatMap((c) => (typeof c.credential.id === "string" ? [c.credential.id] : []));
}

/**
 * @throws StoreIssuedError for the first credential (by index) whose `/id` is among `issued`, the
 * ids its issuer already issued.
 */
export function refuseIssued(credentials: readonly NewCredential[], issued: readonly IssuedRow[]): void {
  if (issued.length === 0) return;
  const earlier = new Map(issued.map((row) => [row.credential_key, row]));
  for (const c of credentials) {
    const row = typeof c.credential.id === "string" ? earlier.get(c.credential.id) : undefined;
    if (row !== undefined) {
      throw new StoreIssuedError(c.credential.id as string, c.index, { batchId: row.batch_id, index: row.idx });
    }
  }
}

/** Whether a stored credential matches every part of `query` that is given (the name: any part of it, any case). */
export function matchesQuery(credential: CredentialRecord, query: CredentialQuery): boolean {
  if (query.credentialId !== undefined && credential.credential.id !== query.credentialId) return false;
  if (query.learner !== undefined && learnerIdentifierOf(credential) !== query.learner) return false;
  if (query.name === undefined) return true;
  const learner = credential.credential.learner as { name?: unknown } | undefined;
  const fold = (text: string) => text.normalize("NFC").toLowerCase();
  return typeof learner?.name === "string" && fold(learner.name).includes(fold(query.name));
}

/** A stored credential's `/learner/identifier`, if it has one. */
export function learnerIdentifierOf(credential: CredentialRecord): string | undefined {
  const learner = credential.credential.learner as { identifier?: unknown } | undefined;
  return typeof learner?.identifier === "string" ? learner.identifier : undefined;
}
