import { checkCount, checkTtl, learnerIdentifierOf, mapOrNull, now } from "./common";
import { StoreNotFoundError } from "./errors";
import { migrations } from "./migrations";
import {
  type ApiKeyRow,
  type BatchRow,
  type BatchSummaryRow,
  type CredentialRow,
  type IdempotencyRow,
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
import { SqliteDb } from "./sqlite-db";
import { migrateSqlite } from "./sqlite-migrate";
import { SQL } from "./sqlite-sql";
import { STATUS_SQL, type StatusEntryRow, toEntry } from "./status-list-sql";
import { insertBatchRows, requireIssuer, updateOpRow } from "./sqlite-writes";
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
  type StatusEntry,
  type StatusQuery,
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
  readonly #db: SqliteDb;

  /** Opens (creating if needed) the database at `path`; call {@link migrate} before anything else. */
  constructor(path: string) {
    this.#db = new SqliteDb(path);
  }

  migrate(): Promise<void> {
    return settle(() => {
      migrateSqlite(this.#db.raw, migrations);
    });
  }

  ping(): Promise<void> {
    return settle(() => {
      this.#db.statement(SQL.ping).get();
    });
  }

  close(): Promise<void> {
    return settle(() => {
      this.#db.close();
    });
  }

  upsertIssuer(issuer: { id: number; name: string }): Promise<IssuerAccount> {
    return settle(() => toIssuer(this.#db.get(SQL.upsertIssuer, issuer.id, issuer.name, now()) as IssuerRow));
  }

  getIssuer(id: number): Promise<IssuerAccount | null> {
    return settle(() => mapOrNull(this.#db.get(SQL.getIssuer, id) as IssuerRow | undefined, toIssuer));
  }

  createApiKey(key: { id: string; issuerId: number; digest: Buffer; label: string }): Promise<ApiKeyRecord> {
    return settle(() => {
      requireIssuer(this.#db, key.issuerId);
      const params = [key.id, key.issuerId, key.digest, key.label, now()];
      const row = withConflicts(
        () => this.#db.get(SQL.insertApiKey, ...params),
        () => key.id,
      ) as ApiKeyRow;
      return toApiKey(row);
    });
  }

  getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return settle(() => mapOrNull(this.#db.get(SQL.getApiKey, id) as ApiKeyRow | undefined, toApiKey));
  }

  revokeApiKey(id: string): Promise<void> {
    return settle(() => {
      if (this.#db.run(SQL.revokeApiKey, now(), id) === 0) throw new StoreNotFoundError("api-key", id);
    });
  }

  insertBatch(batch: NewBatch, credentials: readonly NewCredential[]): Promise<BatchRecord> {
    return settle(() => this.#db.immediate(() => insertBatchRows(this.#db, batch, credentials)));
  }

  getIdempotencyKey(issuerId: number, key: string): Promise<IdempotencyRecord | null> {
    return settle(() =>
      mapOrNull(this.#db.get(SQL.getIdempotencyKey, issuerId, key) as IdempotencyRow | undefined, toIdempotency),
    );
  }

  listBatches(issuerId: number, offset: number, limit: number): Promise<BatchSummary[]> {
    return settle(() => {
      checkCount("offset", offset);
      checkCount("limit", limit);
      return (this.#db.all(SQL.listBatches, issuerId, limit, offset) as BatchSummaryRow[]).map(toBatchSummary);
    });
  }

  countBatches(issuerId: number): Promise<number> {
    return settle(() => (this.#db.get(SQL.countBatches, issuerId) as { n: number }).n);
  }

  findCredentials(issuerId: number, query: CredentialQuery, limit: number): Promise<CredentialRecord[]> {
    return settle(() => {
      checkCount("limit", limit);
      const { credentialId, learner } = query;
      let rows: CredentialRecord[];
      if (credentialId !== undefined) {
        rows = (this.#db.all(SQL.credentialsById, issuerId, credentialId, limit) as CredentialRow[]).map(toCredential);
      } else if (learner !== undefined) {
        rows = (this.#db.all(SQL.credentialsByLearner, issuerId, learner, limit) as CredentialRow[]).map(toCredential);
      } else {
        return [];
      }
      return learner === undefined ? rows : rows.filter((c) => learnerIdentifierOf(c) === learner);
    });
  }

  getBatch(id: string): Promise<BatchRecord | null> {
    return settle(() => mapOrNull(this.#db.get(SQL.getBatch, id) as BatchRow | undefined, toBatch));
  }

  getCredential(id: string): Promise<CredentialRecord | null> {
    return settle(() => mapOrNull(this.#db.get(SQL.getCredential, id) as CredentialRow | undefined, toCredential));
  }

  getStatusEntry(credentialId: string): Promise<StatusEntry | null> {
    return settle(() => mapOrNull(this.#db.get(STATUS_SQL.entry, credentialId) as StatusEntryRow | undefined, toEntry));
  }

  statusListSize(issuerId: number): Promise<number> {
    return settle(() => (this.#db.get(STATUS_SQL.size, issuerId) as { n: number }).n);
  }

  statusIndexes(issuerId: number, query: StatusQuery): Promise<number[]> {
    return settle(() => {
      const params = {
        issuer: issuerId,
        digests: JSON.stringify(query.digests),
        batches: JSON.stringify(query.batchIds),
      };
      return (this.#db.all(STATUS_SQL.indexes, params) as { status_index: number }[]).map((r) => r.status_index);
    });
  }

  listCredentials(batchId: string, offset: number, limit: number): Promise<CredentialRecord[]> {
    return settle(() => {
      checkCount("offset", offset);
      checkCount("limit", limit);
      return (this.#db.all(SQL.listCredentials, batchId, limit, offset) as CredentialRow[]).map(toCredential);
    });
  }

  setBatchStatus(id: string, status: BatchStatus, revokedReason?: string): Promise<void> {
    return settle(() => {
      const changes = this.#db.run(SQL.setBatchStatus, status, revokedReason ?? null, now(), id);
      if (changes === 0) throw new StoreNotFoundError("batch", id);
    });
  }

  setCredentialRevoked(id: string, reason: string): Promise<void> {
    return settle(() => {
      if (this.#db.run(SQL.revokeCredential, reason, id) === 0) throw new StoreNotFoundError("credential", id);
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
      if (this.#db.get(SQL.getBatch, op.batchId) === undefined) throw new StoreNotFoundError("batch", op.batchId);
      if (op.credentialId !== null) {
        const credential = this.#db.get(SQL.getCredential, op.credentialId) as CredentialRow | undefined;
        if (credential?.batch_id !== op.batchId) throw new StoreNotFoundError("credential", op.credentialId);
      }
      const at = now();
      const params = [op.kind, op.batchId, op.credentialId, op.signer, op.reason, at, at];
      const row = withConflicts(
        () => this.#db.get(SQL.insertOp, ...params),
        () => op.batchId,
      ) as OpRow;
      return toOp(row);
    });
  }

  getOp(id: number): Promise<OpRecord | null> {
    return settle(() => mapOrNull(this.#db.get(SQL.getOp, id) as OpRow | undefined, toOp));
  }

  listOps(statuses: readonly OpStatus[], limit?: number): Promise<OpRecord[]> {
    return settle(() => {
      if (limit !== undefined) checkCount("limit", limit);
      if (statuses.length === 0) return [];
      // One cached statement per number of statuses (at most six).
      const rows = this.#db.all(SQL.listOps(statuses.length), ...statuses, limit ?? -1) as OpRow[];
      return rows.map(toOp);
    });
  }

  opsOfBatch(batchId: string): Promise<OpRecord[]> {
    return settle(() => (this.#db.all(SQL.opsOfBatch, batchId) as OpRow[]).map(toOp));
  }

  updateOp(id: number, update: OpUpdate): Promise<OpRecord> {
    return settle(() => this.#db.immediate(() => updateOpRow(this.#db, id, update)));
  }

  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    return settle(() => {
      checkTtl(ttlMs);
      return mapOrNull(this.#db.get(SQL.acquireLease, name, holder, ttlMs) as LeaseRow | undefined, toLease);
    });
  }

  releaseLease(name: string, holder: string): Promise<boolean> {
    return settle(() => this.#db.run(SQL.releaseLease, name, holder) > 0);
  }

  getLease(name: string): Promise<Lease | null> {
    return settle(() => mapOrNull(this.#db.get(SQL.getLease, name) as LeaseRow | undefined, toLease));
  }

  serviceSecret(name: string, create: () => Buffer): Promise<Buffer> {
    return settle(() => {
      const read = () => this.#db.get(SQL.getSecret, name) as { value: Buffer } | undefined;
      const found = read();
      if (found) return found.value;
      this.#db.run(SQL.insertSecret, name, create(), now());
      return read()!.value;
    });
  }
}

/** `work()` as a promise: its value, or a rejection with what it threw. */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(work());
  });
}
