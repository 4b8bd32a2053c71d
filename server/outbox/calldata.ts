/** The registry call an op makes, encoded. */
import { batchIdToBytes16, credentialRegistryInterface } from "../../src";
import type { BatchRecord, OpRecord } from "../store/types";
import type { OutboxContext } from "./context";
import { credentialOf } from "./lookups";

/** The calldata of `op`'s registry call: `anchor`, `revokeBatch` or `revokeCredential`. */
export async function calldata(ctx: OutboxContext, op: OpRecord, batch: BatchRecord): Promise<string> {
  const batchId = batchIdToBytes16(batch.id);
  if (op.kind === "anchor") {
    return credentialRegistryInterface.encodeFunctionData("anchor", [batchId, batch.root, batch.count, batch.uri]);
  }
  if (op.kind === "revoke-batch")
    return credentialRegistryInterface.encodeFunctionData("revokeBatch", [batchId, op.reason]);
  const credential = await credentialOf(ctx, op);
  return credentialRegistryInterface.encodeFunctionData("revokeCredential", [credential.digest, op.reason]);
}
