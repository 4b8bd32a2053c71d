/**
 * Adoption: what an op asks for may already be on chain (sent before a crash, by a replaced
 * transaction, or by hand), and is then recorded as done, never done twice.
 */
import type { Log } from "ethers";
import { batchIdToBytes16, type Hex32, invariant, registryInterface } from "../../src";
import type { BatchRecord, OpRecord } from "../store/types";
import type { OutboxContext } from "./context";
import { credentialIdOf } from "./lookups";
import { markMined } from "./outcomes";

/** Blocks per `eth_getLogs` request (common hosted limits are 2,000–10,000). */
export const LOG_WINDOW = 2000;

/**
 * When the chain already holds what `op` asks for under the batch's issuer (the batch id anchored
 * with the batch's root, the batch or the credential revoked), records the transaction that did
 * it and returns true: an op is never done twice. Another issuer's batches and revocations live
 * apart on chain and never count.
 */
export async function adoptIfDone(ctx: OutboxContext, op: OpRecord, batch: BatchRecord): Promise<boolean> {
  const root = batch.root as Hex32;
  const onChain = await ctx.registry.getBatch(batch.issuerId, batch.id, root);
  const batchId = batchIdToBytes16(batch.id);
  let found: { event: string; args: unknown[] } | null = null;
  if (op.kind === "anchor" && onChain.anchoredAt !== 0) {
    found = { event: "BatchAnchored", args: [batch.issuerId, batchId, root] };
  } else if (op.kind === "revoke-batch" && onChain.revokedAt !== 0) {
    found = { event: "BatchRevoked", args: [batch.issuerId, batchId] };
  } else if (op.kind === "revoke-credential") {
    const credential = await ctx.options.store.getCredential(credentialIdOf(op));
    const digest = credential?.digest as Hex32 | undefined;
    if (digest !== undefined && (await credentialRevoked(ctx, batch.issuerId, digest))) {
      found = { event: "CredentialRevoked", args: [batch.issuerId, digest] };
    }
  }
  if (!found) return false;
  const log = await findEvent(ctx, found.event, found.args);
  if (!log) return false; // not visible yet: try again next pass
  const tx = { txHash: log.transactionHash, blockNumber: log.blockNumber, blockHash: log.blockHash };
  await markMined(ctx, op, tx, { adopted: true });
  return true;
}

async function credentialRevoked(ctx: OutboxContext, issuerId: number, digest: Hex32): Promise<boolean> {
  return (await ctx.registry.credentialRevokedAt(issuerId, digest)) !== 0;
}

/**
 * The latest `name` event with these topics, searched newest first in windows of
 * {@link LOG_WINDOW} blocks down to the registry's deployment block: hosted RPC endpoints refuse
 * `eth_getLogs` over wide ranges, and what the outbox adopts is almost always recent.
 */
async function findEvent(ctx: OutboxContext, name: string, args: readonly unknown[]): Promise<Log | undefined> {
  const { provider, registry, fromBlock } = ctx.options;
  const fragment = registryInterface.getEvent(name);
  invariant(fragment !== null, `the registry has no event ${name}`);
  const topics = registryInterface.encodeFilterTopics(fragment, args);
  const from = fromBlock ?? 0;
  const latest = await provider.getBlockNumber();
  for (let to = latest; to >= from; to -= LOG_WINDOW) {
    const logs = await provider.getLogs({
      address: registry,
      topics,
      fromBlock: Math.max(from, to - LOG_WINDOW + 1),
      toBlock: to,
    });
    if (logs.length > 0) return logs.at(-1);
  }
  return undefined;
}
