import { Wallet, ZeroAddress } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBatchId, randomBytes32 } from "./batches";
import { anchorBatch, batchOf, validOf, verifyOf } from "./calls";
import {
  MAX_UINT64,
  deployFixture,
  eventsOf,
  expectRevert,
  latestTimestamp,
  mined,
  snapshots,
  toSignerRecord,
  type Fixture,
} from "./helpers";

/** Issuer signers: adding, removing, the one-issuer-ever binding, and the cap of MAX_SIGNERS. */

let f: Fixture;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const anchorRandom = (signer = f.signerA) => f.registry.connect(signer).anchor(randomBatchId(), randomBytes32(), 1, "");
const recordOf = async (account: string | { address: string }) =>
  toSignerRecord(await f.registry.signerRecord(typeof account === "string" ? account : account.address));

describe("addSigner", () => {
  it("lets a signer of the issuer add a signer, who can then anchor for it", async () => {
    const receipt = await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerAdded", args: [f.issuerA, f.spare.address, f.signerA.address] },
    ]);
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerA);
    expect(await recordOf(f.spare)).toEqual({ issuerId: f.issuerA, active: true });
    expect(await f.registry.getSigners(f.issuerA)).toEqual([f.signerA.address, f.spare.address]);
    const { batch, anchoredAt } = await anchorBatch(f, f.spare, f.issuerA, { size: 2 });
    expect(await batchOf(f.registry, f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
  });

  it("lets the accreditor add a signer to any issuer", async () => {
    const receipt = await mined(f.registry.connect(f.accreditor).addSigner(f.issuerB, f.spare));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerAdded", args: [f.issuerB, f.spare.address, f.accreditor.address] },
    ]);
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerB);
  });

  it("reverts NotIssuerSigner when a signer of issuer B adds a signer to issuer A, or an outsider adds itself", async () => {
    await expectRevert(f.registry.connect(f.signerB).addSigner(f.issuerA, f.spare), "NotIssuerSigner", [
      f.signerB.address,
      f.issuerA,
    ]);
    await expectRevert(f.registry.connect(f.outsider).addSigner(f.issuerA, f.outsider), "NotIssuerSigner", [
      f.outsider.address,
      f.issuerA,
    ]);
  });

  it("reverts SignerAlreadyAssigned, naming the issuer, when the signer serves another issuer or this one", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await expectRevert(asAccreditor.addSigner(f.issuerA, f.signerB), "SignerAlreadyAssigned", [
      f.signerB.address,
      f.issuerB,
    ]);
    await expectRevert(asAccreditor.addSigner(f.issuerA, f.signerA), "SignerAlreadyAssigned", [
      f.signerA.address,
      f.issuerA,
    ]);
  });

  it("reverts ZeroAddress when the signer is the zero address", async () => {
    await expectRevert(f.registry.connect(f.signerA).addSigner(f.issuerA, ZeroAddress), "ZeroAddress", []);
  });

  it("reverts UnknownIssuer for an unregistered id, even for the accreditor", async () => {
    await expectRevert(f.registry.connect(f.accreditor).addSigner(4, f.spare), "UnknownIssuer", [4n]);
    await expectRevert(f.registry.connect(f.accreditor).addSigner(0, f.spare), "UnknownIssuer", [0n]);
  });
});

describe("removeSigner", () => {
  it("lets a signer of the issuer remove another signer, who can then no longer anchor", async () => {
    await mined(f.registry.connect(f.accreditor).addSigner(f.issuerA, f.spare));
    const receipt = await mined(f.registry.connect(f.signerA).removeSigner(f.issuerA, f.spare));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerRemoved", args: [f.issuerA, f.spare.address, f.signerA.address] },
    ]);
    expect(await f.registry.getSigners(f.issuerA)).toEqual([f.signerA.address]);
    await expectRevert(anchorRandom(f.spare), "NotASigner", [f.spare.address]);
  });

  it("lets the accreditor remove an issuer's last signer, and add a new one", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    const receipt = await mined(asAccreditor.removeSigner(f.issuerB, f.signerB));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerRemoved", args: [f.issuerB, f.signerB.address, f.accreditor.address] },
    ]);
    expect(await f.registry.getSigners(f.issuerB)).toEqual([]);
    await mined(asAccreditor.addSigner(f.issuerB, f.spare));
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerB);
  });

  it("lets a signer remove itself, after which it cannot add itself back", async () => {
    await mined(f.registry.connect(f.signerA).removeSigner(f.issuerA, f.signerA));
    expect(await f.registry.issuerOf(f.signerA)).toBe(0n);
    await expectRevert(f.registry.connect(f.signerA).addSigner(f.issuerA, f.signerA), "NotIssuerSigner", [
      f.signerA.address,
      f.issuerA,
    ]);
  });

  it("reverts NotIssuerSigner when a signer of issuer B removes a signer of issuer A", async () => {
    await expectRevert(f.registry.connect(f.signerB).removeSigner(f.issuerA, f.signerA), "NotIssuerSigner", [
      f.signerB.address,
      f.issuerA,
    ]);
  });

  it("reverts SignerNotAssigned for an account that never signed, signs for another issuer, or was removed", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.addSigner(f.issuerA, f.spare));
    await mined(asAccreditor.removeSigner(f.issuerA, f.spare));
    for (const account of [f.outsider, f.signerB, f.spare]) {
      await expectRevert(asAccreditor.removeSigner(f.issuerA, account), "SignerNotAssigned", [
        account.address,
        f.issuerA,
      ]);
    }
  });

  it("reverts UnknownIssuer for an unregistered id", async () => {
    await expectRevert(f.registry.connect(f.accreditor).removeSigner(4, f.signerA), "UnknownIssuer", [4n]);
  });

  it("leaves a removed signer's batches with their issuer, so that a new signer can revoke them (key rotation)", async () => {
    const { batch, anchoredAt } = await anchorBatch(f, f.signerA, f.issuerA, { size: 3 });
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.addSigner(f.issuerA, f.spare));
    await mined(asAccreditor.removeSigner(f.issuerA, f.signerA));
    expect(await batchOf(f.registry, f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
    expect(await verifyOf(f.registry, batch.request(1))).toEqual(validOf(batch, 1, anchoredAt, MAX_UINT64));
    await expectRevert(f.registry.connect(f.signerA).revokeBatch(batch.batchId, "old key"), "NotASigner", [
      f.signerA.address,
    ]);
    const receipt = await mined(f.registry.connect(f.spare).revokeBatch(batch.batchId, "rotated"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchRevoked", args: [f.issuerA, batch.batchId, f.spare.address, "rotated"] },
    ]);
  });
});

describe("issuerOf, signerRecord and getSigners", () => {
  it("name the issuer of each active signer, and nothing for accounts that never signed", async () => {
    expect(await f.registry.issuerOf(f.signerA)).toBe(f.issuerA);
    expect(await f.registry.issuerOf(f.signerC)).toBe(f.issuerC);
    for (const account of [f.accreditor, f.admin, f.outsider]) {
      expect(await f.registry.issuerOf(account)).toBe(0n);
      expect(await recordOf(account)).toEqual({ issuerId: 0n, active: false });
    }
    expect(await f.registry.getSigners(f.issuerB)).toEqual([f.signerB.address]);
  });

  it("getSigners reverts UnknownIssuer for issuer 0 and for an id past issuerCount", async () => {
    await expectRevert(f.registry.getSigners(0), "UnknownIssuer", [0n]);
    await expectRevert(f.registry.getSigners(4), "UnknownIssuer", [4n]);
  });
});

// v1 freed a removed signer: the same key (still held by a service of issuer A) could be added to
// issuer B and anchor as B, or be registered as a new issuer. An address now serves one issuer, ever.
describe("regression: a removed signer stays bound to its issuer", () => {
  beforeEach(async () => {
    await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare));
    await mined(f.registry.connect(f.signerA).removeSigner(f.issuerA, f.spare));
  });

  it("reports no active issuer for it, but a record bound to A", async () => {
    expect(await f.registry.issuerOf(f.spare)).toBe(0n);
    expect(await recordOf(f.spare)).toEqual({ issuerId: f.issuerA, active: false });
    expect(await f.registry.getSigners(f.issuerA)).toEqual([f.signerA.address]);
  });

  it("reverts SignerAlreadyAssigned(signer, A) when it is registered as a new issuer's signer, consuming no id", async () => {
    await expectRevert(
      f.registry.connect(f.accreditor).registerIssuer("Fresh Start College", "", f.spare),
      "SignerAlreadyAssigned",
      [f.spare.address, f.issuerA],
    );
    expect(await f.registry.issuerCount()).toBe(3n);
  });

  it("reverts SignerAlreadyAssigned(signer, A) when B's signer or the accreditor adds it to B", async () => {
    for (const by of [f.signerB, f.accreditor]) {
      await expectRevert(f.registry.connect(by).addSigner(f.issuerB, f.spare), "SignerAlreadyAssigned", [
        f.spare.address,
        f.issuerA,
      ]);
    }
    expect(await recordOf(f.spare)).toEqual({ issuerId: f.issuerA, active: false });
  });

  it("can be added back to A, and then signs for A again", async () => {
    const receipt = await mined(f.registry.connect(f.accreditor).addSigner(f.issuerA, f.spare));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerAdded", args: [f.issuerA, f.spare.address, f.accreditor.address] },
    ]);
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerA);
    expect(await recordOf(f.spare)).toEqual({ issuerId: f.issuerA, active: true });
    await mined(anchorRandom(f.spare));
  });
});

// v1 copied the issuer's status into every signer record, so deactivating an issuer or withdrawing
// its accreditation cost gas per signer, without bound. Now signers are capped and both calls write
// one slot, whatever the number of signers.
describe("regression: at most MAX_SIGNERS signers, and constant-gas governance", () => {
  const extraSigners = (n: number) => Array.from({ length: n }, () => Wallet.createRandom().address);

  /** Fills issuer A up to MAX_SIGNERS active signers; returns the addresses added. */
  async function fillA(): Promise<string[]> {
    const max = Number(await f.registry.MAX_SIGNERS());
    const added = extraSigners(max - 1);
    for (const signer of added) await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, signer));
    expect(await f.registry.getSigners(f.issuerA)).toHaveLength(max);
    return added;
  }

  it("reverts TooManySigners(issuer, MAX_SIGNERS) for the signer after the 20th, whoever adds it", async () => {
    await fillA();
    const [next] = extraSigners(1);
    for (const by of [f.signerA, f.accreditor]) {
      await expectRevert(f.registry.connect(by).addSigner(f.issuerA, next!), "TooManySigners", [f.issuerA, 20n]);
    }
    await mined(f.registry.connect(f.signerB).addSigner(f.issuerB, next!));
  });

  it("counts active signers only: removing one makes room, and a removed one may come back", async () => {
    const [first] = await fillA();
    await mined(f.registry.connect(f.signerA).removeSigner(f.issuerA, first!));
    await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, first!));
    await expectRevert(f.registry.connect(f.signerA).addSigner(f.issuerA, extraSigners(1)[0]!), "TooManySigners", [
      f.issuerA,
      20n,
    ]);
  });

  it("costs the same gas to deactivate or withdraw an issuer with 20 signers as one with 1", async () => {
    await fillA();
    const asAccreditor = f.registry.connect(f.accreditor);
    const effectiveFrom = (await latestTimestamp()) + 3600n;
    const gas = async (issuerId: bigint) => ({
      setIssuerActive: (await mined(asAccreditor.setIssuerActive(issuerId, false))).gasUsed,
      withdrawAccreditation: (await mined(asAccreditor.withdrawAccreditation(issuerId, effectiveFrom, "audit")))
        .gasUsed,
    });
    const one = await gas(f.issuerB); // issuer B has its one signer
    const twenty = await gas(f.issuerA);
    console.log(
      `gas | setIssuerActive: ${one.setIssuerActive} (1 signer), ${twenty.setIssuerActive} (20 signers)` +
        ` | withdrawAccreditation: ${one.withdrawAccreditation} (1 signer), ${twenty.withdrawAccreditation} (20 signers)`,
    );
    const diff = (a: bigint, b: bigint) => (a > b ? a - b : b - a);
    expect(diff(one.setIssuerActive, twenty.setIssuerActive)).toBeLessThanOrEqual(100n);
    expect(diff(one.withdrawAccreditation, twenty.withdrawAccreditation)).toBeLessThanOrEqual(100n);
  });
});
