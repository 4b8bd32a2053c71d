import { JsonRpcProvider, type Log, Wallet } from "ethers";
import {
  type AnchorContext,
  credentialRegistryInterface,
  type Hex32,
  newBatchId,
  type PreparedBatch,
  prepareBatch,
  proofOf,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { newCredentialId } from "../../server/keys";
import type { BatchRecord, OpRecord, Store } from "../../server/store/types";
import { Outbox, type OutboxLog, type OutboxOptions } from "../../server/outbox/outbox";
import type { ServiceFixture } from "./service";
import { closedPort } from "../../harness/net";
export { closedPort };

/** One line the worker logged. */
export interface LogEntry {
  level: "info" | "warn" | "error";
  obj: object;
  msg: string;
}

/** An {@link OutboxLog} that keeps every line, so tests can say what the worker reported. */
export function recordingLog(): OutboxLog & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    info: (obj, msg) => entries.push({ level: "info", obj, msg }),
    warn: (obj, msg) => entries.push({ level: "warn", obj, msg }),
    error: (obj, msg) => entries.push({ level: "error", obj, msg }),
  };
}

/** A worker built by {@link workerOn}, with its own provider (so stubbing it touches nothing else). */
export interface WorkerHarness {
  worker: Outbox;
  provider: JsonRpcProvider;
  wallet: Wallet;
  log: ReturnType<typeof recordingLog>;
}

/**
 * A provider that asks the node every time. ethers shares identical requests made within 250 ms,
 * so a test that mines a block and ticks at once would otherwise be answered from before the block.
 */
export function uncachedProvider(url: string, chainId: number): JsonRpcProvider {
  return new JsonRpcProvider(url, chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
}

/**
 * An {@link Outbox} for the fixture's issuer (account 1, or `account`) on the fixture's
 * store and registry, finality 2, driven by `tick()` (never started), on an
 * {@link uncachedProvider} (tests tick back to back, far faster than the service's interval).
 * `url` points it at another RPC endpoint (e.g. a closed port). Every harness is the same instance
 * ("test-worker") in the signer's lease unless given an `instanceId`, as a restarted process would
 * be. Destroy `provider` when done.
 */
export function workerOn(
  fx: ServiceFixture,
  options: { url?: string; store?: Store; account?: number } & Partial<
    Pick<OutboxOptions, "finality" | "instanceId" | "leaseTtlMs" | "intervalMs" | "fromBlock">
  > = {},
): WorkerHarness {
  const provider = uncachedProvider(options.url ?? fx.chain.url, fx.chain.chainId);
  const wallet = new Wallet(fx.chain.privateKey(options.account ?? 1), provider);
  const log = recordingLog();
  const worker = new Outbox({
    store: options.store ?? fx.store,
    provider,
    wallet,
    registry: fx.registry,
    finality: options.finality ?? 2,
    intervalMs: options.intervalMs ?? 50,
    log,
    instanceId: options.instanceId ?? "test-worker",
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
  });
  return { worker, provider, wallet, log };
}

/** A batch stored (with its `anchor` op queued) the way `POST /v1/batches` stores one. */
export interface QueuedBatch {
  batch: BatchRecord;
  prepared: PreparedBatch;
  /** Where its leaves say they are anchored (`prepared.context`). */
  context: AnchorContext;
  root: Hex32;
  /** Credential ids, by index. */
  credentialIds: string[];
  /** The batch's `anchor` op as first stored. */
  op: OpRecord;
}

/**
 * The context `POST /v1/batches` commits a new batch of `issuerId` (default: the fixture's) to:
 * the fixture's chain and registry and a fresh batch id.
 */
export function anchorContextOf(fx: ServiceFixture, issuerId = fx.issuerId): AnchorContext {
  return { chainId: fx.chain.chainId, registry: fx.registry, issuerId, batchId: newBatchId() };
}

/**
 * Prepares `size` sample credentials (fresh secrets and batch id, so a fresh root) for the
 * fixture's issuer (or `issuerId`) and stores them as one batch, its anchor op to be sent by
 * account 1 (or the address `signer`).
 */
export async function queueBatch(
  fx: ServiceFixture,
  options: { size?: number; uri?: string; store?: Store; issuerId?: number; signer?: string } = {},
): Promise<QueuedBatch> {
  const store = options.store ?? fx.store;
  const size = options.size ?? 2;
  const context = anchorContextOf(fx, options.issuerId);
  const prepared = prepareBatch(
    Array.from({ length: size }, (_, i) => sampleCredential(i)),
    context,
  );
  const credentials = prepared.credentials.map((c, index) => ({
    id: newCredentialId(),
    index,
    leaf: c.leaf,
    digest: c.digest,
    secret: c.secret,
    credential: c.credential,
    proof: proofOf(prepared.tree, index),
  }));
  const batch = await store.insertBatch(
    {
      id: context.batchId,
      issuerId: context.issuerId,
      root: prepared.root,
      count: prepared.count,
      uri: options.uri ?? "",
      signer: options.signer ?? new Wallet(fx.chain.privateKey(1)).address,
    },
    credentials,
  );
  const [op] = await store.opsOfBatch(batch.id);
  if (!op) throw new Error("insertBatch queued no anchor op");
  return { batch, prepared, context, root: prepared.root, credentialIds: credentials.map((c) => c.id), op };
}

/** The events {@link registryEvents} finds. */
export type RegistryEventName = "BatchAnchored" | "BatchRevoked" | "CredentialRevoked";

const ROOT_ONLY = /^0x[0-9a-fA-F]{64}$/;

/**
 * The registry's `name` events whose indexed arguments are `args`, in the event's order (null:
 * any): `BatchAnchored` (issuerId, batchId as bytes16 hex, root), `BatchRevoked` (issuerId,
 * batchId), `CredentialRevoked` (issuerId, digest). For `BatchAnchored`, `[root]` alone finds the
 * anchors of a root, whoever anchored it (the form most tests ask).
 * @example
 * await registryEvents(provider, registry, "BatchAnchored", [batch.root]);
 * await registryEvents(provider, registry, "CredentialRevoked", [issuerId, digest]);
 */
export async function registryEvents(
  provider: JsonRpcProvider,
  registry: string,
  name: RegistryEventName,
  args: readonly unknown[],
): Promise<Log[]> {
  const fragment = credentialRegistryInterface.getEvent(name);
  const rootOnly = name === "BatchAnchored" && args.length === 1 && ROOT_ONLY.test(String(args[0]));
  const topics = credentialRegistryInterface.encodeFilterTopics(fragment, rootOnly ? [null, null, args[0]] : args);
  return provider.getLogs({ address: registry, topics, fromBlock: 0 });
}

/** Turns automatic mining on or off (off: transactions wait in the mempool for `evm_mine`). */
export async function setAutomine(provider: JsonRpcProvider, on: boolean): Promise<void> {
  await provider.send("evm_setAutomine", [on]);
}

/** What a connection failure looks like to the worker: an error with no revert data. */
export function networkError(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
}
