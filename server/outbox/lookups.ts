/** What an op names in the database: its batch and (for `revoke-credential`) its credential. */
import { invariant } from "../../src";
import type { BatchRecord, CredentialRecord, OpRecord } from "../store/types";
import type { OutboxContext } from "./context";

/** The credential a `revoke-credential` op names; one without is a bug (the route always names one). */
export function credentialIdOf(op: OpRecord): string {
  invariant(op.credentialId !== null, `op ${op.id} (${op.kind}) names no credential`);
  return op.credentialId;
}

/** The batch `op` belongs to. */
export async function batchOf(ctx: OutboxContext, op: OpRecord): Promise<BatchRecord> {
  const batch = await ctx.options.store.getBatch(op.batchId);
  // The store refuses an op of an unknown batch, and batches are never deleted.
  invariant(batch !== null, `op ${op.id} names unknown batch ${op.batchId}`);
  return batch;
}

/** The credential a `revoke-credential` op revokes. */
export async function credentialOf(ctx: OutboxContext, op: OpRecord): Promise<CredentialRecord> {
  const credential = await ctx.options.store.getCredential(credentialIdOf(op));
  invariant(credential !== null, `op ${op.id} names unknown credential ${op.credentialId}`);
  return credential;
}
