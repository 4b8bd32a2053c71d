/** Outbox tests — adoption: what the chain already holds is recorded, never sent again. */
import { describe, expect, it, vi } from "vitest";
import { bundleFor, RegistryClient, registryInterface, verifyBundle } from "../../../src";
import { LOG_WINDOW } from "../../../server/outbox/adoption";
import { networkError, queueBatch } from "../../support/anchoring";
import { useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("adoption of what the chain already holds", () => {
    it("adopts a root this issuer anchored without the worker: mined with that transaction, none sent", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const direct = await t.fx.issuer.anchor(q.batch.id, q.root, q.batch.count);
      const before = await t.sentBy(h.wallet.address);

      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({
        status: "mined",
        txHash: direct.txHash,
        blockNumber: direct.blockNumber,
        nonce: null, // not its own transaction: adopted, holding no nonce of ours
        attempts: 0,
        error: null,
      });
      expect(await t.batchOf(q)).toMatchObject({ status: "anchored", txHash: direct.txHash, error: null });
      expect(await t.sentBy(h.wallet.address)).toBe(before);
      await t.fx.mine();
      await h.worker.tick();
      expect((await t.batchOf(q)).status).toBe("final");
      expect(await t.anchors(q.root)).toHaveLength(1);
    });

    it("finds a root anchored thousands of blocks back, asking for one window of blocks at a time", async () => {
      const q = await queueBatch(t.fx);
      const deployedAt = await t.chain.getBlockNumber();
      const direct = await t.fx.issuer.anchor(q.batch.id, q.root, q.batch.count);
      await t.chain.send("hardhat_mine", [`0x${(2 * LOG_WINDOW + 500).toString(16)}`]);
      const h = t.harness({ fromBlock: deployedAt });
      const asked: { fromBlock: number; toBlock: number }[] = [];
      const getLogs = h.provider.getLogs.bind(h.provider);
      vi.spyOn(h.provider, "getLogs").mockImplementation((filter) => {
        asked.push(filter as { fromBlock: number; toBlock: number });
        return getLogs(filter);
      });

      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "mined", txHash: direct.txHash, attempts: 0 });
      expect(asked.length).toBeGreaterThanOrEqual(3);
      for (const { fromBlock, toBlock } of asked) {
        expect(toBlock - fromBlock + 1).toBeLessThanOrEqual(LOG_WINDOW);
        expect(fromBlock).toBeGreaterThanOrEqual(deployedAt);
      }
      // Newest first: each window ends where the one before began.
      asked.slice(1).forEach((w, i) => expect(w.toBlock).toBe(asked[i]!.fromBlock - 1));
    });

    it("signs again when another transaction took its nonce, then adopts the root that one anchored", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      vi.spyOn(h.provider, "broadcastTransaction").mockRejectedValueOnce(networkError());
      await h.worker.tick();
      await t.opIn(q.op.id, "signed");
      const direct = await t.fx.issuer.anchor(q.batch.id, q.root, q.batch.count); // same account, same nonce
      const after = await t.sentBy(h.wallet.address);

      await h.worker.tick(); // "nonce has already been used" and no receipt of ours: queued again
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "queued", txHash: null });
      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "mined", txHash: direct.txHash });
      expect((await t.batchOf(q)).status).toBe("anchored");
      expect(await t.sentBy(h.wallet.address)).toBe(after);
      expect(await t.anchors(q.root)).toHaveLength(1);
    });

    // Regression (issue 11, front-running): in v1 any accredited issuer could copy a pending root
    // from the mempool and anchor it first; the victim's op then failed ("root already anchored by
    // issuer N") and the root belonged to the attacker. Batches are namespaced per issuer now.
    it("anchors its batch even when another issuer anchored the same root and batch id first", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const otherSigner = await t.fx.chain.signer(2);
      const { issuerId: other } = await t.fx.accreditor.registerIssuer(
        "Other College",
        "https://other.test",
        otherSigner.address,
      );
      const theirs = await new RegistryClient(t.fx.registry, otherSigner).anchor(q.batch.id, q.root, q.batch.count);

      await t.ticks(h, 2);
      const op = await t.opIn(q.op.id, "mined");
      expect(op).toMatchObject({ attempts: 1, error: null });
      expect(op.txHash).not.toBe(theirs.txHash);
      await t.fx.mine();
      await h.worker.tick();
      expect(await t.batchOf(q)).toMatchObject({ status: "final", txHash: op.txHash, error: null });
      const events = await t.anchors(q.root);
      expect(events.map((e) => registryInterface.parseLog(e)!.args[0] as bigint)).toEqual([
        BigInt(other),
        BigInt(t.fx.issuerId),
      ]);
      // The copy under the other issuer verifies as nothing: every leaf is bound to this issuer.
      const bundle = bundleFor(q.prepared, 0, op.blockNumber);
      expect((await verifyBundle(bundle, { chains: t.fx.trusted })).verdict).toBe("valid");
      const copied = { ...bundle, anchor: { ...bundle.anchor, issuerId: other, block: theirs.blockNumber } };
      expect((await verifyBundle(copied, { chains: t.fx.trusted })).verdict).not.toBe("valid");
    });
  });
});
