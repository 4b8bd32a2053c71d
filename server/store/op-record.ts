/**
 * An op's fields, as a row holds them, checked against what its status promises ({@link OpRecord}):
 * the stores run every op they read or are about to write through {@link opRecord}, so that no
 * caller ever meets a `signed` op without its transaction or a `mined` one without its block.
 */
import { CredrootError } from "../../src/errors";
import type { MinedOp, OpFields, OpOf, OpRecord, OpStatus, OpTransaction, OwnTransaction } from "./ops";

/** What each status requires, in words (for the error). */
const REQUIRES: Record<OpStatus, string> = {
  queued: "no nonce, transaction hash, block or error",
  signed: "a nonce, a transaction hash and its raw transaction, and no block or error",
  sent: "a transaction hash (with a nonce only alongside its raw transaction), and no block or error",
  mined: "a transaction hash (with a nonce only alongside its raw transaction), a block, and no error",
  final: "a transaction hash (with a nonce only alongside its raw transaction), a block, and no error",
  failed: "an error",
};

/** The transaction `op` records as its own (nonce, hash and bytes), or null. */
function ownTransaction({ txHash, nonce, rawTx }: OpFields): OwnTransaction | null {
  return txHash !== null && nonce !== null && rawTx !== null ? { txHash, nonce, rawTx } : null;
}

/** The transaction `op` waits on: its own, or one adopted (hash only); null when there is none. */
function transaction(op: OpFields): OpTransaction | null {
  if (op.txHash === null) return null;
  if (op.nonce === null) return { txHash: op.txHash, nonce: null, rawTx: op.rawTx };
  return ownTransaction(op);
}

/** The block `op` records, or null. */
function block({ blockNumber, blockHash }: OpFields): Pick<MinedOp, "blockNumber" | "blockHash"> | null {
  return blockNumber !== null && blockHash !== null ? { blockNumber, blockHash } : null;
}

const unmined = ({ blockNumber, blockHash }: OpFields): boolean => blockNumber === null && blockHash === null;

/** `op` typed by its status, or null when its fields do not fit it. */
function typed(op: OpFields): OpRecord | null {
  const { status, error } = op;
  const clean = unmined(op) && error === null;
  switch (status) {
    case "queued":
      return clean && op.nonce === null && op.txHash === null
        ? { ...op, status, nonce: null, txHash: null, blockNumber: null, blockHash: null, error: null }
        : null;
    case "signed": {
      const tx = ownTransaction(op);
      return clean && tx ? { ...op, ...tx, status, blockNumber: null, blockHash: null, error: null } : null;
    }
    case "sent": {
      const tx = transaction(op);
      return clean && tx ? { ...op, ...tx, status, blockNumber: null, blockHash: null, error: null } : null;
    }
    case "mined":
    case "final": {
      const tx = transaction(op);
      const minedIn = block(op);
      if (!tx || !minedIn || error !== null) return null;
      return status === "mined"
        ? { ...op, ...tx, ...minedIn, status, error: null }
        : { ...op, ...tx, ...minedIn, status, error: null };
    }
    case "failed":
      return error === null ? null : { ...op, status, error };
  }
}

/**
 * `op` typed by its status.
 * @throws CredrootError `INVARIANT` when its fields contradict its status (a `signed` op without its
 * raw transaction, a `mined` one without its block, …): only a bug, or a hand-edited row, does that.
 * @example
 * opRecord({ ...row, status: "signed", nonce: 7, txHash, rawTx }) // a SignedOp
 */
export function opRecord(op: OpFields): OpRecord {
  const record = typed(op);
  if (record !== null) return record;
  const recorded = (["nonce", "txHash", "rawTx", "blockNumber", "blockHash", "error"] as const).filter(
    (field) => op[field] !== null,
  );
  throw new CredrootError(
    "INVARIANT",
    `op ${op.id} is ${op.status}, which requires ${REQUIRES[op.status]}; ` +
      `it records ${recorded.length === 0 ? "none of these" : recorded.join(", ")}`,
  );
}

/**
 * True when `op` has status `status` (and so its type).
 * @example
 * if (hasStatus(op, "signed")) resend(op.rawTx);
 */
export function hasStatus<S extends OpStatus>(op: OpRecord, status: S): op is OpOf<S> {
  return op.status === status;
}
