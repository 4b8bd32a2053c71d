/** Outbox tests — the life of an anchor op: each status in turn. */
import { Transaction } from "ethers";
import { describe, expect, it } from "vitest";
import { batchIdToBytes16, registryInterface } from "../../../src";
import { queueBatch } from "../../support/anchoring";
import { single, useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("the life of an anchor op", () => {
    it("moves queued → signed → sent → mined → final, and final only after FINALITY confirmations", async () => {
      const q = await queueBatch(t.fx, { size: 3, uri: "https://uni.test/b/1" });
      const h = t.harness();
      const watch = t.watchUpdates();
      expect(q.op).toMatchObject({ kind: "anchor", status: "queued", attempts: 0, txHash: null });

      await h.worker.tick();
      expect(watch.statuses).toEqual(["signed", "sent"]); // recorded signed before broadcasting
      const sent = await t.opIn(q.op.id, "sent");
      expect(sent).toMatchObject({ attempts: 1 });
      expect(sent.nonce).not.toBeNull(); // its own transaction
      expect(Transaction.from(sent.rawTx ?? "").hash).toBe(sent.txHash);
      expect(await t.batchOf(q)).toMatchObject({ status: "submitted", txHash: sent.txHash, blockNumber: null });

      await h.worker.tick();
      const receipt = await t.receiptOf(sent.txHash);
      expect(await t.opOf(q.op.id)).toMatchObject({
        status: "mined",
        blockNumber: receipt.blockNumber,
        blockHash: receipt.blockHash,
      });
      expect(await t.batchOf(q)).toMatchObject({
        status: "anchored",
        txHash: sent.txHash,
        blockNumber: receipt.blockNumber,
      });

      await h.worker.tick(); // one confirmation: not final yet
      expect((await t.opOf(q.op.id)).status).toBe("mined");
      await t.fx.mine();
      await h.worker.tick();
      expect((await t.opOf(q.op.id)).status).toBe("final");
      expect(await t.batchOf(q)).toMatchObject({
        status: "final",
        txHash: sent.txHash,
        blockNumber: receipt.blockNumber,
      });
      expect(watch.statuses).toEqual(["signed", "sent", "mined", "final"]);
      expect(watch.earlyFinals).toEqual([]);

      const event = single(await t.anchors(q.root));
      expect(event.transactionHash).toBe(sent.txHash);
      const args = registryInterface.parseLog(event)?.args.toArray();
      expect(args).toEqual([
        BigInt(t.fx.issuerId),
        batchIdToBytes16(q.batch.id),
        q.root,
        h.wallet.address,
        3n,
        "https://uni.test/b/1",
      ]);
      const tx = await t.txOf(sent.txHash);
      expect(tx.nonce).toBe(sent.nonce);
      expect(registryInterface.parseTransaction({ data: tx.data })?.name).toBe("anchor");
    });

    it("shares one pass between concurrent ticks: one transaction", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const before = await t.sentBy(h.wallet.address);
      await Promise.all([h.worker.tick(), h.worker.tick(), h.worker.tick()]);
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "sent", attempts: 1 });
      expect(await t.sentBy(h.wallet.address)).toBe(before + 1);
    });
  });
});
