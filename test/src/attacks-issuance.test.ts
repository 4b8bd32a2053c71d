import { type Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { batchIdToBytes16, type Bundle, bundleFor, newBatchId, prepareBatch } from "../../src";
import { expectCode } from "./helpers";
import { accreditor, contextOf, fast, fx, issue, newIssuer, useAttackChain, verify, VICTIM } from "./attack-chain";

/* Issue 11: attacks at issuance (front-running an anchor, claiming an awarding body), on a real local chain. */

useAttackChain();

describe("front-running an anchor", () => {
  it("lets the victim anchor the batch id and root another issuer copied from the mempool first", async () => {
    const victim = await newIssuer("Front-run University");
    const thief = await newIssuer("Mempool Watcher");
    const batchId = newBatchId();
    const batch = prepareBatch([sampleCredential(14), sampleCredential(15)], contextOf(victim, batchId));
    await fast.send("evm_setAutomine", [false]);
    let receipts;
    try {
      const tip = 10n ** 9n;
      const pending = await victim.client.contract
        .getFunction("anchor")
        .send(batchIdToBytes16(batchId), batch.root, batch.count, "", {
          maxPriorityFeePerGas: tip,
          maxFeePerGas: 100n * tip,
          gasLimit: 200_000,
        });
      // The thief copies the pending calldata and outbids it, so its copy is mined first.
      const copy = await (thief.client.contract.runner as Wallet).sendTransaction({
        to: fx.registry,
        data: pending.data,
        maxPriorityFeePerGas: 50n * tip,
        maxFeePerGas: 100n * tip,
        gasLimit: 200_000,
      });
      await fast.send("evm_mine", []);
      receipts = await Promise.all([copy.wait(), pending.wait()]);
    } finally {
      await fast.send("evm_setAutomine", [true]);
    }
    const [stolen, anchored] = receipts;
    expect(stolen!.blockNumber).toBe(anchored!.blockNumber);
    expect(stolen!.index).toBeLessThan(anchored!.index);
    expect([stolen!.status, anchored!.status]).toEqual([1, 1]);
    const when = async (id: number) => (await victim.client.getBatch(id, batchId, batch.root)).anchoredAt;
    expect(await when(thief.id)).toBeGreaterThan(0);
    expect(await when(victim.id)).toBe(await when(thief.id));
    for (let i = 0; i < batch.count; i++) {
      const bundle = bundleFor(batch, i, anchored!.blockNumber);
      const result = await verify(bundle);
      expect(result.verdict).toBe("valid");
      expect(result.issuer).toMatchObject({ id: victim.id, name: "Front-run University" });
      const claimed: Bundle = { ...bundle, anchor: { ...bundle.anchor, issuerId: thief.id } };
      expect((await verify(claimed)).verdict).toBe("tampered");
    }
  });
});

describe("the awarding body", () => {
  it("is the registry's name for the bound issuer, and follows the accreditor's updates", async () => {
    const issuer = await newIssuer(VICTIM);
    const issued = await issue(issuer, [16]);
    const result = await verify(issued.bundle(0));
    expect(result.issuer).toEqual({
      id: issuer.id,
      name: VICTIM,
      uri: "https://universiteitvanvoorbeeld.test",
      active: true,
      accreditedUntil: null,
    });
    await accreditor.updateIssuer(issuer.id, "Universiteit van Voorbeeld (Amsterdam)", "https://uvv.test");
    expect((await verify(issued.bundle(0))).issuer?.name).toBe("Universiteit van Voorbeeld (Amsterdam)");
  });

  it("cannot be claimed by a credential: awardingBody is refused at issuance, and a bundle that adds one is tampered", async () => {
    const mill = await newIssuer("Mill of Names");
    const input = { ...sampleCredential(17), awardingBody: { name: "Harvard University", country: "US" } };
    const error = expectCode(() => prepareBatch([input], contextOf(mill)), "INVALID_CREDENTIAL");
    expect(error.details).toEqual([{ path: "/0/awardingBody", message: "is not a known field" }]);
    const issued = await issue(mill, [17]);
    const claimed = structuredClone(issued.bundle(0));
    claimed.credential.awardingBody = { name: "Harvard University", country: "US" };
    const result = await verify(claimed);
    expect(result.verdict).toBe("tampered");
    expect(result.issuer).toBeNull();
  });
});
