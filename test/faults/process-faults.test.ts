import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type JsonRpcProvider, Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Bundle } from "../../src";
import { openStore } from "../../server/store";
import type { BatchRecord, OpRecord } from "../../server/store/types";
import { registryEvents, setAutomine, uncachedProvider } from "../support/anchoring";
import { childEnv, seedDatabase } from "../support/child-env";
import { type LaunchedService, launchService } from "../support/child-service";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { RpcProxy } from "../support/rpc-proxy";
import { type Outcome, outcomeOf, type AcceptedBatch, fetchHttp, ServiceClient } from "../support/service-client";
import { waitFor } from "../support/service";
import { within } from "../support/watch";

/** `server/main.ts` as a child process, killed mid-anchoring or stopped under load. */
describe("process faults of server/main.ts", () => {
  let registry: RegistryFixture;
  let chain: JsonRpcProvider;
  let proxy: RpcProxy;
  let dir: string;
  let signer: string;
  const children: LaunchedService[] = [];

  const launch = (env: Record<string, string>): LaunchedService => {
    const child = launchService(env);
    children.push(child);
    return child;
  };

  /** The anchor op of each batch, read from the database file (while no service runs). */
  const anchorOps = async (path: string, ids: readonly string[]): Promise<OpRecord[]> => {
    const store = openStore(`file:${path}`);
    try {
      return await Promise.all(
        ids.map(async (id) => {
          const ops = (await store.opsOfBatch(id)).filter((o) => o.kind === "anchor");
          expect(ops).toHaveLength(1);
          return ops[0]!;
        }),
      );
    } finally {
      await store.close();
    }
  };

  /** Polls `GET /v1/batches/:id` until every batch is final; fails at once if one is reported failed. */
  const allFinal = (client: ServiceClient, ids: readonly string[]): Promise<BatchRecord[]> =>
    waitFor(
      async () => {
        const batches = await Promise.all(ids.map((id) => client.batch(id)));
        expect(batches.filter((b) => b.status === "failed")).toEqual([]);
        return batches.every((b) => b.status === "final") ? batches : undefined;
      },
      30_000,
      "every batch final",
    );

  /** Each batch anchored by exactly one BatchAnchored event: the transaction its record names. */
  const expectAnchoredOnce = async (batches: readonly BatchRecord[]) => {
    for (const batch of batches) {
      const events = await registryEvents(chain, registry.registry, "BatchAnchored", [batch.root]);
      expect(events.map((e) => [e.transactionHash, e.blockNumber])).toEqual([[batch.txHash, batch.blockNumber]]);
    }
  };

  /** Every credential's bundle is served (200) and the service's own `POST /v1/verify` finds it valid. */
  const expectServedAndValid = async (client: ServiceClient, accepted: readonly AcceptedBatch[]) => {
    const ids = accepted.flatMap((a) => a.credentials.map((c) => c.id));
    for (const id of ids) {
      const bundle = await client.bundle(id);
      expect(bundle.status).toBe(200);
      const verdict = await client.verify(bundle.body);
      expect([verdict.status, verdict.body.verdict]).toEqual([200, "valid"]);
    }
    return ids.length;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    chain = uncachedProvider(registry.chain.url, registry.chain.chainId);
    signer = new Wallet(registry.chain.privateKey(1)).address;
    dir = mkdtempSync(join(tmpdir(), "credroot-faults-"));
    proxy = await RpcProxy.start(registry.chain.url);
    // Transactions wait up to 100 ms in the mempool: kills land with anchors in flight.
    await setAutomine(chain, false);
    await chain.send("evm_setIntervalMining", [100]);
  });

  afterEach(async () => {
    for (const child of children.splice(0)) await child.stop("SIGKILL");
    proxy.release();
    await proxy.setMode("up");
  });

  afterAll(async () => {
    await chain.send("evm_setIntervalMining", [0]);
    await setAutomine(chain, true);
    await proxy.close();
    chain.destroy();
    await registry.chain.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("a crash while anchoring (CREDROOT_FAULT)", () => {
    const SIZES = [2, 3, 4];

    // Each start with the fault recovers what the previous crash left, then signs (and, for
    // crash-after-broadcast, broadcasts) the next batch's transaction and dies: three batches, three
    // kills, each landing at the same point of a different batch, the last two while recovering.
    // With blocks every 100 ms, what a dead process broadcast is mined while it is down (sent again:
    // "nonce too low"); with no blocks until the last restart it still waits in the mempool (sent
    // again: "already known"), and the next batch must take the nonce after it.
    it.each([
      { fault: "crash-after-sign", blocks: "every 100 ms" },
      { fault: "crash-after-broadcast", blocks: "every 100 ms" },
      { fault: "crash-after-sign", blocks: "none until the restart" },
      { fault: "crash-after-broadcast", blocks: "none until the restart" },
    ] as const)(
      "$fault, blocks $blocks: after a restart without the fault every batch is final, anchored once, the nonce advanced once per batch",
      async ({ fault, blocks }) => {
        const mining = blocks === "every 100 ms";
        await chain.send("evm_setIntervalMining", [mining ? 100 : 0]);
        const path = join(dir, `${fault}-${mining ? "mining" : "still"}.db`);
        const auth = await seedDatabase(path, registry);
        const env = childEnv(registry, { databasePath: path, rpcUrl: proxy.url });
        const faulty = { ...env, CREDROOT_FAULT: fault };
        const nonceBefore = await chain.getTransactionCount(signer, "pending");

        // The batches are accepted while the chain is away, so the worker cannot start on any of
        // them before all three are stored.
        await proxy.setMode("refuse");
        let run = launch(faulty);
        const client = new ServiceClient(fetchHttp(await run.listening), auth);
        const accepted: AcceptedBatch[] = [];
        for (const size of SIZES) accepted.push(await client.submit(size));
        const ids = accepted.map((a) => a.id);
        await proxy.setMode("up");

        const crashed: OpRecord[] = []; // the op each kill left `signed`
        for (let k = 0; k < ids.length; k++) {
          if (k > 0) run = launch(faulty);
          const exit = await within(run.exited, 30_000, `kill ${k + 1} of ${ids.length}`);
          expect(exit, run.output.join("\n")).toEqual({ code: null, signal: "SIGKILL" });
          const ops = await anchorOps(path, ids);
          const statuses = ops.map((o) => o.status);
          expect(
            statuses.slice(0, k).every((s) => s === "sent" || s === "mined"),
            String(statuses),
          ).toBe(true);
          expect(statuses.slice(k)).toEqual(["signed", ...ids.slice(k + 1).map(() => "queued")]);
          const signed = ops[k]!;
          expect(signed).toMatchObject({ nonce: nonceBefore + k, attempts: 1 });
          // Where the kill landed: before the transaction left the process, or right after.
          const onChain = await chain.getTransaction(signed.txHash!);
          if (fault === "crash-after-sign") expect(onChain).toBeNull();
          else expect(onChain?.hash).toBe(signed.txHash);
          // What earlier kills left signed was broadcast as recorded, not signed again.
          for (const [i, before] of crashed.entries()) {
            expect(ops[i]).toMatchObject({ txHash: before.txHash, nonce: before.nonce, attempts: 1 });
          }
          crashed.push(signed);
        }

        await chain.send("evm_setIntervalMining", [100]);
        run = launch(env); // no fault
        const service = new ServiceClient(fetchHttp(await run.listening), auth);
        const batches = await allFinal(service, ids);
        await expectAnchoredOnce(batches);
        expect(batches.map((b) => b.txHash)).toEqual(crashed.map((o) => o.txHash));
        const ops = await anchorOps(path, ids);
        expect(ops.map((o) => [o.status, o.attempts])).toEqual(ids.map(() => ["final", 1]));
        expect(await chain.getTransactionCount(signer, "latest")).toBe(nonceBefore + ids.length);
        expect(await chain.getTransactionCount(signer, "pending")).toBe(nonceBefore + ids.length);
        expect(await expectServedAndValid(service, accepted)).toBe(2 + 3 + 4);
        expect(await run.stop("SIGTERM")).toEqual({ code: 0, signal: null });
      },
      60_000,
    );
  });

  describe("SIGTERM under load", () => {
    const VERIFIES = 24;
    const BUNDLES = 25;

    it("finishes every accepted request normally, refuses later ones at once, exits 0 within 10 s and loses no accepted batch", async () => {
      await chain.send("evm_setIntervalMining", [100]);
      const path = join(dir, "sigterm.db");
      const auth = await seedDatabase(path, registry);
      const env = childEnv(registry, { databasePath: path, rpcUrl: proxy.url });
      const nonceBefore = await chain.getTransactionCount(signer, "pending");
      let run = launch(env);
      const url = await run.listening;
      const client = new ServiceClient(fetchHttp(url), auth);
      const first = await client.submit(5);
      await allFinal(client, [first.id]);
      const bundles: Bundle[] = [];
      for (const c of first.credentials) bundles.push((await client.bundle(c.id)).body);

      // Every verification needs one eth_call; the proxy holds them, so that each of these
      // requests is provably inside its handler when the signal lands.
      proxy.hold("eth_call");
      const MARK = "/health?load"; // the load's requests are the ones the log shows after this one
      expect((await client.http({ url: MARK })).status).toBe(200);
      const http = fetchHttp(url);
      const load: Promise<Outcome>[] = [];
      for (let i = 0; i < VERIFIES; i++) {
        load.push(outcomeOf(http, { method: "POST", url: "/v1/verify", body: bundles[i % bundles.length] }));
      }
      for (let i = 0; i < BUNDLES; i++) {
        load.push(outcomeOf(http, { url: `/v1/credentials/${first.credentials[i % 5]!.id}/bundle` }));
      }
      await waitFor(
        () => Promise.resolve(proxy.heldCalls("eth_call") === VERIFIES || undefined),
        10_000,
        "verifies held",
      );
      const last = await client.submit(3); // 202: stored; its worker pass now waits on the chain too
      await waitFor(() => Promise.resolve(proxy.heldCalls("eth_call") > VERIFIES || undefined), 10_000, "worker held");

      const signalled = Date.now();
      const exited = run.stop("SIGTERM");
      await run.logged("shutting down");
      await new Promise((resolve) => setTimeout(resolve, 100));
      const late = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          outcomeOf(
            fetchHttp(url, 3000),
            i % 2
              ? { url: `/v1/credentials/${first.credentials[0]!.id}/bundle` }
              : { method: "POST", url: "/v1/verify", body: bundles[0] },
          ),
        ),
      );
      // Arriving after the signal: 503, or no connection at all; never served, never left hanging
      // (all settled while the early requests were still held).
      expect(proxy.heldCalls("eth_call")).toBeGreaterThan(VERIFIES);
      for (const o of late) {
        expect(o.kind === "refused" || (o.kind === "answer" && o.status === 503), JSON.stringify(o)).toBe(true);
        if (o.kind === "answer") expect((o.body as { code?: string }).code).toBe("shutting-down");
      }
      proxy.release();
      const exit = await within(exited, 10_000 - (Date.now() - signalled), "exit after SIGTERM");
      const exitMs = Date.now() - signalled;
      const outcomes = await Promise.all(load);
      expect(exit, run.output.join("\n")).toEqual({ code: 0, signal: null });
      expect(exitMs).toBeLessThan(10_000);
      const kinds = late.map((o) => (o.kind === "answer" ? String(o.status) : o.kind));
      console.log(`SIGTERM: late requests ${kinds.join(",")}; exit 0 after ${exitMs} ms`);
      // In flight when it landed: each verification completes with its verdict.
      const verifies = outcomes.slice(0, VERIFIES);
      expect(
        verifies.map((o) => (o.kind === "answer" ? [o.status, (o.body as { verdict?: string }).verdict] : o)),
      ).toEqual(verifies.map(() => [200, "valid"]));
      expect(outcomes.slice(VERIFIES).map((o) => (o.kind === "answer" ? o.status : o))).toEqual(
        Array.from({ length: BUNDLES }, () => 200),
      );
      // And the server's own account: every request it accepted completed with its normal status; the
      // late ones it read are logged as refused (503 shutting-down), one for each late 503 answer.
      const logged = requestLog(run.output, MARK);
      const refused = logged.filter((r) => r.status === 503);
      expect(refused).toHaveLength(late.filter((o) => o.kind === "answer").length);
      const accepted = logged.filter((r) => r.status !== 503);
      expect(accepted.filter((r) => r.status !== 200 && r.status !== 202)).toEqual([]);
      expect(accepted).toHaveLength(VERIFIES + BUNDLES + 1); // the load and the last batch; none of the late ones

      // The batch accepted just before the signal is anchored after a restart, once.
      run = launch(env);
      const restarted = new ServiceClient(fetchHttp(await run.listening), auth);
      const batches = await allFinal(restarted, [first.id, last.id]);
      await expectAnchoredOnce(batches);
      expect(await chain.getTransactionCount(signer, "pending")).toBe(nonceBefore + 2);
      expect(await expectServedAndValid(restarted, [last])).toBe(3);
      expect(await run.stop("SIGTERM")).toEqual({ code: 0, signal: null });
    }, 60_000);
  });
});

/**
 * The requests a child's log shows it accepted (`incoming request`) after the one for `afterUrl`,
 * with the status each completed with (`request completed`), or null.
 */
function requestLog(output: readonly string[], afterUrl: string): { url: string; status: number | null }[] {
  const entries = output.flatMap((line) => {
    try {
      return [
        JSON.parse(line) as { reqId?: string; msg?: string; req?: { url?: string }; res?: { statusCode?: number } },
      ];
    } catch {
      return [];
    }
  });
  const incoming = entries.filter((e) => e.msg === "incoming request" && e.reqId !== undefined);
  const start = incoming.findIndex((e) => e.req?.url === afterUrl);
  expect(start).toBeGreaterThanOrEqual(0);
  return incoming.slice(start + 1).map((e) => {
    const done = entries.find((d) => d.reqId === e.reqId && d.msg === "request completed");
    return { url: e.req?.url ?? "", status: done?.res?.statusCode ?? null };
  });
}
