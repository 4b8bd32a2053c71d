/**
 * The service's storage, behind one interface so that SQLite (the embedded default) and
 * PostgreSQL implementations are interchangeable: routes and the anchoring worker only see this.
 * Every method is async (PostgreSQL needs it); every multi-row write is one transaction.
 * Failures it means to report are {@link StoreError}s (re-exported here): `CONFLICT` (→ 409),
 * `NOT_FOUND`, `SCHEMA`.
 */

export * from "./errors";
export * from "./ops";

import type { OpKind, OpRecord, OpStatus } from "./ops";

/** Every status of a batch, in the order of its life (the API's schemas enumerate this list). */
export const BATCH_STATUSES = ["pending", "submitted", "anchored", "final", "failed", "revoked"] as const;

/** Life of a batch, as `GET /v1/batches/:id` reports it. */
export type BatchStatus = (typeof BATCH_STATUSES)[number];

export interface IssuerAccount {
  /** The issuer's id in the registry contract. */
  id: number;
  name: string;
  createdAt: string;
}

export interface ApiKeyRecord {
  /** Public part of the key (`crk_<id>_<secret>`), used to find the record. */
  id: string;
  issuerId: number;
  /** SHA-256 of the secret part; compared in constant time. */
  digest: Buffer;
  label: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface BatchRecord {
  id: string;
  issuerId: number;
  root: string;
  count: number;
  uri: string;
  status: BatchStatus;
  txHash: string | null;
  blockNumber: number | null;
  /** Decoded failure reason when `failed`. */
  error: string | null;
  revokedReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CredentialRecord {
  /** Unguessable id (128 random bits, base64url): knowing it is what lets a learner fetch a bundle. */
  id: string;
  /** The batch's id, a lowercase UUID: also its `bytes16` batch id on chain. */
  batchId: string;
  index: number;
  /** The credential's leaf (0x-hex), bound to chain, registry, issuer and batch. */
  leaf: string;
  /** The credential digest (0x-hex): what `revokeCredential` takes. */
  digest: string;
  /** The per-credential secret (base64url, 16 bytes) from which every field salt derives. */
  secret: string;
  /** The credential's values, nested, as committed. */
  credential: Record<string, unknown>;
  /** The Merkle path of this leaf. */
  proof: string[];
  revokedReason: string | null;
}

/** A credential's bit in its issuer's Bitstring Status List: assigned at issuance, never changed (migration 6). */
export interface StatusEntry {
  issuerId: number;
  index: number;
}

/** Which credentials of an issuer `Store.statusIndexes` looks for: by digest, or every one of a batch. */
export interface StatusQuery {
  digests: readonly string[];
  batchIds: readonly string[];
}

/** A lease in the database: `holder` alone may act for `name` until `expiresAt`. */
export interface Lease {
  name: string;
  /** Who holds it (a service instance's id). */
  holder: string;
  /** Milliseconds since the epoch, by the database's clock. */
  expiresAt: number;
}

export interface NewBatch {
  /** A lowercase UUID: the batch id every leaf commits to and `anchor` records on chain. */
  id: string;
  issuerId: number;
  root: string;
  count: number;
  uri: string;
  /** The signer address that will anchor it (queued as an `anchor` op in the same transaction). */
  signer: string;
  /**
   * The issuer's `Idempotency-Key` for this batch and the digest of the request body, recorded in
   * the same transaction (see {@link Store.getIdempotencyKey}).
   */
  idempotency?: { key: string; digest: string };
  /**
   * Refuse the batch when the issuer already issued one of its credential `/id`s in an earlier batch
   * (checked in the same transaction).
   */
  refuseIssuedIds?: boolean;
}

/** A batch as the issuer's batch list shows it. */
export interface BatchSummary extends BatchRecord {
  /** How many of its credentials were revoked one by one (on chain). */
  revokedCredentials: number;
}

/** What an issuer's `Idempotency-Key` stands for. */
export interface IdempotencyRecord {
  issuerId: number;
  key: string;
  /** SHA-256 (hex) of the request body the key first came with. */
  digest: string;
  batchId: string;
  createdAt: string;
}

/** How to find an issuer's credentials: by the credential's own `/id`, by `/learner/identifier`, or both. */
export interface CredentialQuery {
  credentialId?: string;
  learner?: string;
}

export interface NewCredential {
  id: string;
  index: number;
  leaf: string;
  digest: string;
  secret: string;
  credential: Record<string, unknown>;
  proof: string[];
}

/**
 * Changes to an op; `batchStatus` (if given) is written to its batch in the same transaction.
 * Fields left `undefined` are kept; `null` clears a field.
 */
export interface OpUpdate {
  status?: OpStatus;
  nonce?: number | null;
  txHash?: string | null;
  rawTx?: string | null;
  blockNumber?: number | null;
  blockHash?: string | null;
  error?: string | null;
  attempts?: number;
  /**
   * Also set the batch's status. With `failed` the batch's `error` becomes the op's (updated)
   * `error`; any other status clears the batch's `error`.
   */
  batchStatus?: BatchStatus;
  /** Also record this tx hash / block on the batch (anchor ops). */
  batchTx?: { txHash: string | null; blockNumber: number | null };
}

export interface Store {
  /**
   * Applies pending migrations; idempotent.
   * @throws StoreError `SCHEMA` when the database was migrated by a newer (or different) build, or
   * holds format-v1 credentials (batches of before format v2), which it refuses to misread.
   */
  migrate(): Promise<void>;
  /** Throws when the database cannot be reached (for `/ready`). */
  ping(): Promise<void>;
  close(): Promise<void>;

  upsertIssuer(issuer: { id: number; name: string }): Promise<IssuerAccount>;
  getIssuer(id: number): Promise<IssuerAccount | null>;

  createApiKey(key: { id: string; issuerId: number; digest: Buffer; label: string }): Promise<ApiKeyRecord>;
  getApiKey(id: string): Promise<ApiKeyRecord | null>;
  /**
   * Sets `revokedAt` (the first revocation's time is kept).
   * @throws StoreNotFoundError for an unknown key.
   */
  revokeApiKey(id: string): Promise<void>;

  /**
   * Stores a batch, all its credentials (each with the issuer's next status list index) and its `anchor` op atomically: either everything is
   * stored or nothing is. Batch status starts `pending`. Nothing is stored when it throws:
   * @throws StoreConflictError when the batch id, the root, a credential id or index already exists
   * (`target` says which, `value` the colliding value).
   * @throws StoreConflictError `idempotency-key` when `batch.idempotency` names a key the issuer already
   * used (`value`: the batch it stands for).
   * @throws StoreIssuedError when `batch.refuseIssuedIds` and a credential id was issued before.
   * @throws StoreNotFoundError when the issuer does not exist.
   * @throws CredrootError `INVALID_ARGUMENT` when `credentials.length !== batch.count`.
   */
  insertBatch(batch: NewBatch, credentials: readonly NewCredential[]): Promise<BatchRecord>;
  /** What the issuer's `Idempotency-Key` `key` stands for, or null when the issuer never used it. */
  getIdempotencyKey(issuerId: number, key: string): Promise<IdempotencyRecord | null>;
  /**
   * An issuer's batches, newest first, `limit` from `offset`.
   * @throws CredrootError `INVALID_ARGUMENT` unless both are non-negative integers.
   */
  listBatches(issuerId: number, offset: number, limit: number): Promise<BatchSummary[]>;
  /** How many batches the issuer has. */
  countBatches(issuerId: number): Promise<number>;
  /**
   * The issuer's credentials matching `query` (every given field must match), oldest batch first,
   * at most `limit`. An empty query finds nothing.
   * @throws CredrootError `INVALID_ARGUMENT` unless `limit` is a non-negative integer.
   */
  findCredentials(issuerId: number, query: CredentialQuery, limit: number): Promise<CredentialRecord[]>;
  getBatch(id: string): Promise<BatchRecord | null>;
  getCredential(id: string): Promise<CredentialRecord | null>;
  /** The credential's status list entry (assigned by `insertBatch`), or null for an unknown credential. */
  getStatusEntry(credentialId: string): Promise<StatusEntry | null>;
  /** How many status list indexes the issuer has assigned (its highest index + 1; 0 for none). */
  statusListSize(issuerId: number): Promise<number>;
  /** The issuer's status list indexes of the credentials `query` names, ascending, each once. */
  statusIndexes(issuerId: number, query: StatusQuery): Promise<number[]>;
  /**
   * Credentials of a batch in index order, `limit` from `offset`.
   * @throws CredrootError `INVALID_ARGUMENT` unless both are non-negative integers.
   */
  listCredentials(batchId: string, offset: number, limit: number): Promise<CredentialRecord[]>;
  /**
   * Sets a batch's status (e.g. `revoked`) and its revocation reason (kept when omitted).
   * @throws StoreNotFoundError for an unknown batch.
   */
  setBatchStatus(id: string, status: BatchStatus, revokedReason?: string): Promise<void>;
  /**
   * Marks a credential revoked with its reason.
   * @throws StoreNotFoundError for an unknown credential.
   */
  setCredentialRevoked(id: string, reason: string): Promise<void>;

  /**
   * Queues a revocation op (anchor ops are queued by `insertBatch`).
   * @throws StoreNotFoundError when the batch, or the credential in that batch, does not exist.
   * @throws StoreConflictError `anchor-op` for a second `anchor` op of a batch.
   */
  enqueueOp(op: {
    kind: OpKind;
    batchId: string;
    credentialId: string | null;
    signer: string;
    reason: string;
  }): Promise<OpRecord>;
  getOp(id: number): Promise<OpRecord | null>;
  /** Ops of these statuses, oldest first (the worker's queue). */
  listOps(statuses: readonly OpStatus[], limit?: number): Promise<OpRecord[]>;
  /** Ops of one batch, oldest first. */
  opsOfBatch(batchId: string): Promise<OpRecord[]>;
  /**
   * Applies `update` to op `id` (and its batch, when asked) in one transaction, bumps `updatedAt`
   * and returns the updated op.
   * @throws StoreNotFoundError for an unknown op (nothing changed then).
   */
  updateOp(id: number, update: OpUpdate): Promise<OpRecord>;

  /**
   * Takes lease `name` for `holder` until `ttlMs` from now, by the database's clock, in one atomic
   * statement: when nobody holds it, when its holder's time is up, or (renewal) when `holder`
   * already holds it. Several instances on one database call this; at most one holds a lease.
   * @returns the lease now held by `holder`, or null while another holder's lease runs.
   * @throws CredrootError `INVALID_ARGUMENT` unless `ttlMs` is a positive integer.
   */
  acquireLease(name: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Gives lease `name` up if `holder` holds it (expired or not); true when it did. */
  releaseLease(name: string, holder: string): Promise<boolean>;
  /** Lease `name` as recorded (possibly expired), or null when nobody took it. */
  getLease(name: string): Promise<Lease | null>;

  /**
   * The service's own secret `name` (migration 5), stored with `create()`'s value the first time it
   * is asked for: several instances starting at once all get the one value stored first.
   */
  serviceSecret(name: string, create: () => Buffer): Promise<Buffer>;
}
