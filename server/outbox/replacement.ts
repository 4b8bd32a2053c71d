/**
 * Replacement: a transaction waiting too long in the mempool (fee too low) is replaced with one of
 * the same nonce and fees at least 12.5% higher (see `bumpedFees`).
 */
import { Transaction } from "ethers";
import type { OwnSentOp, SentOp } from "../store/types";
import { broadcast } from "./broadcast";
import type { OutboxContext } from "./context";
import { sign } from "./signing";

/**
 * True when `op`'s transaction is its own (an adopted one is not ours to replace) and has waited
 * unmined longer than `stuckAfterMs` (never, when that is not set).
 */
export function isStuck(ctx: OutboxContext, op: SentOp): op is OwnSentOp {
  const { stuckAfterMs } = ctx.options;
  return op.nonce !== null && stuckAfterMs !== undefined && Date.now() - Date.parse(op.updatedAt) > stuckAfterMs;
}

/**
 * Signs `op`'s transaction again, same nonce, calldata and gas limit, higher fees, and broadcasts
 * it. Whichever of the two is mined, the op ends mined exactly once: the registry refuses a second
 * anchor of the batch id, and a batch already anchored is adopted.
 */
export async function replace(ctx: OutboxContext, op: OwnSentOp): Promise<void> {
  const previous = Transaction.from(op.rawTx);
  ctx.options.log.warn(
    { op: op.id, tx: op.txHash, nonce: op.nonce },
    "transaction stuck: replacing it with higher fees",
  );
  const unsigned = { nonce: op.nonce, data: previous.data, gasLimit: previous.gasLimit };
  await broadcast(ctx, await sign(ctx, op, unsigned));
}
