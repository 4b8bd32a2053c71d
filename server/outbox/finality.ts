/** A `mined` op: final once deep enough (and, for an anchor, held by the registry), or reorged. */
import type { Hex32 } from "../../src";
import type { MinedOp, OpUpdate } from "../store/types";
import { type OutboxContext, write } from "./context";
import { batchOf } from "./lookups";
import { fail, markMined, recordRevocation, requeue } from "./outcomes";

/** Whether the block `blockNumber` is final by the configured finality. */
async function isFinal(ctx: OutboxContext, blockNumber: number): Promise<boolean> {
  const { provider, finality } = ctx.options;
  if (finality === "finalized") return ((await provider.getBlock("finalized"))?.number ?? -1) >= blockNumber;
  return (await provider.getBlockNumber()) - blockNumber + 1 >= finality;
}

/**
 * Follows `op`'s transaction: reorged out (back to `sent` while the node still holds it, else
 * queued again), moved to another block (recorded there, confirmations counted afresh), or final.
 * An anchor is final only once the registry holds the batch's root under the batch's issuer.
 */
export async function checkFinal(ctx: OutboxContext, op: MinedOp): Promise<void> {
  const { provider, log } = ctx.options;
  const receipt = await provider.getTransactionReceipt(op.txHash);
  if (!receipt) {
    if (await provider.getTransaction(op.txHash)) {
      // Reorged out but back in the mempool: wait for it to be mined again.
      await write(ctx, op.id, {
        status: "sent",
        blockNumber: null,
        blockHash: null,
        ...(op.kind === "anchor" ? { batchStatus: "submitted" as const } : {}),
      });
      return;
    }
    await requeue(ctx, op, "transaction reorged out");
    return;
  }
  if (receipt.blockHash !== op.blockHash) {
    await markMined(ctx, op, { txHash: receipt.hash, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash });
    return;
  }
  if (!(await isFinal(ctx, receipt.blockNumber))) return;
  const batch = await batchOf(ctx, op);
  if (op.kind === "anchor") {
    // Final means the registry holds this root under this batch's issuer and id, nothing less.
    const onChain = await ctx.registry.getBatch(batch.issuerId, batch.id, batch.root as Hex32);
    if (onChain.anchoredAt === 0) {
      await fail(ctx, op, `batch ${batch.id} is not anchored for issuer ${batch.issuerId} on chain`);
      return;
    }
  }
  await recordRevocation(ctx, op); // again, in case the process died right after markMined
  const update: OpUpdate = { status: "final" };
  if (op.kind === "anchor" && batch.status !== "revoked") update.batchStatus = "final";
  await write(ctx, op.id, update);
  log.info({ op: op.id, kind: op.kind, block: receipt.blockNumber }, "transaction final");
}
