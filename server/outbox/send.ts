/** A `queued` op: adopted if already done, failed if its signer may not send, else signed and broadcast. */
import { type CredrootError, decodeRegistryError } from "../../src";
import type { BatchRecord, QueuedOp } from "../store/types";
import { adoptIfDone } from "./adoption";
import { broadcast } from "./broadcast";
import { calldata } from "./calldata";
import type { OutboxContext } from "./context";
import { batchOf } from "./lookups";
import { nextNonce } from "./nonces";
import { fail } from "./outcomes";
import { sign } from "./signing";

/** Gas limit: the estimate plus 20%, so that a little state change before mining does not run it out. */
const GAS_MARGIN_PERCENT = 120n;

/**
 * Sends `op`: nothing when the chain already holds what it asks for (adopted), failed when the
 * outbox's key may not send for its issuer or the registry refuses it at estimation, else signed
 * with the next free nonce and broadcast.
 */
export async function send(ctx: OutboxContext, op: QueuedOp): Promise<void> {
  const batch = await batchOf(ctx, op);
  if (await adoptIfDone(ctx, op, batch)) return;
  const refusal = await ctx.standing.refusal(batch.issuerId);
  if (refusal !== null) {
    await fail(ctx, op, refusal);
    return;
  }
  const { provider, wallet, registry } = ctx.options;
  const data = await calldata(ctx, op, batch);
  let gas: bigint;
  try {
    gas = await provider.estimateGas({ from: wallet.address, to: registry, data });
  } catch (error) {
    const reason = decodeRegistryError(error);
    if (reason.code !== "CONTRACT_REVERT") throw reason;
    await refusedAtEstimation(ctx, op, batch, reason);
    return;
  }
  const signed = await sign(ctx, op, {
    nonce: await nextNonce(ctx),
    data,
    gasLimit: (gas * GAS_MARGIN_PERCENT) / 100n,
  });
  await broadcast(ctx, signed);
}

/**
 * The registry refused `op` at estimation: adopted when it is done meanwhile, left queued when our
 * own anchor of it is pending somewhere (adopted once its event is visible), else failed.
 */
async function refusedAtEstimation(
  ctx: OutboxContext,
  op: QueuedOp,
  batch: BatchRecord,
  reason: CredrootError,
): Promise<void> {
  if (await adoptIfDone(ctx, op, batch)) return;
  const [issuerId, , root] = reason.revert?.args ?? [];
  if (
    reason.revert?.name === "BatchAlreadyAnchored" &&
    Number(issuerId) === batch.issuerId &&
    String(root).toLowerCase() === batch.root.toLowerCase()
  ) {
    return;
  }
  await fail(ctx, op, await ctx.standing.failureOf(reason, batch));
}
