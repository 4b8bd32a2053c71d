import { type JsonRpcProvider, Transaction } from "ethers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  batchIdToBytes16,
  bundleFor,
  type CredrootError,
  type Hex32,
  RegistryClient,
  registryInterface,
  verifyBundle,
} from "../../src";
import type { BatchRecord, OpRecord, OpUpdate } from "../../server/store/types";
import { LOG_WINDOW } from "../../server/outbox/outbox";
import {
  closedPort,
  networkError,
  type QueuedBatch,
  queueBatch,
  registryEvents,
  setAutomine,
  uncachedProvider,
  type WorkerHarness,
  workerOn,
} from "../support/anchoring";
import { type ServiceFixture, startService } from "../support/service";

const FINALITY = 2;
const GWEI = 10n ** 9n;

describe("AnchorWorker", () => {
  let fx: ServiceFixture;
  let chain: JsonRpcProvider;
  let harnesses: WorkerHarness[];

  /** A worker on the fixture (see workerOn), destroyed after the test. */
  const harness = (options: Parameters<typeof workerOn>[1] = {}): WorkerHarness => {
    const h = workerOn(fx, options);
    harnesses.push(h);
    return h;
  };
  const opOf = async (id: number): Promise<OpRecord> => (await fx.store.getOp(id))!;
  const batchOf = async (q: QueuedBatch): Promise<BatchRecord> => (await fx.store.getBatch(q.batch.id))!;
  const anchors = (root: string) => registryEvents(chain, fx.registry, "BatchAnchored", [root]);
  const sentBy = (address: string) => chain.getTransactionCount(address, "pending");
  const credentialRevokedAt = (issuerId: number, digest: Hex32) =>
    new RegistryClient(fx.registry, chain).contract
      .getFunction("credentialRevokedAt")
      .staticCall(issuerId, digest) as Promise<bigint>;
  const ticks = async (h: WorkerHarness, n: number, mine = false) => {
    for (let i = 0; i < n; i++) {
      await h.worker.tick();
      if (mine) await fx.mine();
    }
  };
  /** The digest of credential `i` of a queued batch: what `revokeCredential` takes. */
  const digestOf = (q: QueuedBatch, i: number): Hex32 => q.prepared.credentials[i]!.digest;

  /**
   * Watches every write of the outbox: the op statuses written in order, and any `final` written
   * while the op's transaction had fewer than FINALITY confirmations (or no receipt at all).
   */
  const watchUpdates = () => {
    const original = fx.store.updateOp.bind(fx.store);
    const statuses: (string | undefined)[] = [];
    const earlyFinals: string[] = [];
    vi.spyOn(fx.store, "updateOp").mockImplementation(async (id: number, update: OpUpdate) => {
      statuses.push(update.status);
      if (update.status === "final") {
        const op = await opOf(id);
        const receipt = await chain.getTransactionReceipt(op.txHash!);
        const confirmations = receipt ? (await chain.getBlockNumber()) - receipt.blockNumber + 1 : 0;
        if (confirmations < FINALITY) earlyFinals.push(`op ${id}: ${confirmations} confirmation(s)`);
      }
      return original(id, update);
    });
    return { statuses, earlyFinals };
  };

  beforeEach(async () => {
    fx = await startService({ worker: false });
    chain = uncachedProvider(fx.chain.url, fx.chain.chainId);
    harnesses = [];
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    await setAutomine(chain, true);
    for (const h of harnesses) h.provider.destroy();
    chain.destroy();
    await fx.close();
  });

  describe("the life of an anchor op", () => {
    it("moves queued → signed → sent → mined → final, and final only after FINALITY confirmations", async () => {
      const q = await queueBatch(fx, { size: 3, uri: "https://uni.test/b/1" });
      const h = harness();
      const watch = watchUpdates();
      expect(q.op).toMatchObject({ kind: "anchor", status: "queued", attempts: 0, txHash: null });

      await h.worker.tick();
      expect(watch.statuses).toEqual(["signed", "sent"]); // recorded signed before broadcasting
      const sent = await opOf(q.op.id);
      expect(sent).toMatchObject({ status: "sent", attempts: 1 });
      expect(Transaction.from(sent.rawTx!).hash).toBe(sent.txHash);
      expect(await batchOf(q)).toMatchObject({ status: "submitted", txHash: sent.txHash, blockNumber: null });

      await h.worker.tick();
      const receipt = (await chain.getTransactionReceipt(sent.txHash!))!;
      expect(await opOf(q.op.id)).toMatchObject({
        status: "mined",
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
      });
      expect(await batchOf(q)).toMatchObject({
        status: "anchored",
        txHash: sent.txHash,
        blockNumber: receipt.blockNumber,
      });

      await h.worker.tick(); // one confirmation: not final yet
      expect((await opOf(q.op.id)).status).toBe("mined");
      await fx.mine();
      await h.worker.tick();
      expect((await opOf(q.op.id)).status).toBe("final");
      expect(await batchOf(q)).toMatchObject({
        status: "final",
        txHash: sent.txHash,
        blockNumber: receipt.blockNumber,
      });
      expect(watch.statuses).toEqual(["signed", "sent", "mined", "final"]);
      expect(watch.earlyFinals).toEqual([]);

      const events = await anchors(q.root);
      expect(events).toHaveLength(1);
      expect(events[0]!.transactionHash).toBe(sent.txHash);
      const args = registryInterface.parseLog(events[0]!)!.args.toArray();
      expect(args).toEqual([
        BigInt(fx.issuerId),
        batchIdToBytes16(q.batch.id),
        q.root,
        h.wallet.address,
        3n,
        "https://uni.test/b/1",
      ]);
      const tx = (await chain.getTransaction(sent.txHash!))!;
      expect(tx.nonce).toBe(sent.nonce);
      expect(registryInterface.parseTransaction({ data: tx.data })?.name).toBe("anchor");
    });

    it("shares one pass between concurrent ticks: one transaction", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const before = await sentBy(h.wallet.address);
      await Promise.all([h.worker.tick(), h.worker.tick(), h.worker.tick()]);
      expect(await opOf(q.op.id)).toMatchObject({ status: "sent", attempts: 1 });
      expect(await sentBy(h.wallet.address)).toBe(before + 1);
    });
  });

  describe("a crash after signing, before broadcasting", () => {
    it("broadcasts the recorded transaction on the next pass: same hash, one anchor", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const nonce = await sentBy(h.wallet.address);
      vi.spyOn(h.provider, "broadcastTransaction").mockRejectedValueOnce(networkError());

      await expect(h.worker.tick()).resolves.toBeUndefined();
      const signed = await opOf(q.op.id);
      expect(signed).toMatchObject({ status: "signed", nonce, attempts: 1 });
      expect(await chain.getTransaction(signed.txHash!)).toBeNull(); // never reached the chain
      expect(await batchOf(q)).toMatchObject({ status: "submitted", txHash: signed.txHash });
      expect(h.log.entries.some((e) => e.level === "warn" && e.msg === "chain operation deferred")).toBe(true);

      await ticks(h, 2);
      expect(await opOf(q.op.id)).toMatchObject({ status: "mined", txHash: signed.txHash, nonce, attempts: 1 });
      expect((await batchOf(q)).status).toBe("anchored");
      expect(await anchors(q.root)).toHaveLength(1);
      expect(await sentBy(h.wallet.address)).toBe(nonce + 1);
    });
  });

  describe("a crash after broadcasting, before recording `sent`", () => {
    /** The broadcast reaches the chain but the worker never hears back (it died). */
    const loseTheAnswer = (h: WorkerHarness) =>
      vi.spyOn(h.provider, "broadcastTransaction").mockImplementationOnce(async (raw: string) => {
        await chain.broadcastTransaction(raw);
        throw networkError();
      });

    it('adopts its own transaction once it is mined ("nonce too low"): no second anchor', async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const nonce = await sentBy(h.wallet.address);
      loseTheAnswer(h);
      await h.worker.tick();
      const signed = await opOf(q.op.id);
      expect(signed.status).toBe("signed");
      expect((await chain.getTransactionReceipt(signed.txHash!))?.status).toBe(1); // mined meanwhile

      await ticks(h, 2);
      expect(await opOf(q.op.id)).toMatchObject({ status: "mined", txHash: signed.txHash, attempts: 1 });
      expect((await batchOf(q)).status).toBe("anchored");
      expect(await anchors(q.root)).toHaveLength(1);
      expect(await sentBy(h.wallet.address)).toBe(nonce + 1);
    });

    it('takes "known transaction" for sent while its transaction waits in the mempool', async () => {
      const q = await queueBatch(fx);
      const h = harness();
      await setAutomine(chain, false);
      loseTheAnswer(h);
      await h.worker.tick();
      const signed = await opOf(q.op.id);
      expect(signed.status).toBe("signed");
      expect(await chain.getTransaction(signed.txHash!)).not.toBeNull(); // pending

      await h.worker.tick();
      expect((await opOf(q.op.id)).status).toBe("sent");
      await fx.mine();
      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({ status: "mined", txHash: signed.txHash, attempts: 1 });
      expect(await anchors(q.root)).toHaveLength(1);
    });
  });

  describe("a dropped transaction", () => {
    it("sends its op back to queued (batch pending), then anchors it once", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      await setAutomine(chain, false);
      await h.worker.tick();
      const sent = await opOf(q.op.id);
      expect(sent.status).toBe("sent");
      expect(await chain.send("hardhat_dropTransaction", [sent.txHash])).toBe(true);

      await h.worker.tick();
      // The dropped raw transaction is kept: the next one must outbid it should it resurface.
      expect(await opOf(q.op.id)).toMatchObject({ status: "queued", txHash: null, nonce: null, rawTx: sent.rawTx });
      expect(await batchOf(q)).toMatchObject({ status: "pending", txHash: null, blockNumber: null });

      await setAutomine(chain, true);
      await ticks(h, 2);
      expect(await opOf(q.op.id)).toMatchObject({ status: "mined", attempts: 2 });
      expect((await batchOf(q)).status).toBe("anchored");
      expect(await anchors(q.root)).toHaveLength(1);
    });

    // Regression (server/outbox, nextNonce): the next nonce is the largest of the chain's pending count
    // and (every in-flight op's nonce + 1). When the dropped transaction had the lowest of several
    // in-flight nonces (n dropped, n+1 and n+2 still in the mempool), its op is signed again with
    // n+3: nonce n is never used, so n+1, n+2 and n+3 can never be mined, and the worker waits on
    // them for ever (they are still known to the node, so never requeued). Expected: the requeued op
    // takes the free nonce n.
    it("re-sends a dropped transaction below others in flight with a nonce that lets all be mined", async () => {
      const queued = [await queueBatch(fx), await queueBatch(fx), await queueBatch(fx)];
      const h = harness();
      await setAutomine(chain, false);
      await h.worker.tick();
      const lowest = await opOf(queued[0]!.op.id);
      await chain.send("hardhat_dropTransaction", [lowest.txHash]);
      await ticks(h, 6, true);
      for (const q of queued) {
        expect((await batchOf(q)).status).not.toBe("submitted");
        expect(await anchors(q.root)).toHaveLength(1);
      }
    });
  });

  describe("a reorg", () => {
    it("requeues an op whose transaction was reorged out, and anchors it again — never final on the lost block", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const watch = watchUpdates();
      const snapshot = (await chain.send("evm_snapshot", [])) as string;
      await ticks(h, 2);
      const lost = await opOf(q.op.id);
      expect(lost.status).toBe("mined");

      expect(await chain.send("evm_revert", [snapshot])).toBe(true);
      await fx.mine(3); // the chain moves past the lost block's height: its confirmations must not count
      expect(await chain.getTransactionReceipt(lost.txHash!)).toBeNull();
      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({ status: "queued", txHash: null });
      expect(await batchOf(q)).toMatchObject({ status: "pending", txHash: null });

      await ticks(h, 3);
      const again = await opOf(q.op.id);
      expect(again).toMatchObject({ status: "mined", attempts: 2 });
      await fx.mine();
      await h.worker.tick();
      expect((await opOf(q.op.id)).status).toBe("final");
      expect(await batchOf(q)).toMatchObject({ status: "final", txHash: again.txHash, blockNumber: again.blockNumber });
      expect(watch.earlyFinals).toEqual([]);
      const events = await anchors(q.root);
      expect(events.map((e) => e.transactionHash)).toEqual([again.txHash]);
    });

    it("follows its transaction into another block and counts confirmations from there", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const watch = watchUpdates();
      const snapshot = (await chain.send("evm_snapshot", [])) as string;
      await ticks(h, 2);
      const first = await opOf(q.op.id);
      await chain.send("evm_revert", [snapshot]);
      await fx.mine(); // another block at the old height
      await chain.broadcastTransaction(first.rawTx!); // the same transaction, mined one block later
      const receipt = (await chain.getTransactionReceipt(first.txHash!))!;
      expect(receipt.blockHash).not.toBe(first.blockHash);

      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({
        status: "mined",
        txHash: first.txHash,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        attempts: 1,
      });
      expect((await batchOf(q)).blockNumber).toBe(receipt.blockNumber);
      await h.worker.tick();
      expect((await opOf(q.op.id)).status).toBe("mined");
      await fx.mine();
      await h.worker.tick();
      expect((await opOf(q.op.id)).status).toBe("final");
      expect(watch.earlyFinals).toEqual([]);
      expect(await anchors(q.root)).toHaveLength(1);
    });

    // Regression (server/outbox, checkFinal + send): real nodes put a reorged-out transaction back into
    // their mempool. checkFinal requeues on a missing receipt without asking whether the node still
    // holds the transaction (checkSent does ask), then send() estimates gas against the pending
    // state, where our own pending anchor makes the estimate revert BatchAlreadyAnchored, and a
    // revert at estimation fails the op with no adoption check. The batch ends "failed" while the
    // original transaction anchors its root for this issuer a block later.
    it("keeps an op whose reorged-out transaction is back in the mempool, and ends mined", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const snapshot = (await chain.send("evm_snapshot", [])) as string;
      await ticks(h, 2);
      const first = await opOf(q.op.id);
      await chain.send("evm_revert", [snapshot]);
      await setAutomine(chain, false);
      await chain.broadcastTransaction(first.rawTx!); // back in the mempool, as after a real reorg

      await ticks(h, 2);
      await fx.mine();
      await ticks(h, 2);
      expect(await anchors(q.root)).toHaveLength(1);
      expect((await opOf(q.op.id)).status).toBe("mined");
      expect((await batchOf(q)).status).toBe("anchored");
    });
  });

  describe("adoption of what the chain already holds", () => {
    it("adopts a root this issuer anchored without the worker: mined with that transaction, none sent", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const direct = await fx.issuer.anchor(q.batch.id, q.root, q.batch.count);
      const before = await sentBy(h.wallet.address);

      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({
        status: "mined",
        txHash: direct.txHash,
        blockNumber: direct.blockNumber,
        attempts: 0,
        error: null,
      });
      expect(await batchOf(q)).toMatchObject({ status: "anchored", txHash: direct.txHash, error: null });
      expect(await sentBy(h.wallet.address)).toBe(before);
      await fx.mine();
      await h.worker.tick();
      expect((await batchOf(q)).status).toBe("final");
      expect(await anchors(q.root)).toHaveLength(1);
    });

    it("finds a root anchored thousands of blocks back, asking for one window of blocks at a time", async () => {
      const q = await queueBatch(fx);
      const deployedAt = await chain.getBlockNumber();
      const direct = await fx.issuer.anchor(q.batch.id, q.root, q.batch.count);
      await chain.send("hardhat_mine", [`0x${(2 * LOG_WINDOW + 500).toString(16)}`]);
      const h = harness({ fromBlock: deployedAt });
      const asked: { fromBlock: number; toBlock: number }[] = [];
      const getLogs = h.provider.getLogs.bind(h.provider);
      vi.spyOn(h.provider, "getLogs").mockImplementation((filter) => {
        asked.push(filter as { fromBlock: number; toBlock: number });
        return getLogs(filter);
      });

      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({ status: "mined", txHash: direct.txHash, attempts: 0 });
      expect(asked.length).toBeGreaterThanOrEqual(3);
      for (const { fromBlock, toBlock } of asked) {
        expect(toBlock - fromBlock + 1).toBeLessThanOrEqual(LOG_WINDOW);
        expect(fromBlock).toBeGreaterThanOrEqual(deployedAt);
      }
      // Newest first: each window ends where the one before began.
      asked.slice(1).forEach((w, i) => expect(w.toBlock).toBe(asked[i]!.fromBlock - 1));
    });

    it("signs again when another transaction took its nonce, then adopts the root that one anchored", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      vi.spyOn(h.provider, "broadcastTransaction").mockRejectedValueOnce(networkError());
      await h.worker.tick();
      const signed = await opOf(q.op.id);
      expect(signed.status).toBe("signed");
      const direct = await fx.issuer.anchor(q.batch.id, q.root, q.batch.count); // same account, same nonce
      const after = await sentBy(h.wallet.address);

      await h.worker.tick(); // "nonce has already been used" and no receipt of ours: queued again
      expect(await opOf(q.op.id)).toMatchObject({ status: "queued", txHash: null });
      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({ status: "mined", txHash: direct.txHash });
      expect((await batchOf(q)).status).toBe("anchored");
      expect(await sentBy(h.wallet.address)).toBe(after);
      expect(await anchors(q.root)).toHaveLength(1);
    });

    // Regression (issue 11, front-running): in v1 any accredited issuer could copy a pending root
    // from the mempool and anchor it first; the victim's op then failed ("root already anchored by
    // issuer N") and the root belonged to the attacker. Batches are namespaced per issuer now.
    it("anchors its batch even when another issuer anchored the same root and batch id first", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      const otherSigner = await fx.chain.signer(2);
      const { issuerId: other } = await fx.accreditor.registerIssuer(
        "Other College",
        "https://other.test",
        otherSigner.address,
      );
      const theirs = await new RegistryClient(fx.registry, otherSigner).anchor(q.batch.id, q.root, q.batch.count);

      await ticks(h, 2);
      const op = await opOf(q.op.id);
      expect(op).toMatchObject({ status: "mined", attempts: 1, error: null });
      expect(op.txHash).not.toBe(theirs.txHash);
      await fx.mine();
      await h.worker.tick();
      expect(await batchOf(q)).toMatchObject({ status: "final", txHash: op.txHash, error: null });
      const events = await anchors(q.root);
      expect(events.map((e) => registryInterface.parseLog(e)!.args[0] as bigint)).toEqual([
        BigInt(other),
        BigInt(fx.issuerId),
      ]);
      // The copy under the other issuer verifies as nothing: every leaf is bound to this issuer.
      const bundle = bundleFor(q.prepared, 0, op.blockNumber!);
      expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("valid");
      const copied = { ...bundle, anchor: { ...bundle.anchor, issuerId: other, block: theirs.blockNumber } };
      expect((await verifyBundle(copied, { chains: fx.trusted })).verdict).not.toBe("valid");
    });
  });

  describe("reverts", () => {
    it("fails an op the registry refuses at estimation, with the revert's name (IssuerInactive)", async () => {
      await fx.accreditor.setIssuerActive(fx.issuerId, false);
      const q = await queueBatch(fx);
      const h = harness();
      const before = await sentBy(h.wallet.address);
      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({ status: "failed", error: "IssuerInactive", txHash: null });
      expect(await batchOf(q)).toMatchObject({ status: "failed", error: "IssuerInactive" });
      expect(await sentBy(h.wallet.address)).toBe(before);
      expect(h.log.entries.some((e) => e.level === "error" && e.msg === "chain operation failed")).toBe(true);
      await ticks(h, 2, true); // failed is terminal
      expect((await opOf(q.op.id)).status).toBe("failed");
    });

    // Regression (server/outbox, revertReason): a transaction that passed estimation but reverted when
    // mined is replayed with eth_call at `blockNumber - 1`, i.e. before the transactions that
    // preceded it in its own block. When one of those caused the revert (the usual reason a
    // transaction that estimated fine reverts), the replay succeeds and the op fails with
    // "chain call failed: transaction reverted without a reason" (code CHAIN_UNAVAILABLE) instead
    // of the decoded IssuerInactive.
    it("fails an op that reverted when mined with the revert's name", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      await setAutomine(chain, false);
      await h.worker.tick();
      const sent = await opOf(q.op.id);
      // The accreditor's deactivation is ordered first in the same block (higher tip).
      await fx.accreditor.contract
        .getFunction("setIssuerActive")
        .send(fx.issuerId, false, { maxPriorityFeePerGas: 50n * GWEI, maxFeePerGas: 500n * GWEI });
      await fx.mine();
      expect((await chain.getTransactionReceipt(sent.txHash!))?.status).toBe(0);

      await h.worker.tick();
      expect(await opOf(q.op.id)).toMatchObject({ status: "failed", error: "IssuerInactive" });
    });
  });

  describe("an RPC outage", () => {
    it("changes nothing while the chain cannot be reached, and a later pass anchors", async () => {
      const q = await queueBatch(fx);
      const down = harness({ url: `http://127.0.0.1:${await closedPort()}` });
      await expect(down.worker.tick()).resolves.toBeUndefined(); // the adoption lookup fails
      expect(down.log.entries.map((e) => e.msg)).toContain("chain operation deferred");
      expect(down.log.entries.map((e) => e.msg)).not.toContain("chain operation failed");
      expect(await opOf(q.op.id)).toEqual(q.op);
      expect(await batchOf(q)).toEqual(q.batch);

      await ticks(harness(), 2);
      expect((await batchOf(q)).status).toBe("anchored");
      expect(await anchors(q.root)).toHaveLength(1);
    });

    it("keeps a sent op sent while the chain cannot be reached", async () => {
      const q = await queueBatch(fx);
      await setAutomine(chain, false);
      await harness().worker.tick();
      const sent = await opOf(q.op.id);
      const down = harness({ url: `http://127.0.0.1:${await closedPort()}` });
      await down.worker.tick();
      expect(await opOf(q.op.id)).toEqual(sent);
    });
  });

  describe("revocations", () => {
    /** Two batches anchored (mined) by the worker. */
    const anchoredPair = async (h: WorkerHarness) => {
      const a = await queueBatch(fx, { size: 3 });
      const b = await queueBatch(fx, { size: 2 });
      await ticks(h, 2);
      expect((await batchOf(a)).status).toBe("anchored");
      expect((await batchOf(b)).status).toBe("anchored");
      return { a, b };
    };

    it("revokes a credential and a batch on chain, and records both once mined", async () => {
      const h = harness();
      const { a, b } = await anchoredPair(h);
      const signer = h.wallet.address;
      const digest = digestOf(a, 1);
      const revokeOne = await fx.store.enqueueOp({
        kind: "revoke-credential",
        batchId: a.batch.id,
        credentialId: a.credentialIds[1]!,
        signer,
        reason: "issued in error",
      });
      const revokeAll = await fx.store.enqueueOp({
        kind: "revoke-batch",
        batchId: b.batch.id,
        credentialId: null,
        signer,
        reason: "course withdrawn",
      });

      await h.worker.tick();
      expect((await opOf(revokeOne.id)).status).toBe("sent");
      expect((await opOf(revokeAll.id)).status).toBe("sent");
      expect((await fx.store.getCredential(a.credentialIds[1]!))!.revokedReason).toBeNull(); // not before mined
      await h.worker.tick();
      expect((await opOf(revokeOne.id)).status).toBe("mined");
      expect((await opOf(revokeAll.id)).status).toBe("mined");
      expect((await fx.store.getCredential(a.credentialIds[1]!))!.revokedReason).toBe("issued in error");
      expect((await fx.store.getCredential(a.credentialIds[0]!))!.revokedReason).toBeNull();
      expect(await batchOf(b)).toMatchObject({ status: "revoked", revokedReason: "course withdrawn" });

      const registry = new RegistryClient(fx.registry, chain);
      expect((await registry.getBatch(fx.issuerId, b.batch.id, b.root)).revokedAt).toBeGreaterThan(0);
      expect((await registry.getBatch(fx.issuerId, a.batch.id, a.root)).revokedAt).toBe(0);
      expect(await credentialRevokedAt(fx.issuerId, digest)).toBeGreaterThan(0n);
      expect(await registryEvents(chain, fx.registry, "CredentialRevoked", [fx.issuerId, digest])).toHaveLength(1);
      const batchTopic = [fx.issuerId, batchIdToBytes16(b.batch.id)];
      expect(await registryEvents(chain, fx.registry, "BatchRevoked", batchTopic)).toHaveLength(1);

      await fx.mine(FINALITY);
      await h.worker.tick();
      expect((await opOf(revokeOne.id)).status).toBe("final");
      expect((await batchOf(a)).status).toBe("final");
      expect((await batchOf(b)).status).toBe("revoked"); // its anchor going final does not undo that

      const chains = fx.trusted;
      const verdict = async (q: QueuedBatch, i: number) =>
        (await verifyBundle(bundleFor(q.prepared, i, (await batchOf(q)).blockNumber!), { chains })).verdict;
      expect(await verdict(a, 1)).toBe("revoked");
      expect(await verdict(a, 0)).toBe("valid");
      expect(await verdict(b, 0)).toBe("revoked");
    });

    it("adopts revocations the chain already holds, sending nothing", async () => {
      const h = harness();
      const { a, b } = await anchoredPair(h);
      const one = await fx.issuer.revokeCredential(digestOf(a, 0), "by hand");
      const all = await fx.issuer.revokeBatch(b.batch.id, "by hand");
      const signer = h.wallet.address;
      const ops = [
        await fx.store.enqueueOp({
          kind: "revoke-credential",
          batchId: a.batch.id,
          credentialId: a.credentialIds[0]!,
          signer,
          reason: "by hand",
        }),
        await fx.store.enqueueOp({
          kind: "revoke-batch",
          batchId: b.batch.id,
          credentialId: null,
          signer,
          reason: "by hand",
        }),
      ];
      const before = await sentBy(signer);
      await h.worker.tick();
      expect(await opOf(ops[0]!.id)).toMatchObject({ status: "mined", txHash: one.txHash });
      expect(await opOf(ops[1]!.id)).toMatchObject({ status: "mined", txHash: all.txHash });
      expect((await fx.store.getCredential(a.credentialIds[0]!))!.revokedReason).toBe("by hand");
      expect((await batchOf(b)).status).toBe("revoked");
      expect(await sentBy(signer)).toBe(before);
    });

    // Regression (server/outbox, markMined): the op is written `mined` in one store call and the
    // credential (or batch) is marked revoked in a second one. A crash between the two leaves the
    // op mined and the credential not revoked, and nothing repairs it: the op goes on to final,
    // the service keeps listing the credential as not revoked, and a second revocation request is
    // refused as "already-requested". (Simulated here by the second write failing once.)
    it("records a mined credential revocation even if the process died between the two writes", async () => {
      const h = harness();
      const { a } = await anchoredPair(h);
      const op = await fx.store.enqueueOp({
        kind: "revoke-credential",
        batchId: a.batch.id,
        credentialId: a.credentialIds[0]!,
        signer: h.wallet.address,
        reason: "issued in error",
      });
      vi.spyOn(fx.store, "setCredentialRevoked").mockRejectedValueOnce(new Error("process killed"));
      await ticks(h, 4, true);
      expect((await opOf(op.id)).status).toBe("final");
      expect((await fx.store.getCredential(a.credentialIds[0]!))!.revokedReason).toBe("issued in error");
    });
  });

  // Regression (issue 11, signer reuse): in v1, once issuer A removed a signer, another issuer
  // could add that address, and A's service, still holding the key, anchored A's next batches as
  // the other issuer and reported them final; a revocation queued on an instance whose signer
  // served another issuer answered 202 and never reached the chain. The registry now refuses to
  // rebind an address, and the worker fails, visibly, every op its key may not send.
  describe("the signer", () => {
    const revertOf = (promise: Promise<unknown>) => promise.then(() => null).catch((e: unknown) => e as CredrootError);
    /** Issuer C ("Diploma Mill"), its signer account `account`. */
    const otherIssuer = async (account = 2) => {
      const signer = await fx.chain.signer(account);
      const { issuerId } = await fx.accreditor.registerIssuer("Diploma Mill", "https://mill.test", signer.address);
      return { issuerId, signer, client: new RegistryClient(fx.registry, signer) };
    };
    const batchBody = async (q: QueuedBatch) => {
      const res = await fx.app.inject({ url: `/v1/batches/${q.batch.id}`, headers: fx.auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ status: string; error: string | null }>();
    };

    it("fails the queued ops of an issuer that removed its signer, sends nothing, and keeps them failed", async () => {
      const h = harness();
      const address = h.wallet.address;
      const anchored = await queueBatch(fx);
      await ticks(h, 2);
      expect((await batchOf(anchored)).status).toBe("anchored");
      await fx.accreditor.removeSigner(fx.issuerId, address);
      // Nobody can take the removed key over: the registry binds an address to one issuer for ever.
      const mill = await otherIssuer();
      const taken = await revertOf(mill.client.addSigner(mill.issuerId, address));
      expect(taken).toMatchObject({ code: "CONTRACT_REVERT", revert: { name: "SignerAlreadyAssigned" } });
      expect(await revertOf(fx.accreditor.registerIssuer("Mill II", "", address))).toMatchObject({
        revert: { name: "SignerAlreadyAssigned" },
      });

      const q = await queueBatch(fx);
      const revoke = await fx.store.enqueueOp({
        kind: "revoke-credential",
        batchId: anchored.batch.id,
        credentialId: anchored.credentialIds[0]!,
        signer: address,
        reason: "issued in error",
      });
      const before = await sentBy(address);
      await ticks(h, 3, true);

      const reason = `signer ${address} no longer signs for issuer ${fx.issuerId} (it was removed)`;
      expect(await opOf(q.op.id)).toMatchObject({ status: "failed", error: reason, txHash: null, attempts: 0 });
      expect(await batchOf(q)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await batchBody(q)).toMatchObject({ status: "failed", error: reason });
      expect(await opOf(revoke.id)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect((await fx.store.getCredential(anchored.credentialIds[0]!))!.revokedReason).toBeNull();
      expect(await credentialRevokedAt(fx.issuerId, digestOf(anchored, 0))).toBe(0n);
      expect(await sentBy(address)).toBe(before);
      expect(await anchors(q.root)).toEqual([]);
      expect(h.log.entries.filter((e) => e.level === "error" && e.msg === "chain operation failed")).toHaveLength(2);
    });

    it("fails, rather than anchors as another issuer, a batch its key does not sign for", async () => {
      const mill = await otherIssuer();
      const h = harness({ account: 2 }); // a service configured with the other issuer's key
      const q = await queueBatch(fx, { signer: h.wallet.address });
      const before = await sentBy(h.wallet.address);
      await ticks(h, 2, true);

      const reason = `signer ${h.wallet.address} no longer signs for issuer ${fx.issuerId} (it is bound to issuer ${mill.issuerId})`;
      expect(await opOf(q.op.id)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await batchBody(q)).toMatchObject({ status: "failed", error: reason });
      expect(await sentBy(h.wallet.address)).toBe(before);
      expect(await anchors(q.root)).toEqual([]);
      const registry = new RegistryClient(fx.registry, chain);
      expect((await registry.getBatch(mill.issuerId, q.batch.id, q.root)).anchoredAt).toBe(0);
    });

    it("ends a revocation queued on an instance whose signer serves another issuer failed, saying why", async () => {
      const mine = harness();
      const a = await queueBatch(fx);
      await ticks(mine, 2);
      const mill = await otherIssuer();
      const theirs = harness({ account: 2, instanceId: "mill-instance" });
      const signer = theirs.wallet.address;
      const ops = [
        await fx.store.enqueueOp({
          kind: "revoke-credential",
          batchId: a.batch.id,
          credentialId: a.credentialIds[1]!,
          signer,
          reason: "issued in error",
        }),
        await fx.store.enqueueOp({
          kind: "revoke-batch",
          batchId: a.batch.id,
          credentialId: null,
          signer,
          reason: "x",
        }),
      ];
      const before = await sentBy(signer);
      await ticks(theirs, 2, true);

      const reason = `signer ${signer} no longer signs for issuer ${fx.issuerId} (it is bound to issuer ${mill.issuerId})`;
      for (const op of ops) expect(await opOf(op.id)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await sentBy(signer)).toBe(before);
      for (const issuerId of [fx.issuerId, mill.issuerId]) {
        expect(await credentialRevokedAt(issuerId, digestOf(a, 1))).toBe(0n);
      }
      expect((await fx.store.getCredential(a.credentialIds[1]!))!.revokedReason).toBeNull();
      expect((await batchOf(a)).status).toBe("anchored");
      await mine.worker.tick();
      expect((await batchOf(a)).status).toBe("final"); // its own signer's work is untouched
    });

    it("fails a transaction that reverted because its signer was removed meanwhile with the reason in words", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      await setAutomine(chain, false);
      await h.worker.tick();
      const sent = await opOf(q.op.id);
      expect(sent.status).toBe("sent");
      // The removal is ordered first in the same block (higher tip).
      await fx.accreditor.contract
        .getFunction("removeSigner")
        .send(fx.issuerId, h.wallet.address, { maxPriorityFeePerGas: 50n * GWEI, maxFeePerGas: 500n * GWEI });
      await fx.mine();
      expect((await chain.getTransactionReceipt(sent.txHash!))?.status).toBe(0);

      await h.worker.tick();
      const reason = `signer ${h.wallet.address} no longer signs for issuer ${fx.issuerId} (it was removed)`;
      expect(await opOf(q.op.id)).toMatchObject({ status: "failed", error: reason });
      expect(await batchOf(q)).toMatchObject({ status: "failed", error: reason });
    });

    it("asks the registry about its key once per pass, not once per op", async () => {
      for (let i = 0; i < 3; i++) await queueBatch(fx);
      const h = harness();
      const asked = vi.spyOn(RegistryClient.prototype, "signerRecord");
      await h.worker.tick();
      expect(asked).toHaveBeenCalledTimes(1);
      await h.worker.tick(); // nothing queued any more: nothing to ask
      expect(asked).toHaveBeenCalledTimes(1);
    });

    it("never reports final an anchor the registry does not hold under the batch's issuer", async () => {
      const q = await queueBatch(fx);
      const h = harness();
      await ticks(h, 2);
      expect((await opOf(q.op.id)).status).toBe("mined");
      await fx.mine();
      vi.spyOn(RegistryClient.prototype, "getBatch").mockResolvedValue({ anchoredAt: 0, revokedAt: 0 });
      await h.worker.tick();
      const reason = `batch ${q.batch.id} is not anchored for issuer ${fx.issuerId} on chain`;
      expect(await opOf(q.op.id)).toMatchObject({ status: "failed", error: reason });
      expect(await batchOf(q)).toMatchObject({ status: "failed", error: reason });
    });
  });

  describe("nonces", () => {
    it("gives five ops sent in one pass five consecutive nonces, then anchors all five once", async () => {
      const queued = [];
      for (let i = 0; i < 5; i++) queued.push(await queueBatch(fx));
      const h = harness();
      const first = await sentBy(h.wallet.address);
      await setAutomine(chain, false);
      await h.worker.tick();
      const ops = await Promise.all(queued.map((q) => opOf(q.op.id)));
      expect(ops.map((o) => o.status)).toEqual(Array(5).fill("sent"));
      expect(ops.map((o) => o.nonce)).toEqual([0, 1, 2, 3, 4].map((i) => first + i));
      expect(new Set(ops.map((o) => o.txHash)).size).toBe(5);
      expect(await sentBy(h.wallet.address)).toBe(first + 5);

      await fx.mine();
      await h.worker.tick();
      for (const q of queued) {
        expect((await batchOf(q)).status).toBe("anchored");
        expect(await anchors(q.root)).toHaveLength(1);
      }
    });

    // Regression (server/outbox, broadcast + runPass): any error broadcast() rethrows is decoded as
    // CHAIN_UNAVAILABLE, and a CHAIN_UNAVAILABLE error ends the pass. A recorded transaction the
    // node refuses for good (here: its fee cap is below the base fee after a fee spike) is
    // re-broadcast first on every pass and refused again, so neither it nor any op behind it (other
    // signed, sent, mined or queued ops) ever moves. Expected: refused bytes are signed again with
    // fresh fees (the same nonce, so at most one can be mined) and the rest of the queue proceeds.
    it("does not let a transaction the node refuses for good stall the queue", async () => {
      const snapshot = (await chain.send("evm_snapshot", [])) as string;
      try {
        const stuck = await queueBatch(fx);
        const h = harness();
        vi.spyOn(h.provider, "broadcastTransaction").mockRejectedValueOnce(networkError());
        await h.worker.tick();
        expect((await opOf(stuck.op.id)).status).toBe("signed");
        await chain.send("hardhat_setNextBlockBaseFeePerGas", [`0x${(1000n * GWEI).toString(16)}`]);
        const behind = await queueBatch(fx);
        await ticks(h, 4, true);
        expect((await batchOf(behind)).status).not.toBe("pending");
        expect((await opOf(stuck.op.id)).status).not.toBe("signed");
      } finally {
        await chain.send("evm_revert", [snapshot]);
      }
    });
  });
});
