/** Outbox tests — broadcasting: a crash on either side of it loses nothing and sends nothing twice. */
import { describe, expect, it, vi } from "vitest";
import { networkError, queueBatch, setAutomine, type WorkerHarness } from "../../support/anchoring";
import { useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("a crash after signing, before broadcasting", () => {
    it("broadcasts the recorded transaction on the next pass: same hash, one anchor", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const nonce = await t.sentBy(h.wallet.address);
      vi.spyOn(h.provider, "broadcastTransaction").mockRejectedValueOnce(networkError());

      await expect(h.worker.tick()).resolves.toBeUndefined();
      const signed = await t.opIn(q.op.id, "signed");
      expect(signed).toMatchObject({ nonce, attempts: 1 });
      expect(await t.chain.getTransaction(signed.txHash)).toBeNull(); // never reached the chain
      expect(await t.batchOf(q)).toMatchObject({ status: "submitted", txHash: signed.txHash });
      expect(h.log.entries.some((e) => e.level === "warn" && e.msg === "chain operation deferred")).toBe(true);

      await t.ticks(h, 2);
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "mined", txHash: signed.txHash, nonce, attempts: 1 });
      expect((await t.batchOf(q)).status).toBe("anchored");
      expect(await t.anchors(q.root)).toHaveLength(1);
      expect(await t.sentBy(h.wallet.address)).toBe(nonce + 1);
    });
  });

  describe("a crash after broadcasting, before recording `sent`", () => {
    /** The broadcast reaches the chain but the worker never hears back (it died). */
    const loseTheAnswer = (h: WorkerHarness) =>
      vi.spyOn(h.provider, "broadcastTransaction").mockImplementationOnce(async (raw: string) => {
        await t.chain.broadcastTransaction(raw);
        throw networkError();
      });

    it('adopts its own transaction once it is mined ("nonce too low"): no second anchor', async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const nonce = await t.sentBy(h.wallet.address);
      loseTheAnswer(h);
      await h.worker.tick();
      const signed = await t.opIn(q.op.id, "signed");
      expect((await t.chain.getTransactionReceipt(signed.txHash))?.status).toBe(1); // mined meanwhile

      await t.ticks(h, 2);
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "mined", txHash: signed.txHash, attempts: 1 });
      expect((await t.batchOf(q)).status).toBe("anchored");
      expect(await t.anchors(q.root)).toHaveLength(1);
      expect(await t.sentBy(h.wallet.address)).toBe(nonce + 1);
    });

    it('takes "known transaction" for sent while its transaction waits in the mempool', async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      await setAutomine(t.chain, false);
      loseTheAnswer(h);
      await h.worker.tick();
      const signed = await t.opIn(q.op.id, "signed");
      expect(await t.chain.getTransaction(signed.txHash)).not.toBeNull(); // pending

      await h.worker.tick();
      expect((await t.opOf(q.op.id)).status).toBe("sent");
      await t.fx.mine();
      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "mined", txHash: signed.txHash, attempts: 1 });
      expect(await t.anchors(q.root)).toHaveLength(1);
    });
  });
});
