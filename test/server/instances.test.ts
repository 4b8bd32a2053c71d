import type { JsonRpcProvider } from "ethers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PostgresStore } from "../../server/store/postgres";
import { SqliteStore } from "../../server/store/sqlite";
import type { Store } from "../../server/store/types";
import {
  type QueuedBatch,
  queueBatch,
  registryEvents,
  uncachedProvider,
  type WorkerHarness,
  workerOn,
} from "../support/anchoring";
import { type TestDatabase, testDatabase, testDbKind } from "../support/db";
import { type ServiceFixture, startService, waitFor } from "../support/service";

/**
 * Several service instances on one database (SQLite file or PostgreSQL, per vitest project) and one
 * chain, sharing one signer: the lease in the database lets one of them send at a time.
 */
describe("several instances on one database", () => {
  let db: TestDatabase;
  let fx: ServiceFixture;
  let chain: JsonRpcProvider;
  let stores: Store[];
  let harnesses: WorkerHarness[];

  /** A worker with a Store connection of its own, as another process would have. */
  const instance = async (instanceId: string, leaseTtlMs: number): Promise<WorkerHarness> => {
    const store = db.open();
    await store.migrate();
    stores.push(store);
    const h = workerOn(fx, { store, instanceId, leaseTtlMs });
    harnesses.push(h);
    return h;
  };
  const sent = (h: WorkerHarness) => h.log.entries.filter((e) => e.msg === "transaction sent").length;
  const logged = (h: WorkerHarness, msg: string) => h.log.entries.some((e) => e.msg === msg);
  const statusOf = async (q: QueuedBatch) => (await fx.store.getBatch(q.batch.id))!.status;

  beforeEach(async () => {
    db = await testDatabase();
    stores = [];
    harnesses = [];
    const store = db.open();
    fx = await startService({ worker: false, store });
    chain = uncachedProvider(fx.chain.url, fx.chain.chainId);
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const h of harnesses) {
      await h.worker.stop();
      h.provider.destroy();
    }
    for (const store of stores) await store.close();
    chain.destroy();
    await fx.close();
    await db.dispose();
  });

  it("runs on the database its vitest project names", () => {
    expect(fx.store).toBeInstanceOf(testDbKind() === "postgres" ? PostgresStore : SqliteStore);
  });

  it("sends nothing while another instance holds the lease, and takes over as soon as it is given up", async () => {
    const a = await instance("instance-a", 60_000);
    const b = await instance("instance-b", 60_000);
    const first = await queueBatch(fx);
    await a.worker.tick();
    expect(await statusOf(first)).not.toBe("pending");
    const second = await queueBatch(fx);
    await b.worker.tick();
    expect(sent(b)).toBe(0);
    expect(await statusOf(second)).toBe("pending");
    expect(await fx.store.getLease(`signer:${a.wallet.address.toLowerCase()}`)).toMatchObject({ holder: "instance-a" });

    await a.worker.stop(); // gives the lease up
    await b.worker.tick();
    expect(sent(b)).toBe(1);
    expect(await statusOf(second)).not.toBe("pending");
    expect(logged(b, "lease taken: this instance sends for the signer")).toBe(true);
  });

  it("stops an instance whose lease lapsed mid-pass before it signs: the new holder sends, once", async () => {
    const slow = await instance("instance-slow", 300);
    const before = await chain.getTransactionCount(slow.wallet.address, "latest");
    const queued = [await queueBatch(fx), await queueBatch(fx), await queueBatch(fx)];
    // The slow instance stalls (a GC pause, a slow RPC) on its first estimate, past its lease.
    const estimate = slow.provider.estimateGas.bind(slow.provider);
    vi.spyOn(slow.provider, "estimateGas").mockImplementationOnce(async (tx) => {
      await new Promise((resolve) => setTimeout(resolve, 700));
      return estimate(tx);
    });
    const broadcasts = vi.spyOn(slow.provider, "broadcastTransaction");
    const writes = vi.spyOn(stores[0]!, "updateOp");
    const stalled = slow.worker.tick();

    await new Promise((resolve) => setTimeout(resolve, 400)); // the slow one's lease has lapsed
    const next = await instance("instance-next", 60_000);
    await next.worker.tick();
    expect(sent(next)).toBe(3);

    await stalled;
    expect(broadcasts).not.toHaveBeenCalled();
    expect(writes).not.toHaveBeenCalled();
    expect(logged(slow, "lease lost to another instance: sending stops")).toBe(true);
    for (const q of queued) expect(await registryEvents(chain, fx.registry, "BatchAnchored", [q.root])).toHaveLength(1);
    expect(await chain.getTransactionCount(next.wallet.address, "latest")).toBe(before + 3);
  });

  it("anchors 20 batches once each while two instances tick at once and hand the lease over", async () => {
    const a = await instance("instance-a", 1000);
    const b = await instance("instance-b", 1000);
    const before = await chain.getTransactionCount(a.wallet.address, "latest");
    const queued: QueuedBatch[] = [];
    for (let i = 0; i < 10; i++) queued.push(await queueBatch(fx));
    a.worker.start();
    b.worker.start();
    const miner = setInterval(() => void fx.mine().catch(() => undefined), 100);
    try {
      const allFinal = (batches: QueuedBatch[]) =>
        waitFor(
          async () => ((await Promise.all(batches.map(statusOf))).every((s) => s === "final") ? true : undefined),
          30_000,
          "every batch final",
        );
      await allFinal(queued);
      // Whoever holds the lease shuts down gracefully; the other carries on with ten more batches.
      const holder = (await fx.store.getLease(`signer:${a.wallet.address.toLowerCase()}`))!.holder;
      const [leaving, staying] = holder === "instance-a" ? [a, b] : [b, a];
      await leaving.worker.stop();
      for (let i = 0; i < 10; i++) queued.push(await queueBatch(fx));
      await waitFor(() => Promise.resolve(sent(staying) > 0 ? true : undefined), 10_000, "the other instance to send");
      leaving.worker.start();
      await allFinal(queued);
    } finally {
      clearInterval(miner);
    }

    for (const h of [a, b]) expect(logged(h, "lease taken: this instance sends for the signer")).toBe(true);
    expect(sent(a) + sent(b)).toBe(20);
    for (const q of queued) expect(await registryEvents(chain, fx.registry, "BatchAnchored", [q.root])).toHaveLength(1);
    const ops = await Promise.all(queued.map(async (q) => (await fx.store.opsOfBatch(q.batch.id))[0]!));
    const nonces = ops.map((op) => op.nonce).sort((x, y) => x! - y!);
    expect(nonces).toEqual(Array.from({ length: 20 }, (_, i) => before + i)); // each used once, none skipped
    expect(ops.every((op) => op.status === "final" && op.attempts === 1)).toBe(true);
    expect(await chain.getTransactionCount(a.wallet.address, "latest")).toBe(before + 20);
  });
});
