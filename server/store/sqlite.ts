import Database from "better-sqlite3";
import {
  applyOpUpdate,
  batchChangesOf,
  checkBatchSize,
  checkCount,
  checkTtl,
  credentialKeys,
  learnerIdentifierOf,
  mapOrNull,
  now,
  refuseIssued,
} from "./common";
import { StoreConflictError, StoreNotFoundError } from "./errors";
import { migrations } from "./migrations";
import {
  type ApiKeyRow,
  type BatchRow,
  type BatchSummaryRow,
  type CredentialRow,
  type IdempotencyRow,
  type IssuedRow,
  type IssuerRow,
  type LeaseRow,
  type OpRow,
  toApiKey,
  toBatch,
  toBatchSummary,
  toCredential,
  toIdempotency,
  toIssuer,
  toLease,
  toOp,
} from "./rows";
import { withConflicts } from "./sqlite-conflicts";
import { migrateSqlite } from "./sqlite-migrate";
import { SQL } from "./sqlite-sql";
import {
  type ApiKeyRecord,
  type BatchRecord,
  type BatchStatus,
  type BatchSummary,
  type CredentialQuery,
  type CredentialRecord,
  type IdempotencyRecord,
  type IssuerAccount,
  type Lease,
  type NewBatch,
  type NewCredential,
  type OpKind,
  type OpRecord,
  type OpStatus,
  type OpUpdate,
  type Store,
} from "./types";

/**
 * The embedded {@link Store}: one SQLite file (or `:memory:`) through better-sqlite3.
 *
 * better-sqlite3 is synchronous: every call runs to completion on the event loop, so a transaction
 * is never interleaved with another call of this process. That is fine for the statements here
 * (point lookups, and batch inserts at ≈ 50k credentials a second); the async signatures are for
 * the PostgreSQL store.
 */
export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();

  /** Opens (creating if needed) the database at `path`; call {@link migrate} before anything else. */
  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma("journal_mode = WAL");
    // In WAL mode `synchronous = NORMAL` already survives a process crash (SIGKILL): a commit has
    // written its pages into the WAL file, in the OS page cache, before it returns. It does not
    // survive a power loss or kernel panic, which can lose the last commits. FULL fsyncs the WAL on
    // every commit: the outbox records a signed transaction before broadcasting it and a batch is
    // acknowledged to its issuer once stored, so a commit lost after either would mean a batch
    // silently missing or anchored twice. One fsync per commit is cheap at our write rates.
    this.#db.pragma("synchronous = FULL");
    this.#db.pragma("foreign_keys = ON");
    this.#db.pragma("busy_timeout = 5000");
    // The WAL of a 100k-credential batch reaches ≈ 200 MB; truncate it back after checkpoints.
    this.#db.pragma("journal_size_limit = 67108864");
  }

  migrate(): Promise<void> {
    return settle(() => {
      migrateSqlite(this.#db, migrations);
    });
  }

  ping(): Promise<void> {
    return settle(() => {
      this.#statement(SQL.ping).get();
    });
  }

  close(): Promise<void> {
    return settle(() => {
      this.#statements.clear();
      this.#db.close();
    });
  }

  upsertIssuer(issuer: { id: number; name: string }): Promise<IssuerAccount> {
    return settle(() => toIssuer(this.#get(SQL.upsertIssuer, issuer.id, issuer.name, now()) as IssuerRow));
  }

  getIssuer(id: number): Promise<IssuerAccount | null> {
    return settle(() => mapOrNull(this.#get(SQL.getIssuer, id) as IssuerRow | undefined, toIssuer));
  }

  createApiKey(key: { id: string; issuerId: number; digest: Buffer; label: string }): Promise<ApiKeyRecord> {
    return settle(() => {
      this.#requireIssuer(key.issuerId);
      const params = [key.id, key.issuerId, key.digest, key.label, now()];
      const row = withConflicts(
        () => this.#get(SQL.insertApiKey, ...params),
        () => key.id,
      ) as ApiKeyRow;
      return toApiKey(row);
    });
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return settle(() => mapOrNull(this.#get(SQL.getApiKey, id) as ApiKeyRow | undefined, toApiKey));
  }

  revokeApiKey(id: string): Promise<void> {
    return settle(() => {
      if (this.#run(SQL.revokeApiKey, now(), id) === 0) throw new StoreNotFoundError("api-key", id);
    });
  }

  insertBatch(batch: NewBatch, credentials: readonly NewCredential[]): Promise<BatchRecord> {
    return settle(() => this.#db.transaction(() => this.#insertBatch(batch, credentials)).immediate());
  }

  getIdempotencyKey(issuerId: number, key: string): Promise<IdempotencyRecord | null> {
    return settle(() =>
      mapOrNull(this.#get(SQL.getIdempotencyKey, issuerId, key) as IdempotencyRow | undefined, toIdempotency),
    );
  }

  listBatches(issuerId: number, offset: number, limit: number): Promise<BatchSummary[]> {
    return settle(() => {
      checkCount("offset", offset);
      checkCount("limit", limit);
      return (this.#all(SQL.listBatches, issuerId, limit, offset) as BatchSummaryRow[]).map(toBatchSummary);
    });
  }

  countBatches(issuerId: number): Promise<number> {
    return settle(() => (this.#get(SQL.countBatches, issuerId) as { n: number }).n);
  }

  findCredentials(issuerId: number, query: CredentialQuery, limit: number): Promise<CredentialRecord[]> {
    return settle(() => {
      checkCount("limit", limit);
      const { credentialId, learner } = query;
      let rows: CredentialRecord[];
      if (credentialId !== undefined) {
        rows = (this.#all(SQL.credentialsById, issuerId, credentialId, limit) as CredentialRow[]).map(toCredential);
      } else if (learner !== undefined) {
        rows = (this.#all(SQL.credentialsByLearner, issuerId, learner, limit) as CredentialRow[]).map(toCredential);
      } else {
        return [];
      }
      return learner === undefined ? rows : rows.filter((c) => learnerIdentifierOf(c) === learner);
    });
  }

  getBatch(id: string): Promise<BatchRecord | null> {
    return settle(() => mapOrNull(this.#get(SQL.getBatch, id) as BatchRow | undefined, toBatch));
  }

  getCredential(id: string): Promise<CredentialRecord | null> {
    return settle(() => mapOrNull(this.#get(SQL.getCredential, id) as CredentialRow | undefined, toCredential));
  }

  listCredentials(batchId: string, offset: number, limit: number): Promise<CredentialRecord[]> {
    return settle(() => {
      checkCount("offset", offset);
      checkCount("limit", limit);
      return (this.#all(SQL.listCredentials, batchId, limit, offset) as CredentialRow[]).map(toCredential);
    });
  }

  setBatchStatus(id: string, status: BatchStatus, revokedReason?: string): Promise<void> {
    return settle(() => {
      const changes = this.#run(SQL.setBatchStatus, status, revokedReason ?? null, now(), id);
      if (changes === 0) throw new StoreNotFoundError("batch", id);
    });
  }

  setCredentialRevoked(id: string, reason: string): Promise<void> {
    return settle(() => {
      if (this.#run(SQL.revokeCredential, reason, id) === 0) throw new StoreNotFoundError("credential", id);
    });
  }

  enqueueOp(op: {
    kind: OpKind;
    batchId: string;
    credentialId: string | null;
    signer: string;
    reason: string;
  }): Promise<OpRecord> {
    return settle(() => {
      if (this.#get(SQL.getBatch, op.batchId) === undefined) throw new StoreNotFoundError("batch", op.batchId);
      if (op.credentialId !== null) {
        const credential = this.#get(SQL.getCredential, op.credentialId) as CredentialRow | undefined;
        if (credential?.batch_id !== op.batchId) throw new StoreNotFoundError("credential", op.credentialId);
      }
      const at = now();
      const params = [op.kind, op.batchId, op.credentialId, op.signer, op.reason, at, at];
      const row = withConflicts(
        () => this.#get(SQL.insertOp, ...params),
        () => op.batchId,
      ) as OpRow;
      return toOp(row);
    });
  }

  getOp(id: number): Promise<OpRecord | null> {
    return settle(() => mapOrNull(this.#get(SQL.getOp, id) as OpRow | undefined, toOp));
  }

  listOps(statuses: readonly OpStatus[], limit?: number): Promise<OpRecord[]> {
    return settle(() => {
      if (limit !== undefined) checkCount("limit", limit);
      if (statuses.length === 0) return [];
      // One cached statement per number of statuses (at most six).
      const rows = this.#all(SQL.listOps(statuses.length), ...statuses, limit ?? -1) as OpRow[];
      return rows.map(toOp);
    });
  }

  opsOfBatch(batchId: string): Promise<OpRecord[]> {
    return settle(() => (this.#all(SQL.opsOfBatch, batchId) as OpRow[]).map(toOp));
  }

  updateOp(id: number, update: OpUpdate): Promise<OpRecord> {
    return settle(() => this.#db.transaction(() => this.#updateOp(id, update)).immediate());
  }

  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    return settle(() => {
      checkTtl(ttlMs);
      return mapOrNull(this.#get(SQL.acquireLease, name, holder, ttlMs) as LeaseRow | undefined, toLease);
    });
  }

  releaseLease(name: string, holder: string): Promise<boolean> {
    return settle(() => this.#run(SQL.releaseLease, name, holder) > 0);
  }

  getLease(name: string): Promise<Lease | null> {
    return settle(() => mapOrNull(this.#get(SQL.getLease, name) as LeaseRow | undefined, toLease));
  }

  #insertBatch(batch: NewBatch, credentials: readonly NewCredential[]): BatchRecord {
    checkBatchSize(batch, credentials);
    this.#requireIssuer(batch.issuerId);
    if (batch.idempotency !== undefined) {
      const earlier = this.#get(SQL.getIdempotencyKey, batch.issuerId, batch.idempotency.key) as
        IdempotencyRow | undefined;
      if (earlier !== undefined) throw new StoreConflictError("idempotency-key", earlier.batch_id);
    }
    if (batch.refuseIssuedIds === true) {
      const keys = JSON.stringify(credentialKeys(credentials));
      refuseIssued(credentials, this.#all(SQL.issuedIds, batch.issuerId, keys) as IssuedRow[]);
    }
    const at = now();
    const params = [batch.id, batch.issuerId, batch.root, batch.count, batch.uri, at, at];
    const row = withConflicts(
      () => this.#get(SQL.insertBatch, ...params),
      (target) => (target === "batch-root" ? batch.root : batch.id),
    );
    // One prepared statement, run once per credential inside this transaction: ≈ 20 µs a row.
    const insert = this.#statement(SQL.insertCredential);
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
    this.#get(SQL.insertOp, "anchor", batch.id, null, batch.signer, "", at, at);
    if (batch.idempotency !== undefined) {
      const { key, digest } = batch.idempotency;
      this.#run(SQL.insertIdempotencyKey, batch.issuerId, key, digest, batch.id, at);
    }
    return toBatch(row as BatchRow);
  }

  #updateOp(id: number, update: OpUpdate): OpRecord {
    const row = this.#get(SQL.getOp, id) as OpRow | undefined;
    if (row === undefined) throw new StoreNotFoundError("op", id);
    const next = applyOpUpdate(toOp(row), update, now());
    const { status, nonce, txHash, rawTx, blockNumber, blockHash, error, attempts, updatedAt } = next;
    this.#run(SQL.updateOp, status, nonce, txHash, rawTx, blockNumber, blockHash, error, attempts, updatedAt, id);
    const batch = toBatch(this.#get(SQL.getBatch, next.batchId) as BatchRow);
    const changes = batchChangesOf(batch, next, update);
    if (changes !== null) {
      const { status, txHash, blockNumber, error, updatedAt } = changes;
      this.#run(SQL.updateBatch, status, txHash, blockNumber, error, updatedAt, batch.id);
    }
    return next;
  }

  #requireIssuer(id: number): void {
    if (this.#get(SQL.getIssuer, id) === undefined) throw new StoreNotFoundError("issuer", id);
  }

  /** The prepared statement for `sql`, prepared once per store. */
  #statement(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #get(sql: string, ...params: unknown[]): unknown {
    return this.#statement(sql).get(...params);
  }

  #all(sql: string, ...params: unknown[]): unknown[] {
    return this.#statement(sql).all(...params);
  }

  /** Runs a write and returns how many rows it changed. */
  #run(sql: string, ...params: unknown[]): number {
    return this.#statement(sql).run(...params).changes;
  }
}

/** `work()` as a promise: its value, or a rejection with what it threw. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}
