/**
 * One pass over the outbox: each op of the signer's moves on by one step, in the order that keeps
 * nonces flowing (recorded transactions first, new ones last).
 */
import type { OpRecord, OpStatus } from "../store/types";
import { broadcast } from "./broadcast";
import type { OutboxContext } from "./context";
import { asError, isOutage, summary } from "./errors";
import { checkFinal } from "./finality";
import { LeaseLostError } from "./lease";
import { fail } from "./outcomes";
import { checkSent } from "./receipts";
import { send } from "./send";

/** The statuses a pass acts on, in the order it acts on them. */
const PASS_ORDER = ["signed", "sent", "mined", "queued"] as const satisfies readonly OpStatus[];

/**
 * Runs one pass: takes the signer's lease (or renews it once half of it has passed), or does
 * nothing while another instance holds it; then reads the signer's ops (after the lease is taken,
 * so that a new holder carries on where the last one stopped) and steps each. The pass stops at an
 * outage (the next pass retries) or when the lease is lost; a bug fails the op it happened on and
 * the pass goes on.
 * @throws what the lease or the op list threw (the caller logs it, see {@link logPassFailure}).
 */
export async function runPass(ctx: OutboxContext): Promise<void> {
  if (!(await ctx.lease.keep())) return; // another instance sends for this signer
  ctx.standing.reset(); // asked again in each pass that has something to sign
  const signer = ctx.options.wallet.address.toLowerCase();
  const ops = (await ctx.options.store.listOps(PASS_ORDER)).filter((op) => op.signer.toLowerCase() === signer);
  for (const status of PASS_ORDER) {
    for (const op of ops.filter((o) => o.status === status)) {
      if (!(await attempt(ctx, op))) return;
    }
  }
}

/** Moves `op` on by one step; false when the pass must stop (lease lost, or an outage). */
async function attempt(ctx: OutboxContext, op: OpRecord): Promise<boolean> {
  const { log } = ctx.options;
  try {
    await ctx.lease.ensure();
    await step(ctx, op);
    return true;
  } catch (error) {
    if (error instanceof LeaseLostError) return false; // the new holder carries on
    if (isOutage(error)) {
      log.warn({ op: op.id, kind: op.kind, err: summary(error) }, "chain operation deferred");
      return false; // the next pass retries
    }
    // A bug, or a state no retry changes: the same step would fail the same way for ever.
    log.error({ op: op.id, kind: op.kind, err: asError(error) }, "chain operation failed by a bug");
    await fail(ctx, op, `internal error: ${summary(error)}`);
    return true;
  }
}

/** The step `op`'s status calls for. */
function step(ctx: OutboxContext, op: OpRecord): Promise<void> {
  switch (op.status) {
    case "signed":
      return broadcast(ctx, op);
    case "sent":
      return checkSent(ctx, op);
    case "mined":
      return checkFinal(ctx, op);
    case "queued":
      return send(ctx, op);
    case "final":
    case "failed":
      return Promise.resolve(); // terminal: never listed
  }
}

/**
 * Logs a pass that stopped with `error` (the lease or the op list could not be read, or failing an
 * op failed): an outage as deferred, a bug at error level with its stack. A lost lease is no failure.
 */
export function logPassFailure(ctx: OutboxContext, error: unknown): void {
  if (error instanceof LeaseLostError) return;
  if (isOutage(error)) ctx.options.log.warn({ err: summary(error) }, "anchoring pass deferred");
  else ctx.options.log.error({ err: asError(error) }, "anchoring pass stopped by a bug");
}
