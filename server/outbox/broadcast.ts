/** Broadcasting a signed transaction, and what the node's answer means for its op. */
import type { SignedOp } from "../store/types";
import { type OutboxContext, write } from "./context";
import { isUnreachable } from "./errors";
import { requeue } from "./outcomes";

/** The node already used this nonce: mined, ours or someone else's. */
const NONCE_USED = /nonce too low|nonce has already been used|NONCE_EXPIRED/i;

/** The node already holds these bytes. */
const ALREADY_KNOWN = /already known|known transaction|already imported/i;

/**
 * Broadcasts `op`'s recorded transaction and records it `sent`. The same bytes may be broadcast
 * again after a crash, so a node that knows them, or whose nonce they took when mined, is an
 * answer that they were sent. A node that refuses them (fee below the base fee, replacement
 * underpriced, …) sends the op back to the queue, to be signed again with fresh fees.
 * @throws whatever the broadcast threw when the node could not be reached (it may have them).
 */
export async function broadcast(ctx: OutboxContext, op: SignedOp): Promise<void> {
  await ctx.lease.ensure();
  const { provider, faults, log } = ctx.options;
  try {
    await provider.broadcastTransaction(op.rawTx);
    faults?.afterBroadcast?.();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (NONCE_USED.test(message)) {
      if (!(await provider.getTransactionReceipt(op.txHash))) {
        // Our nonce went to another transaction: sign again with a fresh one.
        await requeue(ctx, op, "nonce used by another transaction");
        return;
      }
    } else if (!ALREADY_KNOWN.test(message)) {
      if (isUnreachable(error)) throw error;
      // The node answered and refused this transaction: sign it again with fresh fees; the nonce
      // it held is reused.
      await requeue(ctx, op, `refused by the node (${message.split("\n")[0] ?? ""})`);
      return;
    }
  }
  await write(ctx, op.id, { status: "sent" });
  log.info({ op: op.id, kind: op.kind, tx: op.txHash, nonce: op.nonce }, "transaction sent");
}
