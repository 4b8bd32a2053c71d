/** Outbox tests — the signer: nothing is sent by a key that may not send for the op's issuer. */
import { describe, expect, it, vi } from "vitest";
import { type CredrootError, RegistryClient } from "../../../src";
import { type QueuedBatch, queueBatch, setAutomine } from "../../support/anchoring";
import { GWEI, useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  // Regression (issue 11, signer reuse): in v1, once issuer A removed a signer, another issuer
  // could add that address, and A's service, still holding the key, anchored A's next batches as
  // the other issuer and reported them final; a revocation queued on an instance whose signer
  // served another issuer answered 202 and never reached the chain. The registry now refuses to
  // rebind an address, and the worker fails, visibly, every op its key may not send.
  describe("the signer", () => {
    const revertOf = (promise: Promise<unknown>) => promise.then(() => null).catch((e: unknown) => e as CredrootError);
    /** Issuer C ("Diploma Mill"), its signer account `account`. */
    const otherIssuer = async (account = 2) => {
      const signer = await t.fx.chain.signer(account);
      const { issuerId } = await t.fx.accreditor.registerIssuer("Diploma Mill", "https://mill.test", signer.address);
      return { issuerId, signer, client: new RegistryClient(t.fx.registry, signer) };
    };
    const batchBody = async (q: QueuedBatch) => {
      const res = await t.fx.app.inject({ url: `/v1/batches/${q.batch.id}`, headers: t.fx.auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ status: string; error: string | null }>();
    };

    it("fails the queued ops of an issuer that removed its signer, sends nothing, and keeps them failed", async () => {
      const h = t.harness();
      const address = h.wallet.address;
      const anchored = await queueBatch(t.fx);
      await t.ticks(h, 2);
      expect((await t.batchOf(anchored)).status).toBe("anchored");
      await t.fx.accreditor.removeSigner(t.fx.issuerId, address);
      // Nobody can take the removed key over: the registry binds an address to one issuer for ever.
      const mill = await otherIssuer();
      const taken = await revertOf(mill.client.addSigner(mill.issuerId, address));
      expect(taken).toMatchObject({ code: "CONTRACT_REVERT", revert: { name: "SignerAlreadyAssigned" } });
      expect(await revertOf(t.fx.accreditor.registerIssuer("Mill II", "", address))).toMatchObject({
        revert: { name: "SignerAlreadyAssigned" },
      });

      const q = await queueBatch(t.fx);
      const revoke = await t.fx.store.enqueueOp({
        kind: "revoke-credential",
        batchId: anchored.batch.id,
        credentialId: t.credentialIdOf(anchored, 0),
        signer: address,
        reason: "issued in error",
      });
      const before = await t.sentBy(address);
      await t.ticks(h, 3, true);

      const reason = `signer ${address} no longer signs for issuer ${t.fx.issuerId} (it was removed)`;
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "failed", error: reason, txHash: null, attempts: 0 });
      expect(await t.batchOf(q)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await batchBody(q)).toMatchObject({ status: "failed", error: reason });
      expect(await t.opOf(revoke.id)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await t.revokedReasonOf(anchored, 0)).toBeNull();
      expect(await t.credentialRevokedAt(t.fx.issuerId, t.digestOf(anchored, 0))).toBe(0n);
      expect(await t.sentBy(address)).toBe(before);
      expect(await t.anchors(q.root)).toEqual([]);
      expect(h.log.entries.filter((e) => e.level === "error" && e.msg === "chain operation failed")).toHaveLength(2);
    });

    it("fails, rather than anchors as another issuer, a batch its key does not sign for", async () => {
      const mill = await otherIssuer();
      const h = t.harness({ account: 2 }); // a service configured with the other issuer's key
      const q = await queueBatch(t.fx, { signer: h.wallet.address });
      const before = await t.sentBy(h.wallet.address);
      await t.ticks(h, 2, true);

      const reason = `signer ${h.wallet.address} no longer signs for issuer ${t.fx.issuerId} (it is bound to issuer ${mill.issuerId})`;
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await batchBody(q)).toMatchObject({ status: "failed", error: reason });
      expect(await t.sentBy(h.wallet.address)).toBe(before);
      expect(await t.anchors(q.root)).toEqual([]);
      const registry = new RegistryClient(t.fx.registry, t.chain);
      expect((await registry.getBatch(mill.issuerId, q.batch.id, q.root)).anchoredAt).toBe(0);
    });

    it("ends a revocation queued on an instance whose signer serves another issuer failed, saying why", async () => {
      const mine = t.harness();
      const a = await queueBatch(t.fx);
      await t.ticks(mine, 2);
      const mill = await otherIssuer();
      const theirs = t.harness({ account: 2, instanceId: "mill-instance" });
      const signer = theirs.wallet.address;
      const ops = [
        await t.fx.store.enqueueOp({
          kind: "revoke-credential",
          batchId: a.batch.id,
          credentialId: t.credentialIdOf(a, 1),
          signer,
          reason: "issued in error",
        }),
        await t.fx.store.enqueueOp({
          kind: "revoke-batch",
          batchId: a.batch.id,
          credentialId: null,
          signer,
          reason: "x",
        }),
      ];
      const before = await t.sentBy(signer);
      await t.ticks(theirs, 2, true);

      const reason = `signer ${signer} no longer signs for issuer ${t.fx.issuerId} (it is bound to issuer ${mill.issuerId})`;
      for (const op of ops)
        expect(await t.opOf(op.id)).toMatchObject({ status: "failed", error: reason, txHash: null });
      expect(await t.sentBy(signer)).toBe(before);
      for (const issuerId of [t.fx.issuerId, mill.issuerId]) {
        expect(await t.credentialRevokedAt(issuerId, t.digestOf(a, 1))).toBe(0n);
      }
      expect(await t.revokedReasonOf(a, 1)).toBeNull();
      expect((await t.batchOf(a)).status).toBe("anchored");
      await mine.worker.tick();
      expect((await t.batchOf(a)).status).toBe("final"); // its own signer's work is untouched
    });

    it("fails a transaction that reverted because its signer was removed meanwhile with the reason in words", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      await setAutomine(t.chain, false);
      await h.worker.tick();
      const sent = await t.opIn(q.op.id, "sent");
      // The removal is ordered first in the same block (higher tip).
      await t.fx.accreditor.contract.removeSigner(t.fx.issuerId, h.wallet.address, {
        maxPriorityFeePerGas: 50n * GWEI,
        maxFeePerGas: 500n * GWEI,
      });
      await t.fx.mine();
      expect((await t.chain.getTransactionReceipt(sent.txHash))?.status).toBe(0);

      await h.worker.tick();
      const reason = `signer ${h.wallet.address} no longer signs for issuer ${t.fx.issuerId} (it was removed)`;
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "failed", error: reason });
      expect(await t.batchOf(q)).toMatchObject({ status: "failed", error: reason });
    });

    it("asks the registry about its key once per pass, not once per op", async () => {
      for (let i = 0; i < 3; i++) await queueBatch(t.fx);
      const h = t.harness();
      const asked = vi.spyOn(RegistryClient.prototype, "signerRecord");
      await h.worker.tick();
      expect(asked).toHaveBeenCalledTimes(1);
      await h.worker.tick(); // nothing queued any more: nothing to ask
      expect(asked).toHaveBeenCalledTimes(1);
    });

    it("never reports final an anchor the registry does not hold under the batch's issuer", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      await t.ticks(h, 2);
      expect((await t.opOf(q.op.id)).status).toBe("mined");
      await t.fx.mine();
      vi.spyOn(RegistryClient.prototype, "getBatch").mockResolvedValue({ anchoredAt: 0, revokedAt: 0 });
      await h.worker.tick();
      const reason = `batch ${q.batch.id} is not anchored for issuer ${t.fx.issuerId} on chain`;
      expect(await t.opOf(q.op.id)).toMatchObject({ status: "failed", error: reason });
      expect(await t.batchOf(q)).toMatchObject({ status: "failed", error: reason });
    });
  });
});
