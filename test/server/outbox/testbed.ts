/**
 * What the outbox tests share: a service (no outbox of its own) on a fresh chain per test, outbox
 * harnesses on it, and short ways to read ops, batches and the chain.
 */
import type { JsonRpcProvider, TransactionReceipt, TransactionResponse } from "ethers";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { type Hex32, RegistryClient } from "../../../src";
import { hasStatus } from "../../../server/store/op-record";
import type { BatchRecord, OpOf, OpRecord, OpStatus, OpUpdate } from "../../../server/store/types";
import {
  type QueuedBatch,
  registryEvents,
  setAutomine,
  uncachedProvider,
  type WorkerHarness,
  workerOn,
} from "../../support/anchoring";
import { type ServiceFixture, startService } from "../../support/service";

/** The one element of `list`, which must have exactly one. */
export function single<T>(list: readonly T[]): T {
  expect(list).toHaveLength(1);
  const [only] = list;
  if (only === undefined) throw new Error("expected one element");
  return only;
}

/** The raw transaction `op` records, which it must have. */
export function rawOf(op: OpRecord): string {
  if (op.rawTx === null) throw new Error(`op ${op.id} records no raw transaction`);
  return op.rawTx;
}

/** Confirmations the harnesses wait for (see workerOn). */
export const FINALITY = 2;
export const GWEI = 10n ** 9n;

/** The {@link Testbed} of the current test. */
export interface Testbed {
  readonly fx: ServiceFixture;
  /** A provider of the test's own on the chain (uncached). */
  readonly chain: JsonRpcProvider;
  /** An outbox on the fixture (see workerOn), destroyed after the test. */
  harness(options?: Parameters<typeof workerOn>[1]): WorkerHarness;
  opOf(id: number): Promise<OpRecord>;
  /** Op `id`, which must have status `status` (and so its type). */
  opIn<S extends OpStatus>(id: number, status: S): Promise<OpOf<S>>;
  batchOf(q: QueuedBatch): Promise<BatchRecord>;
  /** The BatchAnchored events of `root`, whoever anchored it. */
  anchors(root: string): ReturnType<typeof registryEvents>;
  /** How many transactions `address` sent, mempool included. */
  sentBy(address: string): Promise<number>;
  credentialRevokedAt(issuerId: number, digest: Hex32): Promise<bigint>;
  /** `n` passes of `h`, mining a block after each when `mine`. */
  ticks(h: WorkerHarness, n: number, mine?: boolean): Promise<void>;
  /** The digest of credential `i` of a queued batch: what `revokeCredential` takes. */
  digestOf(q: QueuedBatch, i: number): Hex32;
  /** The id of credential `i` of a queued batch. */
  credentialIdOf(q: QueuedBatch, i: number): string;
  /** The revocation reason the store records for credential `i` of a queued batch (null: not revoked). */
  revokedReasonOf(q: QueuedBatch, i: number): Promise<string | null>;
  /** The receipt of `txHash`, which must be mined. */
  receiptOf(txHash: string): Promise<TransactionReceipt>;
  /** Transaction `txHash`, which the node must know (mined or pending). */
  txOf(txHash: string): Promise<TransactionResponse>;
  /**
   * Watches every write of the outbox: the op statuses written in order, and any `final` written
   * while the op's transaction had fewer than FINALITY confirmations (or no receipt at all).
   */
  watchUpdates(): { statuses: (string | undefined)[]; earlyFinals: string[] };
}

/** Registers the hooks that give each test of the calling suite a fresh {@link Testbed}. */
export function useTestbed(): Testbed {
  let fx: ServiceFixture | undefined;
  let chain: JsonRpcProvider | undefined;
  let harnesses: WorkerHarness[] = [];

  beforeEach(async () => {
    fx = await startService({ worker: false });
    chain = uncachedProvider(fx.chain.url, fx.chain.chainId);
    harnesses = [];
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    if (chain) {
      await setAutomine(chain, true);
      chain.destroy();
    }
    for (const h of harnesses) h.provider.destroy();
    await fx?.close();
    fx = chain = undefined;
  });

  const current = () => {
    if (!fx || !chain) throw new Error("the testbed is only there inside a test");
    return { fx, chain };
  };

  const testbed: Testbed = {
    get fx() {
      return current().fx;
    },
    get chain() {
      return current().chain;
    },
    harness(options = {}) {
      const h = workerOn(current().fx, options);
      harnesses.push(h);
      return h;
    },
    async opOf(id) {
      const op = await current().fx.store.getOp(id);
      if (op === null) throw new Error(`op ${id} does not exist`);
      return op;
    },
    async opIn(id, status) {
      const op = await testbed.opOf(id);
      expect(op.status, `op ${id}`).toBe(status);
      if (!hasStatus(op, status)) throw new Error(`op ${id} is ${op.status}, not ${status}`);
      return op;
    },
    async batchOf(q) {
      const batch = await current().fx.store.getBatch(q.batch.id);
      if (batch === null) throw new Error(`batch ${q.batch.id} does not exist`);
      return batch;
    },
    anchors(root) {
      const { fx, chain } = current();
      return registryEvents(chain, fx.registry, "BatchAnchored", [root]);
    },
    sentBy(address) {
      return current().chain.getTransactionCount(address, "pending");
    },
    credentialRevokedAt(issuerId, digest) {
      const { fx, chain } = current();
      return new RegistryClient(fx.registry, chain).contract.credentialRevokedAt(issuerId, digest);
    },
    async ticks(h, n, mine = false) {
      for (let i = 0; i < n; i++) {
        await h.worker.tick();
        if (mine) await current().fx.mine();
      }
    },
    digestOf(q, i) {
      const credential = q.prepared.credentials[i];
      if (!credential) throw new Error(`the batch has no credential ${i}`);
      return credential.digest;
    },
    credentialIdOf(q, i) {
      const id = q.credentialIds[i];
      if (id === undefined) throw new Error(`the batch has no credential ${i}`);
      return id;
    },
    async revokedReasonOf(q, i) {
      const id = testbed.credentialIdOf(q, i);
      const credential = await current().fx.store.getCredential(id);
      if (credential === null) throw new Error(`credential ${id} does not exist`);
      return credential.revokedReason;
    },
    async receiptOf(txHash) {
      const receipt = await current().chain.getTransactionReceipt(txHash);
      if (receipt === null) throw new Error(`transaction ${txHash} is not mined`);
      return receipt;
    },
    async txOf(txHash) {
      const tx = await current().chain.getTransaction(txHash);
      if (tx === null) throw new Error(`transaction ${txHash} is unknown to the node`);
      return tx;
    },
    watchUpdates() {
      const { fx, chain } = current();
      const original = fx.store.updateOp.bind(fx.store);
      const statuses: (string | undefined)[] = [];
      const earlyFinals: string[] = [];
      vi.spyOn(fx.store, "updateOp").mockImplementation(async (id: number, update: OpUpdate) => {
        statuses.push(update.status);
        if (update.status === "final") {
          const op = await testbed.opOf(id);
          const receipt = op.txHash === null ? null : await chain.getTransactionReceipt(op.txHash);
          const confirmations = receipt ? (await chain.getBlockNumber()) - receipt.blockNumber + 1 : 0;
          if (confirmations < FINALITY) earlyFinals.push(`op ${id}: ${confirmations} confirmation(s)`);
        }
        return original(id, update);
      });
      return { statuses, earlyFinals };
    },
  };
  return testbed;
}
