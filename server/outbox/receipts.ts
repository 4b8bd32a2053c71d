/** A `sent` op: mined (receipt), still waiting (perhaps stuck), or gone from the node. */
import { Transaction, type TransactionReceipt } from "ethers";
import { type CredrootError, decodeRegistryError } from "../../src";
import type { SentOp } from "../store/types";
import { adoptIfDone } from "./adoption";
import type { OutboxContext } from "./context";
import { isOutage } from "./errors";
import { batchOf } from "./lookups";
import { fail, markMined, requeue } from "./outcomes";
import { isStuck, replace } from "./replacement";

/** Looks `op`'s transaction up: mined → {@link onReceipt}; unknown → queued again; stuck → replaced. */
export async function checkSent(ctx: OutboxContext, op: SentOp): Promise<void> {
  const { provider } = ctx.options;
  const receipt = await provider.getTransactionReceipt(op.txHash);
  if (receipt) {
    await onReceipt(ctx, op, receipt);
    return;
  }
  if (!(await provider.getTransaction(op.txHash))) {
    await requeue(ctx, op, "transaction dropped");
    return;
  }
  if (isStuck(ctx, op)) await replace(ctx, op);
}

/**
 * A receipt of `op`'s transaction: mined when it succeeded; when it reverted, failed with the
 * reason, unless what it asked for is on chain anyway (then adopted).
 */
async function onReceipt(ctx: OutboxContext, op: SentOp, receipt: TransactionReceipt): Promise<void> {
  if (receipt.status === 1) {
    await markMined(ctx, op, { txHash: receipt.hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash });
    return;
  }
  const reason = await revertReason(ctx, op, receipt.blockNumber);
  const batch = await batchOf(ctx, op);
  if (!(await adoptIfDone(ctx, op, batch))) await fail(ctx, op, await ctx.standing.failureOf(reason, batch));
}

/**
 * Why `op`'s transaction reverted, replayed on the state after its block: what an earlier
 * transaction in that block changed (issuer deactivated, root anchored) is what made it revert.
 * @throws the replay's error when it is an outage: a node that cannot be asked is no reason.
 */
async function revertReason(ctx: OutboxContext, op: SentOp, blockNumber: number): Promise<CredrootError> {
  const { provider, wallet } = ctx.options;
  try {
    const tx = op.nonce === null ? await provider.getTransaction(op.txHash) : Transaction.from(op.rawTx);
    if (tx === null) return decodeRegistryError(new Error("the reverted transaction is not found"));
    await provider.call({ from: wallet.address, to: tx.to, data: tx.data, blockTag: blockNumber });
    return decodeRegistryError(new Error("transaction reverted without a reason"));
  } catch (error) {
    if (isOutage(error)) throw error; // the replay could not be made: asked again next pass
    return decodeRegistryError(error);
  }
}
