/** Outbox tests — nonces: consecutive, and never stalled by a refused transaction. */
import { describe, expect, it, vi } from "vitest";
import { networkError, queueBatch, setAutomine } from "../../support/anchoring";
import { GWEI, useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("nonces", () => {
    it("gives five ops sent in one pass five consecutive nonces, then anchors all five once", async () => {
      const queued = [];
      for (let i = 0; i < 5; i++) queued.push(await queueBatch(t.fx));
      const h = t.harness();
      const first = await t.sentBy(h.wallet.address);
      await setAutomine(t.chain, false);
      await h.worker.tick();
      const ops = await Promise.all(queued.map((q) => t.opOf(q.op.id)));
      expect(ops.map((o) => o.status)).toEqual(Array(5).fill("sent"));
      expect(ops.map((o) => o.nonce)).toEqual([0, 1, 2, 3, 4].map((i) => first + i));
      expect(new Set(ops.map((o) => o.txHash)).size).toBe(5);
      expect(await t.sentBy(h.wallet.address)).toBe(first + 5);

      await t.fx.mine();
      await h.worker.tick();
      for (const q of queued) {
        expect((await t.batchOf(q)).status).toBe("anchored");
        expect(await t.anchors(q.root)).toHaveLength(1);
      }
    });

    // Regression (server/outbox, broadcast + runPass): any error broadcast() rethrows is decoded as
    // CHAIN_UNAVAILABLE, and a CHAIN_UNAVAILABLE error ends the pass. A recorded transaction the
    // node refuses for good (here: its fee cap is below the base fee after a fee spike) is
    // re-broadcast first on every pass and refused again, so neither it nor any op behind it (other
    // signed, sent, mined or queued ops) ever moves. Expected: refused bytes are signed again with
    // fresh fees (the same nonce, so at most one can be mined) and the rest of the queue proceeds.
    it("does not let a transaction the node refuses for good stall the queue", async () => {
      const snapshot = (await t.chain.send("evm_snapshot", [])) as string;
      try {
        const stuck = await queueBatch(t.fx);
        const h = t.harness();
        vi.spyOn(h.provider, "broadcastTransaction").mockRejectedValueOnce(networkError());
        await h.worker.tick();
        expect((await t.opOf(stuck.op.id)).status).toBe("signed");
        await t.chain.send("hardhat_setNextBlockBaseFeePerGas", [`0x${(1000n * GWEI).toString(16)}`]);
        const behind = await queueBatch(t.fx);
        await t.ticks(h, 4, true);
        expect((await t.batchOf(behind)).status).not.toBe("pending");
        expect((await t.opOf(stuck.op.id)).status).not.toBe("signed");
      } finally {
        await t.chain.send("evm_revert", [snapshot]);
      }
    });
  });
});
