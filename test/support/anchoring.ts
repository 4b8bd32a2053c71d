import { randomUUID } from "node:crypto";

import { JsonRpcProvider, type Log, Wallet } from "ethers";
import { type Hex32, type PreparedBatch, prepareBatch, proofOf, registryInterface } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { newCredentialId } from "../../server/keys";
import type { BatchRecord, OpRecord, Store } from "../../server/store/types";
import { AnchorWorker, type AnchorWorkerOptions, type WorkerLog } from "../../server/worker/anchor";
import type { ServiceFixture } from "./service";
import { closedPort } from "./net";
export { closedPort };

/** One line the worker logged. */
export interface LogEntry {
  level: "info" | "warn" | "error";
  obj: object;
  msg: string;
}

/** A {@link WorkerLog} that keeps every line, so tests can say what the worker reported. */
export function recordingLog(): WorkerLog & { entries: LogEntry[] } {
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
  worker: AnchorWorker;
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
 * An {@link AnchorWorker} for the fixture's issuer (account 1) on the fixture's store and
 * registry, finality 2, driven by `tick()` (never started), on an {@link uncachedProvider} (tests
 * tick back to back, far faster than the service's interval). `url` points it at another RPC
 * endpoint (e.g. a closed port). Every harness is the same instance ("test-worker") in the
 * signer's lease unless given an `instanceId`, as a restarted process would be. Destroy `provider`
 * when done.
 */
export function workerOn(
  fx: ServiceFixture,
  options: { url?: string; store?: Store } & Partial<
    Pick<AnchorWorkerOptions, "issuerId" | "finality" | "instanceId" | "leaseTtlMs" | "intervalMs" | "fromBlock">
  > = {},
): WorkerHarness {
  const provider = uncachedProvider(options.url ?? fx.chain.url, fx.chain.chainId);
  const wallet = new Wallet(fx.chain.privateKey(1), provider);
  const log = recordingLog();
  const worker = new AnchorWorker({
    store: options.store ?? fx.store,
    provider,
    wallet,
    registry: fx.registry,
    finality: options.finality ?? 2,
    intervalMs: options.intervalMs ?? 50,
    log,
    instanceId: options.instanceId ?? "test-worker",
    ...(options.leaseTtlMs === undefined ? {} : { leaseTtlMs: options.leaseTtlMs }),
    ...(options.issuerId === undefined ? {} : { issuerId: options.issuerId }),
    ...(options.fromBlock === undefined ? {} : { fromBlock: options.fromBlock }),
  });
  return { worker, provider, wallet, log };
}

/** A batch stored (with its `anchor` op queued) the way `POST /v1/batches` stores one. */
export interface QueuedBatch {
  batch: BatchRecord;
  prepared: PreparedBatch;
  root: Hex32;
  /** Credential ids, by index. */
  credentialIds: string[];
  /** The batch's `anchor` op as first stored. */
  op: OpRecord;
}

/** Prepares `size` sample credentials (fresh salts, so a fresh root) and stores them as one batch. */
export async function queueBatch(
  fx: ServiceFixture,
  options: { size?: number; uri?: string; store?: Store } = {},
): Promise<QueuedBatch> {
  const store = options.store ?? fx.store;
  const size = options.size ?? 2;
  const prepared = prepareBatch(Array.from({ length: size }, (_, i) => sampleCredential(i)));
  const credentials = prepared.credentials.map((c, index) => ({
    id: newCredentialId(),
    index,
    leaf: c.leaf,
    fields: c.fields,
    proof: proofOf(prepared.tree, index),
  }));
  const batch = await store.insertBatch(
    {
      id: randomUUID(),
      issuerId: fx.issuerId,
      root: prepared.root,
      count: prepared.count,
      uri: options.uri ?? "",
      signer: new Wallet(fx.chain.privateKey(1)).address,
    },
    credentials,
  );
  const [op] = await store.opsOfBatch(batch.id);
  if (!op) throw new Error("insertBatch queued no anchor op");
  return { batch, prepared, root: prepared.root, credentialIds: credentials.map((c) => c.id), op };
}

/** The registry's `name` events whose first indexed topics are `topics` (e.g. `[root]`). */
export async function registryEvents(
  provider: JsonRpcProvider,
  registry: string,
  name: "BatchAnchored" | "BatchRevoked" | "CredentialRevoked",
  topics: readonly string[],
): Promise<Log[]> {
  const fragment = registryInterface.getEvent(name)!;
  return provider.getLogs({ address: registry, topics: [fragment.topicHash, ...topics], fromBlock: 0 });
}

/** Turns automatic mining on or off (off: transactions wait in the mempool for `evm_mine`). */
export async function setAutomine(provider: JsonRpcProvider, on: boolean): Promise<void> {
  await provider.send("evm_setAutomine", [on]);
}

/** What a connection failure looks like to the worker: an error with no revert data. */
export function networkError(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), { code: "ECONNREFUSED" });
}
