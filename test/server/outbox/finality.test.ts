/** Outbox tests — finality: never final on a block that was reorged out. */
import { describe, expect, it } from "vitest";
import { queueBatch, setAutomine } from "../../support/anchoring";
import { rawOf, useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("a reorg", () => {
    it("requeues an op whose transaction was reorged out, and anchors it again — never final on the lost block", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const watch = t.watchUpdates();
      const snapshot = (await t.chain.send("evm_snapshot", [])) as string;
      await t.ticks(h, 2);
      const lost = await t.opIn(q.op.id, "mined");

      expect(await t.chain.send("evm_revert", [snapshot])).toBe(true);
      await t.fx.mine(3); // the chain moves past the lost block's height: its confirmations must not count
      expect(await t.chain.getTransactionReceipt(lost.txHash)).toBeNull();
      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "queued", txHash: null });
      expect(await t.batchOf(q)).toMatchObject({ status: "pending", txHash: null });

      await t.ticks(h, 3);
      const again = await t.opIn(q.op.id, "mined");
      expect(again).toMatchObject({ attempts: 2 });
      await t.fx.mine();
      await h.worker.tick();
      expect((await t.opOf(q.op.id)).status).toBe("final");
      expect(await t.batchOf(q)).toMatchObject({
        status: "final",
        txHash: again.txHash,
        blockNumber: again.blockNumber,
      });
      expect(watch.earlyFinals).toEqual([]);
      const events = await t.anchors(q.root);
      expect(events.map((e) => e.transactionHash)).toEqual([again.txHash]);
    });

    it("follows its transaction into another block and counts confirmations from there", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const watch = t.watchUpdates();
      const snapshot = (await t.chain.send("evm_snapshot", [])) as string;
      await t.ticks(h, 2);
      const first = await t.opIn(q.op.id, "mined");
      await t.chain.send("evm_revert", [snapshot]);
      await t.fx.mine(); // another block at the old height
      await t.chain.broadcastTransaction(rawOf(first)); // the same transaction, mined one block later
      const receipt = await t.receiptOf(first.txHash);
      expect(receipt.blockHash).not.toBe(first.blockHash);

      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({
        status: "mined",
        txHash: first.txHash,
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
        attempts: 1,
      });
      expect((await t.batchOf(q)).blockNumber).toBe(receipt.blockNumber);
      await h.worker.tick();
      expect((await t.opOf(q.op.id)).status).toBe("mined");
      await t.fx.mine();
      await h.worker.tick();
      expect((await t.opOf(q.op.id)).status).toBe("final");
      expect(watch.earlyFinals).toEqual([]);
      expect(await t.anchors(q.root)).toHaveLength(1);
    });

    // Regression (server/outbox, checkFinal + send): real nodes put a reorged-out transaction back into
    // their mempool. checkFinal requeues on a missing receipt without asking whether the node still
    // holds the transaction (checkSent does ask), then send() estimates gas against the pending
    // state, where our own pending anchor makes the estimate revert BatchAlreadyAnchored, and a
    // revert at estimation fails the op with no adoption check. The batch ends "failed" while the
    // original transaction anchors its root for this issuer a block later.
    it("keeps an op whose reorged-out transaction is back in the mempool, and ends mined", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const snapshot = (await t.chain.send("evm_snapshot", [])) as string;
      await t.ticks(h, 2);
      const first = await t.opIn(q.op.id, "mined");
      await t.chain.send("evm_revert", [snapshot]);
      await setAutomine(t.chain, false);
      await t.chain.broadcastTransaction(rawOf(first)); // back in the mempool, as after a real reorg

      await t.ticks(h, 2);
      await t.fx.mine();
      await t.ticks(h, 2);
      expect(await t.anchors(q.root)).toHaveLength(1);
      expect((await t.opOf(q.op.id)).status).toBe("mined");
      expect((await t.batchOf(q)).status).toBe("anchored");
    });
  });
});
