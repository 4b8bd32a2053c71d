import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type Bundle, verifyBundle } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { generateApiKey } from "../../server/keys";
import { openStore } from "../../server/store";
import type { BatchRecord, OpRecord, Store } from "../../server/store/types";
import { networkError, registryEvents, setAutomine, uncachedProvider } from "../support/anchoring";
import { type ChildService, spawnService } from "../support/child-service";
import { fetchJson, mapLimit } from "../../harness/http";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { type ServiceFixture, startService, waitFor } from "../support/service";

interface Accepted {
  id: string;
  credentials: { id: string }[];
}

describe("restarts: nothing lost, nothing anchored twice", () => {
  let registry: RegistryFixture;
  let chain: JsonRpcProvider;
  let dir: string;
  let signer: string;
  const children: ChildService[] = [];

  const credentials = (count: number, from: number) =>
    Array.from({ length: count }, (_, i) => sampleCredential(from + i));

  /** Every batch anchored by exactly one BatchAnchored event, the one its record names. */
  const expectAnchoredOnce = async (batches: readonly BatchRecord[]) => {
    for (const batch of batches) {
      const events = await registryEvents(chain, registry.registry, "BatchAnchored", [batch.root]);
      expect(events.map((e) => e.transactionHash)).toEqual([batch.txHash]);
      expect(events[0]!.blockNumber).toBe(batch.blockNumber);
    }
  };

  const expectValid = async (bundles: readonly Bundle[]) => {
    const results = await mapLimit(bundles, 20, (b) => verifyBundle(b, { chains: registry.trusted }));
    expect(results.map((r) => r.verdict)).toEqual(bundles.map(() => "valid"));
  };

  const anchorOp = async (store: Store, batchId: string): Promise<OpRecord> => {
    const ops = await store.opsOfBatch(batchId);
    expect(ops.filter((o) => o.kind === "anchor")).toHaveLength(1);
    return ops[0]!;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    chain = uncachedProvider(registry.chain.url, registry.chain.chainId);
    signer = new Wallet(registry.chain.privateKey(1)).address;
    dir = mkdtempSync(join(tmpdir(), "credroot-restart-"));
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const child of children.splice(0)) await child.stop("SIGKILL");
    await setAutomine(chain, true);
    await chain.send("evm_setIntervalMining", [0]);
  });

  afterAll(async () => {
    chain.destroy();
    await registry.chain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("resumes a sent, a signed and a queued anchor after the service stopped, anchoring each batch once", async () => {
    const url = `file:${join(dir, "stop.db")}`;

    // 1. Three batches stored while no worker runs.
    const first = await startService({ registry, store: openStore(url), worker: false });
    const ids: string[] = [];
    for (const [i, size] of [4, 5, 6].entries()) {
      const res = await first.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: first.auth,
        payload: { credentials: credentials(size, i * 10) },
      });
      expect(res.statusCode).toBe(202);
      ids.push(res.json<Accepted>().id);
    }
    await first.close();

    // 2. A worker starts with the chain holding transactions in its mempool. Its first broadcast
    // gets through; every later one fails as a dropped connection would, so the second op is left
    // signed (recorded, never broadcast) and the third queued when the service stops.
    await setAutomine(chain, false);
    const second = await startService({ registry, store: openStore(url) });
    // Installed before the worker's first pass can get this far: it asks the chain several
    // things before its first broadcast.
    const provider = second.app.chain.provider;
    const realBroadcast = provider.broadcastTransaction.bind(provider);
    let broadcasts = 0;
    vi.spyOn(provider, "broadcastTransaction").mockImplementation((raw: string) => {
      broadcasts += 1;
      return broadcasts === 1 ? realBroadcast(raw) : Promise.reject(networkError());
    });
    const before = await waitFor(
      async () => {
        const ops = await Promise.all(ids.map((id) => anchorOp(second.store, id)));
        return ops[0]!.status === "sent" && ops[1]!.status === "signed" ? ops : undefined;
      },
      20_000,
      "one op sent and one signed",
    );
    await second.close();
    expect(before.map((o) => o.status)).toEqual(["sent", "signed", "queued"]);
    expect(await chain.getTransaction(before[0]!.txHash!)).not.toBeNull(); // waiting in the mempool
    expect(await chain.getTransaction(before[1]!.txHash!)).toBeNull(); // never left the process

    // 3. While it is stopped the chain mines what was sent; then it starts again.
    await chain.send("evm_mine", []);
    await setAutomine(chain, true);
    await chain.send("evm_setIntervalMining", [100]);
    const third: ServiceFixture = await startService({ registry, store: openStore(url) });
    try {
      const batches = await waitFor(
        async () => {
          const all = await Promise.all(ids.map((id) => third.store.getBatch(id)));
          return all.every((b) => b?.status === "final") ? (all as BatchRecord[]) : undefined;
        },
        20_000,
        "every batch final",
      );
      await expectAnchoredOnce(batches);
      const after = await Promise.all(ids.map((id) => anchorOp(third.store, id)));
      expect(after.map((o) => o.status)).toEqual(["final", "final", "final"]);
      expect(after.map((o) => o.attempts)).toEqual([1, 1, 1]); // nothing signed twice
      expect(after[0]!.txHash).toBe(before[0]!.txHash);
      expect(after[1]!.txHash).toBe(before[1]!.txHash); // the recorded bytes were broadcast as they were

      const bundles: Bundle[] = [];
      for (const id of ids) {
        const batch = (await third.store.getBatch(id))!;
        for (const c of await third.store.listCredentials(id, 0, batch.count)) {
          const res = await third.app.inject({ url: `/v1/credentials/${c.id}/bundle` });
          expect(res.statusCode).toBe(200);
          bundles.push(res.json<Bundle>());
        }
      }
      expect(bundles).toHaveLength(4 + 5 + 6);
      await expectValid(bundles);
    } finally {
      await third.close();
    }
  });

  it("survives kill -9 of server/main.ts mid-anchoring: after a restart each batch is anchored once and every bundle is served", async () => {
    const path = join(dir, "kill.db");
    const store = openStore(`file:${path}`);
    await store.migrate();
    await store.upsertIssuer({ id: registry.issuerId, name: "Test University" });
    const key = generateApiKey();
    await store.createApiKey({ id: key.id, issuerId: registry.issuerId, digest: key.digest, label: "kill test" });
    await store.close();
    const auth = { authorization: `Bearer ${key.key}` };
    const env = {
      RPC_URL: registry.chain.url,
      CHAIN_ID: String(registry.chain.chainId),
      REGISTRY_ADDRESS: registry.registry,
      ISSUER_PRIVATE_KEY: registry.chain.privateKey(1),
      DATABASE_URL: `file:${path}`,
      PORT: "0",
      HOST: "127.0.0.1",
      FINALITY: "2",
      WORKER_INTERVAL_MS: "50",
      // A process killed with -9 keeps the signer's lease: its successor takes over once it lapses.
      LEASE_TTL_MS: "500",
      RATE_LIMIT_PER_MINUTE: "100000",
    };
    const start = async () => {
      const child = await spawnService(env);
      children.push(child);
      return child;
    };
    const submit = async (service: ChildService, count: number, from: number) => {
      const res = await fetchJson<Accepted>(`${service.url}/v1/batches`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ credentials: credentials(count, from) }),
      });
      expect(res.status).toBe(202);
      return res.body.id;
    };
    const statusOf = async (service: ChildService, id: string) =>
      (await fetchJson<{ status: string }>(`${service.url}/v1/batches/${id}`, { headers: auth })).body.status;
    const nonceBefore = await chain.getTransactionCount(signer, "pending");

    /** The anchor ops' statuses as the database holds them (the service is down). */
    const opStatuses = async (ids: readonly string[]) => {
      const peek = openStore(`file:${path}`);
      try {
        return await Promise.all(ids.map(async (id) => (await anchorOp(peek, id)).status));
      } finally {
        await peek.close();
      }
    };

    // Transactions wait in the mempool, so each kill lands with anchors in flight.
    await setAutomine(chain, false);
    let service = await start();
    const ids = [await submit(service, 3, 0), await submit(service, 4, 10)];
    await waitFor(
      async () => ((await statusOf(service, ids[1]!)) === "submitted" ? true : undefined),
      20_000,
      "two batches submitted",
    );
    const atKill: string[][] = [];
    // Kill at a few moments after a batch is accepted (its worker pass woken at once): before,
    // inside or after the pass that signs and broadcasts it.
    for (const [k, delayMs] of [0, 15, 40].entries()) {
      if (k > 0) service = await start();
      ids.push(await submit(service, 5, 20 + k * 10));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      const killed = await service.stop("SIGKILL");
      expect(killed.signal).toBe("SIGKILL");
      atKill.push(await opStatuses(ids));
      await chain.send("evm_mine", []); // some of what it sent is mined while it is down
    }
    console.log(`anchor op statuses at each kill -9: ${JSON.stringify(atKill)}`);
    expect(atKill.flat().filter((s) => s === "sent" || s === "signed").length).toBeGreaterThan(0);

    await setAutomine(chain, true);
    await chain.send("evm_setIntervalMining", [100]);
    service = await start();
    ids.push(await submit(service, 2, 60)); // and the restarted service takes new work too
    await waitFor(
      async () => {
        const statuses = await Promise.all(ids.map((id) => statusOf(service, id)));
        expect(statuses).not.toContain("failed");
        return statuses.every((s) => s === "final") ? true : undefined;
      },
      30_000,
      "every batch final",
    );

    const listed = await mapLimit(ids, 5, async (id) => {
      const res = await fetchJson<{ credentials: { id: string }[] }>(`${service.url}/v1/batches/${id}/credentials`, {
        headers: auth,
      });
      return res.body.credentials.map((c) => c.id);
    });
    expect(listed.map((l) => l.length)).toEqual([3, 4, 5, 5, 5, 2]);
    const bundles = await mapLimit(listed.flat(), 10, async (id) => {
      const res = await fetchJson<Bundle>(`${service.url}/v1/credentials/${id}/bundle`);
      expect(res.status).toBe(200);
      return res.body;
    });
    const stopped = await service.stop("SIGTERM");
    expect(stopped.code).toBe(0); // a graceful stop after the kill
    await expectValid(bundles);

    const after = openStore(`file:${path}`);
    try {
      await after.migrate();
      const batches = (await Promise.all(ids.map((id) => after.getBatch(id)))) as BatchRecord[];
      await expectAnchoredOnce(batches);
      for (const id of ids) expect((await anchorOp(after, id)).status).toBe("final");
      // Exactly one transaction per batch left the signer: nothing was sent twice.
      expect(await chain.getTransactionCount(signer, "pending")).toBe(nonceBefore + ids.length);
    } finally {
      await after.close();
    }
  }, 90_000);
});
