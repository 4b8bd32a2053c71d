/** Outbox tests — receipts: a sent transaction dropped, or reverted when mined. */
import { describe, expect, it } from "vitest";
import { queueBatch, setAutomine } from "../../support/anchoring";
import { GWEI, useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("a dropped transaction", () => {
    it("sends its op back to queued (batch pending), then anchors it once", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      await setAutomine(t.chain, false);
      await h.worker.tick();
      const sent = await t.opIn(q.op.id, "sent");
      expect(await t.chain.send("hardhat_dropTransaction", [sent.txHash])).toBe(true);

      await h.worker.tick();
      // The dropped raw transaction is kept: the next one must outbid it should it resurface.
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "queued", txHash: null, nonce: null, rawTx: sent.rawTx });
      expect(await t.batchOf(q)).toMatchObject({ status: "pending", txHash: null, blockNumber: null });

      await setAutomine(t.chain, true);
      await t.ticks(h, 2);
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "mined", attempts: 2 });
      expect((await t.batchOf(q)).status).toBe("anchored");
      expect(await t.anchors(q.root)).toHaveLength(1);
    });

    // Regression (server/outbox, nextNonce): the next nonce is the largest of the chain's pending count
    // and (every in-flight op's nonce + 1). When the dropped transaction had the lowest of several
    // in-flight nonces (n dropped, n+1 and n+2 still in the mempool), its op is signed again with
    // n+3: nonce n is never used, so n+1, n+2 and n+3 can never be mined, and the worker waits on
    // them for ever (they are still known to the node, so never requeued). Expected: the requeued op
    // takes the free nonce n.
    it("re-sends a dropped transaction below others in flight with a nonce that lets all be mined", async () => {
      const queued = [await queueBatch(t.fx), await queueBatch(t.fx), await queueBatch(t.fx)];
      const h = t.harness();
      await setAutomine(t.chain, false);
      await h.worker.tick();
      const lowest = await t.opIn(queued[0]!.op.id, "sent");
      await t.chain.send("hardhat_dropTransaction", [lowest.txHash]);
      await t.ticks(h, 6, true);
      for (const q of queued) {
        expect((await t.batchOf(q)).status).not.toBe("submitted");
        expect(await t.anchors(q.root)).toHaveLength(1);
      }
    });
  });

  describe("reverts", () => {
    it("fails an op the registry refuses at estimation, with the revert's name (IssuerInactive)", async () => {
      await t.fx.accreditor.setIssuerActive(t.fx.issuerId, false);
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const before = await t.sentBy(h.wallet.address);
      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "failed", error: "IssuerInactive", txHash: null });
      expect(await t.batchOf(q)).toMatchObject({ status: "failed", error: "IssuerInactive" });
      expect(await t.sentBy(h.wallet.address)).toBe(before);
      expect(h.log.entries.some((e) => e.level === "error" && e.msg === "chain operation failed")).toBe(true);
      await t.ticks(h, 2, true); // failed is terminal
      expect((await t.opOf(q.op.id)).status).toBe("failed");
    });

    // Regression (server/outbox, revertReason): a transaction that passed estimation but reverted when
    // mined is replayed with eth_call at `blockNumber - 1`, i.e. before the transactions that
    // preceded it in its own block. When one of those caused the revert (the usual reason a
    // transaction that estimated fine reverts), the replay succeeds and the op fails with
    // "chain call failed: transaction reverted without a reason" (code CHAIN_UNAVAILABLE) instead
    // of the decoded IssuerInactive.
    it("fails an op that reverted when mined with the revert's name", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      await setAutomine(t.chain, false);
      await h.worker.tick();
      const sent = await t.opIn(q.op.id, "sent");
      // The accreditor's deactivation is ordered first in the same block (higher tip).
      await t.fx.accreditor.contract.setIssuerActive(t.fx.issuerId, false, {
        maxPriorityFeePerGas: 50n * GWEI,
        maxFeePerGas: 500n * GWEI,
      });
      await t.fx.mine();
      expect((await t.chain.getTransactionReceipt(sent.txHash))?.status).toBe(0);

      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "failed", error: "IssuerInactive" });
    });
  });
});
