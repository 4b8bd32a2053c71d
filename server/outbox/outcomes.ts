/** Where an op ends a step: mined, back in the queue, or failed. */
import type { CredrootError } from "../../src";
import type { OpRecord, OpUpdate } from "../store/types";
import { type OutboxContext, write } from "./context";
import { credentialIdOf } from "./lookups";

/** A transaction as mined: its hash and the block it is in. */
export interface MinedTransaction {
  txHash: string;
  blockNumber: number;
  blockHash: string;
}

/**
 * Records `op` mined in `tx` (and an anchor's batch anchored, unless revoked meanwhile), then the
 * revocation it makes, if any. `adopted`: `tx` is not the op's own transaction but one found on
 * chain that did the same; the nonce the op held is then no longer its.
 */
export async function markMined(
  ctx: OutboxContext,
  op: OpRecord,
  tx: MinedTransaction,
  { adopted = false } = {},
): Promise<void> {
  const { txHash, blockNumber, blockHash } = tx;
  const update: OpUpdate = { status: "mined", txHash, blockNumber, blockHash, ...(adopted ? { nonce: null } : {}) };
  if (op.kind === "anchor") {
    const batch = await ctx.options.store.getBatch(op.batchId);
    if (batch?.status !== "revoked") update.batchStatus = "anchored";
    update.batchTx = { txHash, blockNumber };
  }
  await write(ctx, op.id, update);
  await recordRevocation(ctx, op);
  ctx.options.log.info({ op: op.id, kind: op.kind, tx: txHash, block: blockNumber }, "transaction mined");
}

/** Records a mined revocation in the database (idempotent; repeated before the op turns final). */
export async function recordRevocation(ctx: OutboxContext, op: OpRecord): Promise<void> {
  await ctx.lease.ensure();
  const { store } = ctx.options;
  if (op.kind === "revoke-credential") await store.setCredentialRevoked(credentialIdOf(op), op.reason);
  if (op.kind === "revoke-batch") await store.setBatchStatus(op.batchId, "revoked", op.reason);
}

/** Back to the queue; the previous raw transaction is kept, since a re-signed replacement must outbid it. */
const REQUEUE: OpUpdate = { status: "queued", nonce: null, txHash: null, blockNumber: null, blockHash: null };

/** Sends `op` back to the queue (an anchor's batch back to pending), saying `why` in the log. */
export async function requeue(ctx: OutboxContext, op: OpRecord, why: string): Promise<void> {
  ctx.options.log.warn({ op: op.id, kind: op.kind, tx: op.txHash }, `${why}: queued again`);
  await write(ctx, op.id, {
    ...REQUEUE,
    ...(op.kind === "anchor" ? { batchStatus: "pending" as const, batchTx: { txHash: null, blockNumber: null } } : {}),
  });
}

/** Marks `op` failed (and an anchor op's batch) with the revert's name, or `reason` itself when a text. */
export async function fail(ctx: OutboxContext, op: OpRecord, reason: CredrootError | string): Promise<void> {
  const error = typeof reason === "string" ? reason : reason.revert ? reason.revert.name : reason.message;
  ctx.options.log.error({ op: op.id, kind: op.kind, err: error }, "chain operation failed");
  await write(ctx, op.id, {
    status: "failed",
    error,
    ...(op.kind === "anchor" ? { batchStatus: "failed" as const } : {}),
  });
}
