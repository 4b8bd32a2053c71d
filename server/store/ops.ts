/**
 * The chain operations of the outbox, typed by status: what each status promises is in the type
 * (a `signed` op has its nonce, hash and bytes; a `mined` op its block; a `failed` op its error).
 * Re-exported by `types.ts`; `op-record.ts` checks rows against these types.
 */

/** What a chain operation does. */
export type OpKind = "anchor" | "revoke-batch" | "revoke-credential";

/**
 * Life of a chain operation in the outbox:
 * `queued` → `signed` (raw tx + nonce recorded, not yet known to be broadcast) → `sent` →
 * `mined` → `final`; or `failed` (reverted / rejected, with the decoded reason). A transaction that
 * disappears (dropped, reorged) sends the operation back to `queued`.
 */
export type OpStatus = "queued" | "signed" | "sent" | "mined" | "final" | "failed";

/** What every op records, whatever its status. */
interface OpBase {
  id: number;
  kind: OpKind;
  batchId: string;
  /** The credential a `revoke-credential` op revokes (null for the other kinds). */
  credentialId: string | null;
  /** Address of the signer that must send it. */
  signer: string;
  /** `reason` for revocations. */
  reason: string;
  /** How many times a transaction was signed for this op. */
  attempts: number;
  createdAt: string;
  updatedAt: string;
}

/** A transaction this service signed: its nonce and bytes are recorded, so it can be resent or replaced. */
export interface OwnTransaction {
  txHash: string;
  nonce: number;
  /** The signed transaction, recorded before broadcast so that a restart can resend it. */
  rawTx: string;
}

/**
 * A transaction found on chain (adopted: it did what the op asks, whoever sent it): only its hash is
 * known. `rawTx` is the last transaction this service signed for the op, if any, not this one.
 */
export interface AdoptedTransaction {
  txHash: string;
  nonce: null;
  rawTx: string | null;
}

/** The transaction a `sent`, `mined` or `final` op waits on (tell them apart by `nonce`). */
export type OpTransaction = OwnTransaction | AdoptedTransaction;

/** No block recorded (the op's transaction is not known to be mined). */
interface Unmined {
  blockNumber: null;
  blockHash: null;
}

/** The block the op's transaction was mined in. */
interface MinedIn {
  blockNumber: number;
  blockHash: string;
}

/**
 * Waiting to be signed. `rawTx` is the last transaction signed for it, if any (dropped or refused):
 * a new one with the nonce it held must outbid it.
 */
export interface QueuedOp extends OpBase, Unmined {
  status: "queued";
  nonce: null;
  txHash: null;
  rawTx: string | null;
  error: null;
}

/** Signed and recorded, not yet known to be broadcast. */
export type SignedOp = OpBase & Unmined & OwnTransaction & { status: "signed"; error: null };

/** Broadcast (or adopted back into the mempool after a reorg), not yet mined. */
export type SentOp = OpBase & Unmined & OpTransaction & { status: "sent"; error: null };

/** A `sent` op whose transaction is its own (so it can be replaced). */
export type OwnSentOp = Extract<SentOp, { nonce: number }>;

/** Mined, not yet final. */
export type MinedOp = OpBase & MinedIn & OpTransaction & { status: "mined"; error: null };

/** Mined and final (terminal). */
export type FinalOp = OpBase & MinedIn & OpTransaction & { status: "final"; error: null };

/** Failed (terminal): reverted, refused, or not the signer's to send; whatever was recorded is kept. */
export interface FailedOp extends OpBase {
  status: "failed";
  nonce: number | null;
  txHash: string | null;
  rawTx: string | null;
  blockNumber: number | null;
  blockHash: string | null;
  /** Why: the revert's name, or the reason in words. */
  error: string;
}

/**
 * A chain operation, typed by its status: what each status promises is there (a `signed` op its
 * nonce, hash and bytes, a `mined` op its block, a `failed` op its error). The stores check every
 * op they read or write against this (`opRecord`, in op-record.ts).
 */
export type OpRecord = QueuedOp | SignedOp | SentOp | MinedOp | FinalOp | FailedOp;

/** The op type of status `S`, e.g. `OpOf<"signed">` is {@link SignedOp}. */
export type OpOf<S extends OpStatus> = Extract<OpRecord, { status: S }>;

/** Every field of an op, as a database row holds them (each status-dependent one possibly null). */
export interface OpFields extends OpBase {
  status: OpStatus;
  nonce: number | null;
  txHash: string | null;
  rawTx: string | null;
  blockNumber: number | null;
  blockHash: string | null;
  error: string | null;
}
