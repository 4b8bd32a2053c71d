import { Pool, type PoolClient, type QueryResultRow, TypeOverrides, types } from "pg";
import { checkBatchSize, checkCount, checkTtl, learnerIdentifierOf, mapOrNull, now } from "./common";
import { StoreNotFoundError } from "./errors";
import { migrations } from "./migrations";
import { migratePostgres } from "./postgres-migrate";
import { withPgConflicts } from "./postgres-conflicts";
import { PG_SQL as SQL } from "./postgres-sql";
import { insertBatchRows, updateOpRow } from "./postgres-writes";
import { PG_STATUS_SQL, type StatusEntryRow, toEntry } from "./status-list-sql";
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

export interface PostgresStoreOptions {
  /** Most connections the pool opens (default 10). */
  poolSize?: number;
}

/**
 * `BIGINT` columns (op ids, nonces, block numbers, lease expiries) as numbers: all of them stay far
 * below 2^53. Set on this store's pool only, not on the `pg` module for everyone.
 */
const typeParsers = new TypeOverrides();
typeParsers.setTypeParser(types.builtins.INT8, Number);

/**
 * The production {@link Store}: PostgreSQL through a `pg` connection pool. Several service
 * instances may share one database: every multi-row write is one transaction, an op's update locks
 * its row, migrations queue on an advisory lock, and leases (`acquireLease`) say which instance
 * sends a signer's transactions.
 */
export class PostgresStore implements Store {
  readonly #pool: Pool;
  #closed = false;

  /** Prepares a pool for `url` (`postgres://user:password@host:port/database`); connects lazily. */
  constructor(url: string, options: PostgresStoreOptions = {}) {
    this.#pool = new Pool({ connectionString: url, max: options.poolSize ?? 10, types: typeParsers });
    // An idle connection the server closed (restart, failover) is dropped from the pool; the next
    // query opens a new one. Without a listener the error would kill the process.
    this.#pool.on("error", () => undefined);
  }

  async migrate(): Promise<void> {
    const client = await this.#connect();
    try {
      await migratePostgres(client, migrations);
    } finally {
      client.release();
    }
  }

  async ping(): Promise<void> {
    await this.#query(SQL.ping);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async upsertIssuer(issuer: { id: number; name: string }): Promise<IssuerAccount> {
    return toIssuer(await this.#one<IssuerRow>(SQL.upsertIssuer, [issuer.id, issuer.name, now()]));
  }

  async getIssuer(id: number): Promise<IssuerAccount | null> {
    return mapOrNull(await this.#first<IssuerRow>(SQL.getIssuer, [id]), toIssuer);
  }

  async createApiKey(key: { id: string; issuerId: number; digest: Buffer; label: string }): Promise<ApiKeyRecord> {
    await this.#requireIssuer(key.issuerId);
    const params = [key.id, key.issuerId, key.digest, key.label, now()];
    return toApiKey(await withPgConflicts(() => this.#one<ApiKeyRow>(SQL.insertApiKey, params)));
  }

  async getApiKey(id: string): Promise<ApiKeyRecord | null> {
    return mapOrNull(await this.#first<ApiKeyRow>(SQL.getApiKey, [id]), toApiKey);
  }

  async revokeApiKey(id: string): Promise<void> {
    if ((await this.#run(SQL.revokeApiKey, [now(), id])) === 0) throw new StoreNotFoundError("api-key", id);
  }

  async insertBatch(batch: NewBatch, credentials: readonly NewCredential[]): Promise<BatchRecord> {
    checkBatchSize(batch, credentials);
    return withPgConflicts(() => this.#transaction((client) => insertBatchRows(client, batch, credentials)));
  }

  async getIdempotencyKey(issuerId: number, key: string): Promise<IdempotencyRecord | null> {
    return mapOrNull(await this.#first<IdempotencyRow>(SQL.getIdempotencyKey, [issuerId, key]), toIdempotency);
  }

  async listBatches(issuerId: number, offset: number, limit: number): Promise<BatchSummary[]> {
    checkCount("offset", offset);
    checkCount("limit", limit);
    return (await this.#query<BatchSummaryRow>(SQL.listBatches, [issuerId, limit, offset])).map(toBatchSummary);
  }

  async countBatches(issuerId: number): Promise<number> {
    return Number((await this.#one<{ n: number | string }>(SQL.countBatches, [issuerId])).n);
  }

  async findCredentials(issuerId: number, query: CredentialQuery, limit: number): Promise<CredentialRecord[]> {
    checkCount("limit", limit);
    const { credentialId, learner } = query;
    let rows: CredentialRow[];
    if (credentialId !== undefined)
      rows = await this.#query<CredentialRow>(SQL.credentialsById, [issuerId, credentialId, limit]);
    else if (learner !== undefined)
      rows = await this.#query<CredentialRow>(SQL.credentialsByLearner, [issuerId, learner, limit]);
    else return [];
    const found = rows.map(toCredential);
    return learner === undefined ? found : found.filter((c) => learnerIdentifierOf(c) === learner);
  }

  async getBatch(id: string): Promise<BatchRecord | null> {
    return mapOrNull(await this.#first<BatchRow>(SQL.getBatch, [id]), toBatch);
  }

  async getCredential(id: string): Promise<CredentialRecord | null> {
    return mapOrNull(await this.#first<CredentialRow>(SQL.getCredential, [id]), toCredential);
  }

  async getStatusEntry(credentialId: string): Promise<StatusEntry | null> {
    return mapOrNull(await this.#first<StatusEntryRow>(PG_STATUS_SQL.entry, [credentialId]), toEntry);
  }

  async statusListSize(issuerId: number): Promise<number> {
    return Number((await this.#one<{ n: number | string }>(PG_STATUS_SQL.size, [issuerId])).n);
  }

  async statusIndexes(issuerId: number, query: StatusQuery): Promise<number[]> {
    const params = [issuerId, [...query.digests], [...query.batchIds]];
    return (await this.#query<{ status_index: number | string }>(PG_STATUS_SQL.indexes, params)).map((r) =>
      Number(r.status_index),
    );
  }

  async listCredentials(batchId: string, offset: number, limit: number): Promise<CredentialRecord[]> {
    checkCount("offset", offset);
    checkCount("limit", limit);
    return (await this.#query<CredentialRow>(SQL.listCredentials, [batchId, limit, offset])).map(toCredential);
  }

  async setBatchStatus(id: string, status: BatchStatus, revokedReason?: string): Promise<void> {
    const changes = await this.#run(SQL.setBatchStatus, [status, revokedReason ?? null, now(), id]);
    if (changes === 0) throw new StoreNotFoundError("batch", id);
  }

  async setCredentialRevoked(id: string, reason: string): Promise<void> {
    if ((await this.#run(SQL.revokeCredential, [reason, id])) === 0) throw new StoreNotFoundError("credential", id);
  }

  async enqueueOp(op: {
    kind: OpKind;
    batchId: string;
    credentialId: string | null;
    signer: string;
    reason: string;
  }): Promise<OpRecord> {
    if ((await this.getBatch(op.batchId)) === null) throw new StoreNotFoundError("batch", op.batchId);
    if (op.credentialId !== null) {
      const credential = await this.getCredential(op.credentialId);
      if (credential?.batchId !== op.batchId) throw new StoreNotFoundError("credential", op.credentialId);
    }
    const at = now();
    const params = [op.kind, op.batchId, op.credentialId, op.signer, op.reason, at, at];
    return toOp(await withPgConflicts(() => this.#one<OpRow>(SQL.insertOp, params)));
  }

  async getOp(id: number): Promise<OpRecord | null> {
    return mapOrNull(await this.#first<OpRow>(SQL.getOp, [id]), toOp);
  }

  async listOps(statuses: readonly OpStatus[], limit?: number): Promise<OpRecord[]> {
    if (limit !== undefined) checkCount("limit", limit);
    if (statuses.length === 0) return [];
    return (await this.#query<OpRow>(SQL.listOps, [statuses, limit ?? null])).map(toOp);
  }

  async opsOfBatch(batchId: string): Promise<OpRecord[]> {
    return (await this.#query<OpRow>(SQL.opsOfBatch, [batchId])).map(toOp);
  }

  updateOp(id: number, update: OpUpdate): Promise<OpRecord> {
    return this.#transaction((client) => updateOpRow(client, id, update));
  }

  async acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null> {
    checkTtl(ttlMs);
    return mapOrNull(await this.#first<LeaseRow>(SQL.acquireLease, [name, holder, ttlMs]), toLease);
  }

  async releaseLease(name: string, holder: string): Promise<boolean> {
    return (await this.#run(SQL.releaseLease, [name, holder])) > 0;
  }

  async getLease(name: string): Promise<Lease | null> {
    return mapOrNull(await this.#first<LeaseRow>(SQL.getLease, [name]), toLease);
  }

  async serviceSecret(name: string, create: () => Buffer): Promise<Buffer> {
    const found = await this.#first<{ value: Buffer }>(SQL.getSecret, [name]);
    if (found) return found.value;
    // Another instance may store it first: its value is kept, and read back.
    await this.#run(SQL.insertSecret, [name, create(), now()]);
    return (await this.#one<{ value: Buffer }>(SQL.getSecret, [name])).value;
  }

  async #requireIssuer(id: number): Promise<void> {
    if ((await this.getIssuer(id)) === null) throw new StoreNotFoundError("issuer", id);
  }

  /** Runs `work` in a transaction on one pooled connection: committed if it resolves, else rolled back. */
  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      // A connection that cannot even roll back is closed rather than returned to the pool.
      await client.query("ROLLBACK").catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  #connect(): Promise<PoolClient> {
    if (this.#closed) return Promise.reject(new Error("the database connection is not open"));
    return this.#pool.connect();
  }

  async #query<Row extends QueryResultRow>(sql: string, params: unknown[] = []): Promise<Row[]> {
    if (this.#closed) throw new Error("the database connection is not open");
    return (await this.#pool.query<Row>(sql, params)).rows;
  }

  async #first<Row extends QueryResultRow>(sql: string, params: unknown[]): Promise<Row | undefined> {
    return (await this.#query<Row>(sql, params))[0];
  }

  async #one<Row extends QueryResultRow>(sql: string, params: unknown[]): Promise<Row> {
    const row = await this.#first<Row>(sql, params);
    if (row === undefined) throw new Error("the statement returned no row");
    return row;
  }

  /** Runs a write and returns how many rows it changed. */
  async #run(sql: string, params: unknown[]): Promise<number> {
    if (this.#closed) throw new Error("the database connection is not open");
    return (await this.#pool.query(sql, params)).rowCount ?? 0;
  }
}
