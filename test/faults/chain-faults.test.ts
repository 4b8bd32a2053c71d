import { type JsonRpcProvider, makeError, Transaction, Wallet } from "ethers";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type Bundle, bundleFor, newBatchId, prepareBatch } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import type { BatchRecord, OpRecord, OpUpdate, Store } from "../../server/store/types";
import { registryEvents, setAutomine, uncachedProvider } from "../support/anchoring";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { type ProxyMode, RpcProxy } from "../support/rpc-proxy";
import { injectHttp, ServiceClient } from "../support/service-client";
import { type ServiceFixture, startService, waitFor } from "../support/service";
import { collapse, isSubsequence, Poller, within } from "../support/watch";

const FINALITY = 2;
const WORKER_INTERVAL_MS = 100;

const hex = (n: bigint) => `0x${n.toString(16)}`;

/** Every write the worker makes to the outbox, in order. */
function recordWrites(store: Store): OpUpdate[] {
  const writes: OpUpdate[] = [];
  const original = store.updateOp.bind(store);
  vi.spyOn(store, "updateOp").mockImplementation((id: number, update: OpUpdate) => {
    writes.push(update);
    return original(id, update);
  });
  return writes;
}

/** The writes that marked an op, or its batch, failed. */
const failures = (writes: readonly OpUpdate[]) =>
  writes.filter((w) => w.status === "failed" || w.batchStatus === "failed");

/** The service (in process, worker running) on a shared chain, each test on a fresh snapshot of it. */
describe("chain faults: the service keeps every batch exactly once", () => {
  let registry: RegistryFixture;
  let chain: JsonRpcProvider;
  let signer: string;
  let snapshot: string;
  let running: ServiceFixture | undefined;
  let proxy: RpcProxy | undefined;

  /** A service on the shared registry (worker every 100 ms, FINALITY 2) and a client of it. */
  const service = async (env: Record<string, string> = {}) => {
    const fx = await startService({
      registry,
      env: { WORKER_INTERVAL_MS: String(WORKER_INTERVAL_MS), RATE_LIMIT_PER_MINUTE: "1000000", ...env },
    });
    running = fx;
    return { fx, client: new ServiceClient(injectHttp(fx.app), fx.auth) };
  };

  const anchorOp = async (store: Store, batchId: string): Promise<OpRecord> => {
    const ops = (await store.opsOfBatch(batchId)).filter((o) => o.kind === "anchor");
    expect(ops).toHaveLength(1);
    return ops[0]!;
  };

  /** Mines a block per poll until every batch is final (the chain's blocks are the test's to make). */
  const mineUntilFinal = (client: ServiceClient, ids: readonly string[]): Promise<BatchRecord[]> =>
    waitFor(
      async () => {
        await chain.send("evm_mine", []);
        const batches = await Promise.all(ids.map((id) => client.batch(id)));
        expect(batches.filter((b) => b.status === "failed")).toEqual([]);
        return batches.every((b) => b.status === "final") ? batches : undefined;
      },
      20_000,
      "every batch final",
    );

  /** The batch anchored by exactly one BatchAnchored event, the transaction and block its record names. */
  const expectAnchoredOnce = async (batch: BatchRecord) => {
    const events = await registryEvents(chain, registry.registry, "BatchAnchored", [batch.root]);
    expect(events.map((e) => [e.transactionHash, e.blockNumber])).toEqual([[batch.txHash, batch.blockNumber]]);
  };

  const expectBundlesValid = async (client: ServiceClient, credentialIds: readonly string[]) => {
    for (const id of credentialIds) {
      const bundle = await client.bundle(id);
      expect(bundle.status).toBe(200);
      expect((await client.verify(bundle.body)).body.verdict).toBe("valid");
    }
  };

  const nonceOfSigner = (tag: "latest" | "pending") => chain.getTransactionCount(signer, tag);

  beforeAll(async () => {
    registry = await startRegistry();
    chain = uncachedProvider(registry.chain.url, registry.chain.chainId);
    signer = new Wallet(registry.chain.privateKey(1)).address;
  });

  beforeEach(async () => {
    snapshot = (await chain.send("evm_snapshot", [])) as string;
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await proxy?.setMode("up"); // what a blackhole swallowed gets through: nothing waits on it
    await running?.close();
    running = undefined;
    await proxy?.close();
    proxy = undefined;
    await chain.send("evm_setIntervalMining", [0]);
    await setAutomine(chain, true);
    expect(await chain.send("evm_revert", [snapshot])).toBe(true);
  });

  afterAll(async () => {
    chain.destroy();
    await registry.chain.close();
  });

  describe("a transaction stuck in the mempool", () => {
    // A fee spike leaves the original far below the base fee, so fresh fees decide the replacement's;
    // in a mempool that simply does not get to it the fees are unchanged, so only the worker's
    // minimum bump makes the node take the replacement. The replacement evicts the original from
    // the node's mempool; "original" puts the original back (as a node that never saw the
    // replacement would) and mines it instead.
    it.each([
      { cause: "a base-fee spike", spike: true, winner: "replacement" },
      { cause: "a base-fee spike", spike: true, winner: "original" },
      { cause: "a slow mempool", spike: false, winner: "replacement" },
    ] as const)(
      "stuck by $cause: replaced with the same nonce and fees ≥ 110 %, only the $winner mined, never failed",
      async ({ spike, winner }) => {
        const { fx, client } = await service({ STUCK_AFTER_MS: "1000" });
        const writes = recordWrites(fx.store);
        await setAutomine(chain, false);
        const nonce = await nonceOfSigner("latest");
        const accepted = await client.submit(2);
        const first = await waitFor(async () => {
          const op = await anchorOp(fx.store, accepted.id);
          return op.status === "sent" ? op : undefined;
        });
        const original = Transaction.from(first.rawTx!);

        if (spike) {
          // The next blocks' base fee is ten times what the transaction offers: it cannot be mined.
          await chain.send("hardhat_setNextBlockBaseFeePerGas", [hex(original.maxFeePerGas! * 10n)]);
          await chain.send("evm_mine", []);
          expect(await chain.getTransactionReceipt(first.txHash)).toBeNull();
        }
        expect(await chain.getTransaction(first.txHash)).not.toBeNull();
        const second = await waitFor(
          async () => {
            const op = await anchorOp(fx.store, accepted.id);
            return op.status === "sent" && op.txHash !== first.txHash ? op : undefined;
          },
          10_000,
          "the replacement",
        );
        const replacement = Transaction.from(second.rawTx!);
        expect(replacement.nonce).toBe(original.nonce);
        expect(replacement.maxFeePerGas! * 100n).toBeGreaterThanOrEqual(original.maxFeePerGas! * 110n);
        expect(replacement.maxPriorityFeePerGas! * 100n).toBeGreaterThanOrEqual(original.maxPriorityFeePerGas! * 110n);
        expect([replacement.to, replacement.data, replacement.gasLimit]).toEqual([
          original.to,
          original.data,
          original.gasLimit,
        ]);
        expect((await client.batch(accepted.id)).status).toBe("submitted");

        if (winner === "original") {
          await fx.app.worker!.stop();
          await chain.send("hardhat_dropTransaction", [second.txHash]);
          await chain.send("hardhat_setNextBlockBaseFeePerGas", [hex(original.maxFeePerGas! / 2n)]);
          await chain.broadcastTransaction(first.rawTx!);
          fx.app.worker!.start();
        }
        const [mined, lost] = winner === "replacement" ? [second, first] : [first, second];
        const [batch] = await mineUntilFinal(client, [accepted.id]);
        expect(batch!.txHash).toBe(mined.txHash);
        await expectAnchoredOnce(batch!);
        expect(await chain.getTransactionReceipt(lost.txHash)).toBeNull();
        expect([await nonceOfSigner("latest"), await nonceOfSigner("pending")]).toEqual([nonce + 1, nonce + 1]);
        expect(failures(writes)).toEqual([]);
        // Every transaction signed for the op: one nonce, each outbidding the one before by ≥ 10%.
        const signed = writes.flatMap((w) => (w.rawTx ? [Transaction.from(w.rawTx)] : []));
        expect(signed.length).toBeGreaterThanOrEqual(2);
        for (const [i, tx] of signed.entries()) {
          expect(tx.nonce).toBe(original.nonce);
          if (i > 0) expect(tx.maxFeePerGas! * 100n).toBeGreaterThanOrEqual(signed[i - 1]!.maxFeePerGas! * 110n);
        }
        await expectBundlesValid(client, [accepted.credentials[0]!.id]);
      },
    );
  });

  describe("what the node answers to a broadcast", () => {
    type Broadcast = (raw: string) => Promise<unknown>;
    /** What ethers throws when geth answers "replacement transaction underpriced". */
    const underpriced = (raw: string) => {
      const { to, nonce, data } = Transaction.from(raw);
      return makeError("replacement fee too low", "REPLACEMENT_UNDERPRICED", {
        transaction: { from: signer, to, nonce, data },
        info: { error: { code: -32000, message: "replacement transaction underpriced" } },
      });
    };
    /** `sameBytes`: the transaction the node answered about is taken as sent and is the one mined. */
    const answers: {
      name: string;
      answer: (raw: string, real: Broadcast) => Promise<unknown>;
      said: RegExp;
      sameBytes: boolean;
    }[] = [
      {
        name: "already known (same bytes sent first)",
        answer: async (raw, real) => {
          await chain.broadcastTransaction(raw);
          return real(raw);
        },
        said: /known transaction/i,
        sameBytes: true,
      },
      {
        name: "underpriced (bytes not delivered)",
        answer: (raw) => Promise.reject(underpriced(raw)),
        said: /replacement transaction underpriced/,
        sameBytes: false,
      },
      {
        name: "underpriced (bytes delivered)",
        answer: async (raw, real) => {
          await real(raw);
          throw underpriced(raw);
        },
        said: /replacement transaction underpriced/,
        sameBytes: false,
      },
    ];

    it.each(answers)(
      "node answers $name: the op is never failed, the batch ends final, anchored once",
      async ({ answer, said, sameBytes }) => {
        const { fx, client } = await service();
        const writes = recordWrites(fx.store);
        await setAutomine(chain, false);
        const provider = fx.app.chain.provider;
        const real = provider.broadcastTransaction.bind(provider);
        const heard: string[] = [];
        let answered = "";
        vi.spyOn(provider, "broadcastTransaction").mockImplementationOnce(async (raw: string) => {
          answered = raw;
          try {
            await answer(raw, real);
          } catch (error) {
            heard.push(error instanceof Error ? error.message : String(error));
            throw error;
          }
          throw new Error("the node was expected to refuse this broadcast");
        });
        const nonce = await nonceOfSigner("latest");
        const accepted = await client.submit(2);
        await waitFor(() => Promise.resolve(heard.length > 0 ? true : undefined), 10_000, "the stubbed answer");
        expect(heard[0]).toMatch(said);

        const [batch] = await mineUntilFinal(client, [accepted.id]);
        await expectAnchoredOnce(batch!);
        expect(failures(writes)).toEqual([]);
        expect([await nonceOfSigner("latest"), await nonceOfSigner("pending")]).toEqual([nonce + 1, nonce + 1]);
        if (sameBytes) {
          // Taken for sent: never back to the queue (on a node that estimates gas on "latest", as
          // geth does, a requeued op is signed again), and the bytes the node holds are the ones mined.
          expect(writes.map((w) => w.status)).not.toContain("queued");
          expect(batch!.txHash).toBe(Transaction.from(answered).hash);
          expect((await anchorOp(fx.store, accepted.id)).attempts).toBe(1);
        }
        await expectBundlesValid(client, [accepted.credentials[1]!.id]);
      },
    );
  });

  describe("a dropped transaction (hardhat_dropTransaction)", () => {
    it("sends the batch back to pending, sends it again with the same nonce, and anchors it once", async () => {
      const { fx, client } = await service();
      await setAutomine(chain, false);
      const nonce = await nonceOfSigner("latest");
      const accepted = await client.submit(3);
      const trail: string[] = [];
      const poller = new Poller(async () => {
        const batch = await client.batch(accepted.id);
        trail.push(`${batch.status} ${batch.txHash ?? "-"}`);
      });
      poller.start();
      const sent = await waitFor(async () => {
        const op = await anchorOp(fx.store, accepted.id);
        return op.status === "sent" ? op : undefined; // broadcast, not only signed
      });
      const dropped = (await chain.getTransaction(sent.txHash))!;
      expect((await client.batch(accepted.id)).status).toBe("submitted");
      expect(await chain.send("hardhat_dropTransaction", [sent.txHash])).toBe(true);

      const resent = await waitFor(
        async () => {
          const batch = await client.batch(accepted.id);
          return batch.status === "submitted" && batch.txHash !== sent.txHash ? batch : undefined;
        },
        10_000,
        "the batch sent again",
      );
      const [batch] = await mineUntilFinal(client, [accepted.id]);
      // On a loaded machine the poller may not have sampled the final status yet: let it see it.
      await waitFor(
        () => Promise.resolve(trail.some((t) => t.startsWith("final ")) ? true : undefined),
        10_000,
        "final sampled",
      );
      await poller.stop();
      expect(poller.errors).toEqual([]);

      const statuses = collapse(trail.map((t) => t.split(" ")[0]!));
      console.log(`dropped: ${poller.samples} samples of the batch, statuses ${statuses.join(" → ")}`);
      expect(statuses, statuses.join(" → ")).toSatisfy((s: string[]) =>
        isSubsequence(["submitted", "pending", "submitted", "anchored", "final"], s),
      );
      expect(statuses).not.toContain("failed");
      expect(trail).toContain(`pending -`); // back to pending, with no transaction named
      expect(batch!.txHash).toBe(resent.txHash);
      expect((await chain.getTransaction(resent.txHash!))!.nonce).toBe(dropped.nonce);
      expect(await chain.getTransactionReceipt(sent.txHash)).toBeNull();
      await expectAnchoredOnce(batch!);
      expect(await nonceOfSigner("latest")).toBe(nonce + 1);
      expect((await anchorOp(fx.store, accepted.id)).attempts).toBe(2);
      await expectBundlesValid(
        client,
        accepted.credentials.map((c) => c.id),
      );
    });
  });

  describe("a reorg (evm_snapshot / evm_revert around the anchor)", () => {
    // "dropped": the anchor's block is lost and its transaction with it. "re-included": a node puts
    // the transaction back and it is mined in a later block. Either way the chain first grows past
    // the lost block's height, so counting confirmations from the old block number would say final.
    it.each(["dropped", "re-included"] as const)(
      "(%s) never reports the batch final, nor serves its bundle as final, before FINALITY confirmations of the block it is in",
      async (variant) => {
        const { fx, client } = await service();
        const nonce = await nonceOfSigner("latest");
        const beforeAnchor = (await chain.send("evm_snapshot", [])) as string;
        const accepted = await client.submit(3);
        const credential = accepted.credentials[1]!.id;
        const trail: string[] = [];
        const servedBlocks = new Set<number>();
        const violations: string[] = [];
        /** Whether the chain, read after the answer, backs a `final`: its tx in that block, FINALITY deep. */
        const checkFinal = async (batch: BatchRecord, head: number) => {
          if (batch.status !== "final") return;
          const receipt = await chain.getTransactionReceipt(batch.txHash!);
          const depth = receipt ? head - receipt.blockNumber + 1 : 0;
          if (!receipt || receipt.blockNumber !== batch.blockNumber || depth < FINALITY) {
            violations.push(`final with ${depth} confirmation(s) of ${batch.txHash} at block ${batch.blockNumber}`);
          }
        };
        const poller = new Poller(async () => {
          const before = await client.batch(accepted.id);
          const served = await client.bundle(credential);
          const after = await client.batch(accepted.id);
          const head = await chain.getBlockNumber();
          trail.push(before.status, after.status);
          await checkFinal(before, head);
          await checkFinal(after, head);
          if (served.status === 200) {
            // A bundle names the block of its anchoring transaction (the old and the new one differ).
            servedBlocks.add(served.body.anchor.block);
            if (before.status === "pending" && after.status === "pending")
              violations.push("bundle served while pending");
            if (after.status === "final" && served.body.anchor.block !== after.blockNumber) {
              violations.push(`bundle of block ${served.body.anchor.block} served while final in ${after.blockNumber}`);
            }
          } else if (served.status !== 409 || served.body.code !== "not-anchored-yet") {
            violations.push(`bundle answered ${served.status} ${JSON.stringify(served.body)}`);
          }
        });
        poller.start();
        const anchored = await waitFor(async () => {
          const batch = await client.batch(accepted.id);
          return batch.status === "anchored" && servedBlocks.has(batch.blockNumber!) ? batch : undefined;
        });
        const lostTx = (await chain.getTransaction(anchored.txHash!))!;
        const lostRaw = (await anchorOp(fx.store, accepted.id)).rawTx!;

        // The reorg, with the worker between passes, so that it meets the new chain whole.
        await poller.pause();
        await fx.app.worker!.stop();
        expect(await chain.send("evm_revert", [beforeAnchor])).toBe(true);
        for (let i = 0; i <= FINALITY; i++) await chain.send("evm_mine", []);
        expect(await chain.getBlockNumber()).toBeGreaterThanOrEqual(anchored.blockNumber! + FINALITY);
        expect(await chain.getTransactionReceipt(anchored.txHash!)).toBeNull();
        if (variant === "re-included") await chain.broadcastTransaction(lostRaw); // mined at once (automine)
        fx.app.worker!.start();
        poller.resume();

        const [batch] = await mineUntilFinal(client, [accepted.id]);
        await new Promise((resolve) => setTimeout(resolve, 50)); // a last sample or two of `final`
        await poller.stop();
        expect(poller.errors).toEqual([]);
        expect(violations).toEqual([]);
        console.log(
          `reorg (${variant}): ${poller.samples} samples of batch and bundle, statuses ${collapse(trail).join(" → ")}`,
        );
        const statuses = collapse(trail);
        if (variant === "dropped") {
          expect(statuses, statuses.join(" → ")).toSatisfy((s: string[]) =>
            isSubsequence(["anchored", "pending", "anchored", "final"], s),
          );
          expect(batch!.txHash).not.toBe(anchored.txHash);
          expect((await chain.getTransaction(batch!.txHash!))!.nonce).toBe(lostTx.nonce);
        } else {
          expect(statuses).toEqual(["pending", "submitted", "anchored", "final"].filter((s) => statuses.includes(s)));
          expect(batch!.txHash).toBe(anchored.txHash);
          expect(batch!.blockNumber).toBeGreaterThan(anchored.blockNumber!);
        }
        expect(statuses).not.toContain("failed");
        expect(statuses.at(-1)).toBe("final");
        await expectAnchoredOnce(batch!);
        expect(await nonceOfSigner("latest")).toBe(nonce + 1);
        const bundle = await client.bundle(credential);
        expect(bundle.body.anchor).toMatchObject({ batchId: accepted.id, block: batch!.blockNumber });
        await expectBundlesValid(
          client,
          accepted.credentials.map((c) => c.id),
        );
      },
    );
  });

  describe("an RPC outage (a proxy between the service and the chain)", () => {
    /** A bundle of a batch nobody anchored, of the trusted registry's issuer: `not-anchored` when the chain answers. */
    const neverAnchored = (like: Bundle): Bundle => {
      const { chainId, registry, issuerId, block } = like.anchor;
      const batch = prepareBatch([sampleCredential(7)], { chainId, registry, issuerId, batchId: newBatchId() });
      return bundleFor(batch, 0, block);
    };

    const MODES = ["refuse", "reset", "bad-gateway", "rpc-error", "blackhole"] as const satisfies readonly ProxyMode[];

    it.each(MODES)(
      "(%s) answers 503 chain-unavailable in bounded time, keeps accepting batches as pending, and anchors each once when the chain is back",
      async (mode) => {
        proxy = await RpcProxy.start(registry.chain.url);
        const { fx, client } = await service({ RPC_URL: proxy.url });
        await chain.send("evm_setIntervalMining", [100]);
        const nonce = await nonceOfSigner("latest");
        const early = await client.submit(2);
        await waitFor(async () => ((await client.batch(early.id)).status === "final" ? true : undefined));
        const anchoredBundle = (await client.bundle(early.credentials[0]!.id)).body;
        const stranger = neverAnchored(anchoredBundle);
        expect((await client.verify(anchoredBundle)).body.verdict).toBe("valid");
        expect((await client.verify(stranger)).body.verdict).toBe("not-anchored");

        await proxy.setMode(mode);
        // Asked all at once: a chain that never answers costs /v1/verify its 10 s chain timeout and
        // /ready its 3 s one, never more; a refusing one costs nothing.
        const [verdicts, ready, health] = await within(
          Promise.all([
            Promise.all([anchoredBundle, stranger].map((b) => client.verify(b))),
            client.http<{ code: string; database: string; chain: string }>({ url: "/ready" }),
            client.http({ url: "/health" }),
          ]),
          12_000,
          "the answers while the chain is down",
        );
        for (const res of verdicts) {
          expect(res.status).toBe(503);
          expect(res.body).toMatchObject({ code: "chain-unavailable", verdict: "chain-unavailable" });
        }
        expect(ready.status).toBe(503);
        expect(ready.body).toMatchObject({ code: "not-ready", database: "ok" });
        expect(ready.body.chain).not.toBe("ok");
        expect(health.status).toBe(200);

        // The signer's issuer is known from before the outage: no submission waits on the silent chain.
        const queued = await within(
          Promise.all([client.submit(1), client.submit(2), client.submit(3)]),
          2_000,
          "POST /v1/batches while the chain is down",
        );
        expect(queued.map((q) => q.status)).toEqual(["pending", "pending", "pending"]);
        await new Promise((resolve) => setTimeout(resolve, 6 * WORKER_INTERVAL_MS)); // several passes
        const during = await Promise.all(queued.map((q) => client.batch(q.id)));
        expect(during.map((b) => [b.status, b.txHash])).toEqual(queued.map(() => ["pending", null]));
        const ops = await Promise.all(queued.map((q) => anchorOp(fx.store, q.id)));
        expect(ops.map((o) => [o.status, o.attempts])).toEqual(queued.map(() => ["queued", 0]));
        expect(await nonceOfSigner("pending")).toBe(nonce + 1);

        await proxy.setMode("up");
        const batches = await waitFor(
          async () => {
            const all = await Promise.all(queued.map((q) => client.batch(q.id)));
            expect(all.filter((b) => b.status === "failed")).toEqual([]);
            return all.every((b) => b.status === "final") ? all : undefined;
          },
          20_000,
          "the queued batches final",
        );
        for (const batch of batches) await expectAnchoredOnce(batch);
        expect(await nonceOfSigner("latest")).toBe(nonce + 1 + queued.length);
        await expectBundlesValid(
          client,
          queued.map((q) => q.credentials[0]!.id),
        );
        expect((await client.http({ url: "/ready" })).status).toBe(200);
      },
    );

    it("(refuse, from the start) accepts a batch with 202 although the signer's issuer was never looked up", async () => {
      proxy = await RpcProxy.start(registry.chain.url);
      await proxy.setMode("refuse");
      const { client } = await service({ RPC_URL: proxy.url });
      const accepted = await within(client.submit(2), 5_000, "POST /v1/batches while the chain refuses");
      expect(accepted.status).toBe("pending");
    });

    // Regression: the signer's issuer-id lookup before accepting a batch once had no timeout, so a
    // silent chain held POST /v1/batches for the provider's own timeout (300 s).
    it("(blackhole, from the start) accepts a batch with 202 within 5 s", async () => {
      proxy = await RpcProxy.start(registry.chain.url);
      await proxy.setMode("blackhole");
      const { client } = await service({ RPC_URL: proxy.url });
      const accepted = await within(client.submit(2), 5_000, "POST /v1/batches while the chain never answers");
      expect(accepted.status).toBe("pending");
    });
  });
});
