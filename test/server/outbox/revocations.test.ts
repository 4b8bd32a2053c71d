/** Outbox tests — revocations: sent, recorded once mined, adopted when already on chain. */
import { describe, expect, it, vi } from "vitest";
import { batchIdToBytes16, bundleFor, RegistryClient, verifyBundle } from "../../../src";
import { type QueuedBatch, queueBatch, registryEvents, type WorkerHarness } from "../../support/anchoring";
import { FINALITY, useTestbed } from "./testbed";

describe("Outbox", () => {
  const t = useTestbed();

  describe("revocations", () => {
    /** Two batches anchored (mined) by the worker. */
    const anchoredPair = async (h: WorkerHarness) => {
      const a = await queueBatch(t.fx, { size: 3 });
      const b = await queueBatch(t.fx, { size: 2 });
      await t.ticks(h, 2);
      expect((await t.batchOf(a)).status).toBe("anchored");
      expect((await t.batchOf(b)).status).toBe("anchored");
      return { a, b };
    };

    it("revokes a credential and a batch on chain, and records both once mined", async () => {
      const h = t.harness();
      const { a, b } = await anchoredPair(h);
      const signer = h.wallet.address;
      const digest = t.digestOf(a, 1);
      const revokeOne = await t.fx.store.enqueueOp({
        kind: "revoke-credential",
        batchId: a.batch.id,
        credentialId: t.credentialIdOf(a, 1),
        signer,
        reason: "issued in error",
      });
      const revokeAll = await t.fx.store.enqueueOp({
        kind: "revoke-batch",
        batchId: b.batch.id,
        credentialId: null,
        signer,
        reason: "course withdrawn",
      });

      await h.worker.tick();
      expect((await t.opOf(revokeOne.id)).status).toBe("sent");
      expect((await t.opOf(revokeAll.id)).status).toBe("sent");
      expect(await t.revokedReasonOf(a, 1)).toBeNull(); // not before mined
      await h.worker.tick();
      expect((await t.opOf(revokeOne.id)).status).toBe("mined");
      expect((await t.opOf(revokeAll.id)).status).toBe("mined");
      expect(await t.revokedReasonOf(a, 1)).toBe("issued in error");
      expect(await t.revokedReasonOf(a, 0)).toBeNull();
      expect(await t.batchOf(b)).toMatchObject({ status: "revoked", revokedReason: "course withdrawn" });

      const registry = new RegistryClient(t.fx.registry, t.chain);
      expect((await registry.getBatch(t.fx.issuerId, b.batch.id, b.root)).revokedAt).toBeGreaterThan(0);
      expect((await registry.getBatch(t.fx.issuerId, a.batch.id, a.root)).revokedAt).toBe(0);
      expect(await t.credentialRevokedAt(t.fx.issuerId, digest)).toBeGreaterThan(0n);
      expect(await registryEvents(t.chain, t.fx.registry, "CredentialRevoked", [t.fx.issuerId, digest])).toHaveLength(
        1,
      );
      const batchTopic = [t.fx.issuerId, batchIdToBytes16(b.batch.id)];
      expect(await registryEvents(t.chain, t.fx.registry, "BatchRevoked", batchTopic)).toHaveLength(1);

      await t.fx.mine(FINALITY);
      await h.worker.tick();
      expect((await t.opOf(revokeOne.id)).status).toBe("final");
      expect((await t.batchOf(a)).status).toBe("final");
      expect((await t.batchOf(b)).status).toBe("revoked"); // its anchor going final does not undo that

      const chains = t.fx.trusted;
      const verdict = async (q: QueuedBatch, i: number) =>
        (await verifyBundle(bundleFor(q.prepared, i, (await t.batchOf(q)).blockNumber!), { chains })).verdict;
      expect(await verdict(a, 1)).toBe("revoked");
      expect(await verdict(a, 0)).toBe("valid");
      expect(await verdict(b, 0)).toBe("revoked");
    });

    it("adopts revocations the chain already holds, sending nothing", async () => {
      const h = t.harness();
      const { a, b } = await anchoredPair(h);
      const one = await t.fx.issuer.revokeCredential(t.digestOf(a, 0), "by hand");
      const all = await t.fx.issuer.revokeBatch(b.batch.id, "by hand");
      const signer = h.wallet.address;
      const ops = [
        await t.fx.store.enqueueOp({
          kind: "revoke-credential",
          batchId: a.batch.id,
          credentialId: t.credentialIdOf(a, 0),
          signer,
          reason: "by hand",
        }),
        await t.fx.store.enqueueOp({
          kind: "revoke-batch",
          batchId: b.batch.id,
          credentialId: null,
          signer,
          reason: "by hand",
        }),
      ];
      const before = await t.sentBy(signer);
      await h.worker.tick();
      expect(await t.opOf(ops[0]!.id)).toMatchObject({ status: "mined", txHash: one.txHash });
      expect(await t.opOf(ops[1]!.id)).toMatchObject({ status: "mined", txHash: all.txHash });
      expect(await t.revokedReasonOf(a, 0)).toBe("by hand");
      expect((await t.batchOf(b)).status).toBe("revoked");
      expect(await t.sentBy(signer)).toBe(before);
    });

    // Regression (server/outbox, markMined): the op is written `mined` in one store call and the
    // credential (or batch) is marked revoked in a second one. A crash between the two leaves the
    // op mined and the credential not revoked, and nothing repairs it: the op goes on to final,
    // the service keeps listing the credential as not revoked, and a second revocation request is
    // refused as "already-requested". (Simulated here by the second write failing once, as a
    // database outage does: a bug would fail the op instead.)
    it("records a mined credential revocation even if the process died between the two writes", async () => {
      const h = t.harness();
      const { a } = await anchoredPair(h);
      const op = await t.fx.store.enqueueOp({
        kind: "revoke-credential",
        batchId: a.batch.id,
        credentialId: t.credentialIdOf(a, 0),
        signer: h.wallet.address,
        reason: "issued in error",
      });
      const busy = Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      vi.spyOn(t.fx.store, "setCredentialRevoked").mockRejectedValueOnce(busy);
      await t.ticks(h, 4, true);
      expect((await t.opOf(op.id)).status).toBe("final");
      expect(await t.revokedReasonOf(a, 0)).toBe("issued in error");
    });
  });
});
