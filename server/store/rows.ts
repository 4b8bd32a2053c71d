/**
 * Database rows (snake_case, as the tables of `migrations.ts` hold them) and their mapping to the
 * record types of `types.ts`. Kept apart from the SQLite store so that a PostgreSQL store, whose
 * driver also returns snake_case rows, can share them.
 */
import {
  type ApiKeyRecord,
  type BatchRecord,
  type BatchStatus,
  type BatchSummary,
  type CredentialRecord,
  type IdempotencyRecord,
  type IssuerAccount,
  type Lease,
  type OpKind,
  type OpRecord,
  type OpStatus,
} from "./types";
import { opRecord } from "./op-record";

export interface IssuerRow {
  id: number;
  name: string;
  created_at: string;
}

export interface ApiKeyRow {
  id: string;
  issuer_id: number;
  digest: Buffer;
  label: string;
  created_at: string;
  revoked_at: string | null;
}

export interface BatchRow {
  id: string;
  issuer_id: number;
  root: string;
  count: number;
  uri: string;
  status: BatchStatus;
  tx_hash: string | null;
  block_number: number | null;
  error: string | null;
  revoked_reason: string | null;
  created_at: string;
  updated_at: string;
}

export interface CredentialRow {
  id: string;
  batch_id: string;
  idx: number;
  leaf: string;
  digest: string;
  secret: string;
  /** JSON text of the credential's values. */
  credential: string;
  /** JSON text of the Merkle path. */
  proof: string;
  revoked_reason: string | null;
}

export interface OpRow {
  id: number;
  kind: OpKind;
  batch_id: string;
  credential_id: string | null;
  signer: string;
  reason: string;
  status: OpStatus;
  nonce: number | null;
  tx_hash: string | null;
  raw_tx: string | null;
  block_number: number | null;
  block_hash: string | null;
  error: string | null;
  attempts: number;
  created_at: string;
  updated_at: string;
}

export interface LeaseRow {
  name: string;
  holder: string;
  expires_at: number;
}

export function toIssuer(row: IssuerRow): IssuerAccount {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    issuerId: row.issuer_id,
    digest: row.digest,
    label: row.label,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

export function toBatch(row: BatchRow): BatchRecord {
  return {
    id: row.id,
    issuerId: row.issuer_id,
    root: row.root,
    count: row.count,
    uri: row.uri,
    status: row.status,
    txHash: row.tx_hash,
    blockNumber: row.block_number,
    error: row.error,
    revokedReason: row.revoked_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toCredential(row: CredentialRow): CredentialRecord {
  return {
    id: row.id,
    batchId: row.batch_id,
    index: row.idx,
    leaf: row.leaf,
    digest: row.digest,
    secret: row.secret,
    // Written by this store from typed values: trusted.
    credential: JSON.parse(row.credential) as CredentialRecord["credential"],
    proof: JSON.parse(row.proof) as string[],
    revokedReason: row.revoked_reason,
  };
}

/** @throws CredrootError `INVARIANT` when the row contradicts its status (see {@link opRecord}). */
export function toOp(row: OpRow): OpRecord {
  return opRecord({
    id: row.id,
    kind: row.kind,
    batchId: row.batch_id,
    credentialId: row.credential_id,
    signer: row.signer,
    reason: row.reason,
    status: row.status,
    nonce: row.nonce,
    txHash: row.tx_hash,
    rawTx: row.raw_tx,
    blockNumber: row.block_number,
    blockHash: row.block_hash,
    error: row.error,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

export function toLease(row: LeaseRow): Lease {
  return { name: row.name, holder: row.holder, expiresAt: row.expires_at };
}

export interface BatchSummaryRow extends BatchRow {
  revoked_credentials: number | string;
}

export interface IdempotencyRow {
  issuer_id: number;
  idem_key: string;
  digest: string;
  batch_id: string;
  created_at: string;
}

/** A credential /id the issuer already issued, and where (`issuedIds`). */
export interface IssuedRow {
  credential_key: string;
  batch_id: string;
  idx: number;
}

export function toBatchSummary(row: BatchSummaryRow): BatchSummary {
  return { ...toBatch(row), revokedCredentials: Number(row.revoked_credentials) };
}

export function toIdempotency(row: IdempotencyRow): IdempotencyRecord {
  return {
    issuerId: row.issuer_id,
    key: row.idem_key,
    digest: row.digest,
    batchId: row.batch_id,
    createdAt: row.created_at,
  };
}
