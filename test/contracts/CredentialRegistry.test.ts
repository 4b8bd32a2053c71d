import fc from "fast-check";
import { ZeroAddress, ZeroHash, type ContractTransactionResponse } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ISSUER_A,
  ISSUER_B,
  MAX_UINT64,
  Status,
  blockTimestamp,
  buildBatch,
  decodeRevert,
  deployFixture,
  deployRegistry,
  eventsOf,
  expectRevert,
  increaseTime,
  latestTimestamp,
  leafOf,
  mined,
  processProof,
  randomBytes32,
  revertTo,
  setNextBlockTimestamp,
  takeSnapshot,
  toBatch,
  toIssuer,
  toVerification,
  toVerificationWithIssuer,
  type Fixture,
  type MerkleBatch,
  type Verification,
} from "./helpers";

const BATCH_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

let f: Fixture;
let accreditorRole: string;
let adminRole: string;
/** 37 credentials anchored by issuer A's signer in the fixture. */
const batch37: MerkleBatch = buildBatch(37);
let batch37AnchoredAt: bigint;
let snapshot: string;

beforeAll(async () => {
  f = await deployFixture();
  accreditorRole = await f.registry.ACCREDITOR_ROLE();
  adminRole = await f.registry.DEFAULT_ADMIN_ROLE();
  const receipt = await mined(f.registry.connect(f.signerA).anchor(batch37.root, 37, BATCH_URI));
  batch37AnchoredAt = await blockTimestamp(receipt);
  snapshot = await takeSnapshot();
});

// evm_revert consumes the snapshot, so each test takes the next one.
beforeEach(async () => {
  await revertTo(snapshot);
  snapshot = await takeSnapshot();
});

/** Anchors a fresh single-credential batch (root = its only leaf) and returns its root and time. */
async function anchorFresh(signer: Fixture["signerA"] = f.signerA): Promise<{ root: string; anchoredAt: bigint }> {
  const root = leafOf(randomBytes32());
  const receipt = await mined(f.registry.connect(signer).anchor(root, 1, ""));
  return { root, anchoredAt: await blockTimestamp(receipt) };
}

async function verify(root: string, leaf: string, proof: string[]): Promise<Verification> {
  return toVerification(await f.registry.verify(root, leaf, proof));
}

async function verifyCredential(root: string, digest: string, proof: string[]): Promise<Verification> {
  return toVerification(await f.registry.verifyCredential(root, digest, proof));
}

/** The verification of a valid credential of issuer A anchored at `anchoredAt`. */
function validOfA(anchoredAt: bigint): Verification {
  return {
    status: Status.Valid,
    issuerId: f.issuerA,
    anchoredAt,
    batchRevokedAt: 0n,
    credentialRevokedAt: 0n,
    accreditedUntil: MAX_UINT64,
  };
}

describe("expectRevert (test helper)", () => {
  const unknownIssuer = (): Promise<unknown> => f.registry.getIssuer(7);

  it("passes when the error name and arguments match", async () => {
    await expectRevert(unknownIssuer(), "UnknownIssuer", [7n]);
  });

  it("fails when the error name differs", async () => {
    await expect(expectRevert(unknownIssuer(), "ZeroRoot", [7n])).rejects.toThrow(/revert of ZeroRoot/);
  });

  it("fails when an argument differs", async () => {
    await expect(expectRevert(unknownIssuer(), "UnknownIssuer", [8n])).rejects.toThrow(/revert of UnknownIssuer/);
  });

  it("fails when an argument is missing", async () => {
    await expect(expectRevert(unknownIssuer(), "UnknownIssuer", [])).rejects.toThrow(/revert of UnknownIssuer/);
  });

  it("fails when the call succeeds", async () => {
    await expect(expectRevert(f.registry.getIssuer(1), "UnknownIssuer", [1n])).rejects.toThrow(/succeeded/);
  });

  it("fails when the rejection is not a registry error", async () => {
    await expect(expectRevert(Promise.reject(new Error("network down")), "UnknownIssuer", [1n])).rejects.toThrow(
      /undecodable/,
    );
  });
});

describe("constructor", () => {
  it("grants the admin role to the admin and the accreditor role to the accreditor only", async () => {
    const { registry, admin, accreditor } = f;
    expect(await registry.hasRole(adminRole, admin)).toBe(true);
    expect(await registry.hasRole(accreditorRole, accreditor)).toBe(true);
    expect(await registry.hasRole(accreditorRole, admin)).toBe(false);
    expect(await registry.hasRole(adminRole, accreditor)).toBe(false);
  });

  it("starts with no issuers", async () => {
    const registry = await deployRegistry(f.admin, f.accreditor);
    expect(await registry.issuerCount()).toBe(0n);
    await expectRevert(registry.getIssuer(1), "UnknownIssuer", [1n]);
  });

  it("reverts ZeroAddress when the admin is the zero address", async () => {
    await expectRevert(deployRegistry(ZeroAddress, f.accreditor), "ZeroAddress", []);
  });

  it("reverts ZeroAddress when the accreditor is the zero address", async () => {
    await expectRevert(deployRegistry(f.admin, ZeroAddress), "ZeroAddress", []);
  });
});

describe("registerIssuer", () => {
  it("assigns issuer ids sequentially from 1 and returns them", async () => {
    const { accreditor, signerA, signerB, spare } = f;
    const registry = (await deployRegistry(f.admin, accreditor)).connect(accreditor);
    const signers = [signerA, signerB, spare];
    for (const [index, signer] of signers.entries()) {
      const expectedId = BigInt(index + 1);
      expect(await registry.registerIssuer.staticCall(`Issuer ${expectedId}`, "", signer)).toBe(expectedId);
      const receipt = await mined(registry.registerIssuer(`Issuer ${expectedId}`, `uri ${expectedId}`, signer));
      expect(await eventsOf(registry, receipt)).toEqual([
        { name: "IssuerRegistered", args: [expectedId, `Issuer ${expectedId}`, `uri ${expectedId}`, signer.address] },
        { name: "SignerAdded", args: [expectedId, signer.address, accreditor.address] },
      ]);
      expect(await registry.issuerCount()).toBe(expectedId);
      expect(await registry.issuerOf(signer)).toBe(expectedId);
    }
  });

  it("stores the issuer as active, accredited until uint64 max, with its name and uri", async () => {
    expect(toIssuer(await f.registry.getIssuer(f.issuerA))).toEqual({
      accreditedUntil: MAX_UINT64,
      active: true,
      name: ISSUER_A.name,
      uri: ISSUER_A.uri,
    });
    expect(toIssuer(await f.registry.getIssuer(f.issuerB))).toEqual({
      accreditedUntil: MAX_UINT64,
      active: true,
      name: ISSUER_B.name,
      uri: ISSUER_B.uri,
    });
  });

  it("accepts an empty uri", async () => {
    await mined(f.registry.connect(f.accreditor).registerIssuer("No Website College", "", f.spare));
    expect(toIssuer(await f.registry.getIssuer(3)).uri).toBe("");
  });

  it("reverts AccessControlUnauthorizedAccount when an outsider registers an issuer", async () => {
    await expectRevert(
      f.registry.connect(f.outsider).registerIssuer("Diploma Mill", "", f.outsider),
      "AccessControlUnauthorizedAccount",
      [f.outsider.address, accreditorRole],
    );
  });

  it("reverts AccessControlUnauthorizedAccount when the admin, who lacks the accreditor role, registers an issuer", async () => {
    await expectRevert(
      f.registry.connect(f.admin).registerIssuer("Admin's College", "", f.spare),
      "AccessControlUnauthorizedAccount",
      [f.admin.address, accreditorRole],
    );
  });

  it("lets an account the admin granted the accreditor role register issuers", async () => {
    await mined(f.registry.connect(f.admin).grantRole(accreditorRole, f.outsider));
    await mined(f.registry.connect(f.outsider).registerIssuer("Late College", "", f.spare));
    expect(await f.registry.issuerOf(f.spare)).toBe(3n);
  });

  it("reverts AccessControlUnauthorizedAccount when the accreditor grants roles", async () => {
    await expectRevert(
      f.registry.connect(f.accreditor).grantRole(accreditorRole, f.outsider),
      "AccessControlUnauthorizedAccount",
      [f.accreditor.address, adminRole],
    );
  });

  it("reverts EmptyIssuerName when the name is empty", async () => {
    await expectRevert(f.registry.connect(f.accreditor).registerIssuer("", "uri", f.spare), "EmptyIssuerName", []);
  });

  it("reverts ZeroAddress when the first signer is the zero address", async () => {
    await expectRevert(f.registry.connect(f.accreditor).registerIssuer("College", "", ZeroAddress), "ZeroAddress", []);
  });

  it("reverts SignerAlreadyAssigned when the first signer already signs for another issuer, consuming no id", async () => {
    await expectRevert(
      f.registry.connect(f.accreditor).registerIssuer("College", "", f.signerB),
      "SignerAlreadyAssigned",
      [f.signerB.address, f.issuerB],
    );
    expect(await f.registry.issuerCount()).toBe(2n);
  });
});

describe("updateIssuer", () => {
  it("changes the name and uri, emits IssuerUpdated and keeps the rest of the record", async () => {
    await mined(f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, false));
    const receipt = await mined(f.registry.connect(f.accreditor).updateIssuer(f.issuerA, "OU", "https://new.example"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "IssuerUpdated", args: [f.issuerA, "OU", "https://new.example"] },
    ]);
    expect(toIssuer(await f.registry.getIssuer(f.issuerA))).toEqual({
      accreditedUntil: MAX_UINT64,
      active: false,
      name: "OU",
      uri: "https://new.example",
    });
    expect(toIssuer(await f.registry.getIssuer(f.issuerB)).name).toBe(ISSUER_B.name);
  });

  it("reverts AccessControlUnauthorizedAccount when the issuer's own signer updates it", async () => {
    await expectRevert(
      f.registry.connect(f.signerA).updateIssuer(f.issuerA, "Renamed", ""),
      "AccessControlUnauthorizedAccount",
      [f.signerA.address, accreditorRole],
    );
  });

  it("reverts UnknownIssuer for issuer 0 and for an id past issuerCount", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await expectRevert(asAccreditor.updateIssuer(0, "X", ""), "UnknownIssuer", [0n]);
    await expectRevert(asAccreditor.updateIssuer(3, "X", ""), "UnknownIssuer", [3n]);
  });

  it("reverts EmptyIssuerName when the new name is empty", async () => {
    await expectRevert(f.registry.connect(f.accreditor).updateIssuer(f.issuerA, "", "uri"), "EmptyIssuerName", []);
  });
});

describe("setIssuerActive", () => {
  it("deactivates an issuer, emitting IssuerActiveSet, so that it can anchor no more", async () => {
    const receipt = await mined(f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, false));
    expect(await eventsOf(f.registry, receipt)).toEqual([{ name: "IssuerActiveSet", args: [f.issuerA, false] }]);
    expect(toIssuer(await f.registry.getIssuer(f.issuerA)).active).toBe(false);
    await expectRevert(f.registry.connect(f.signerA).anchor(randomBytes32(), 1, ""), "IssuerInactive", [f.issuerA]);
  });

  it("keeps the earlier batches of a deactivated issuer valid", async () => {
    await mined(f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, false));
    expect(await verify(batch37.root, batch37.leaf(5), batch37.proof(5))).toEqual(validOfA(batch37AnchoredAt));
  });

  it("reactivates an issuer, which can then anchor again", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.setIssuerActive(f.issuerA, false));
    const receipt = await mined(asAccreditor.setIssuerActive(f.issuerA, true));
    expect(await eventsOf(f.registry, receipt)).toEqual([{ name: "IssuerActiveSet", args: [f.issuerA, true] }]);
    expect(toIssuer(await f.registry.getIssuer(f.issuerA)).active).toBe(true);
    const { root, anchoredAt } = await anchorFresh();
    expect(await verify(root, root, [])).toEqual(validOfA(anchoredAt));
  });

  it("reverts IssuerActiveUnchanged when the issuer is already in the requested state", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await expectRevert(asAccreditor.setIssuerActive(f.issuerA, true), "IssuerActiveUnchanged", [f.issuerA, true]);
    await mined(asAccreditor.setIssuerActive(f.issuerA, false));
    await expectRevert(asAccreditor.setIssuerActive(f.issuerA, false), "IssuerActiveUnchanged", [f.issuerA, false]);
  });

  it("reverts AccessControlUnauthorizedAccount when a signer deactivates its own issuer", async () => {
    await expectRevert(
      f.registry.connect(f.signerA).setIssuerActive(f.issuerA, false),
      "AccessControlUnauthorizedAccount",
      [f.signerA.address, accreditorRole],
    );
  });

  it("reverts UnknownIssuer for an unregistered id", async () => {
    await expectRevert(f.registry.connect(f.accreditor).setIssuerActive(3, false), "UnknownIssuer", [3n]);
  });
});

describe("signer records (issuer status copied into each signer)", () => {
  it("blocks and unblocks every signer of an issuer, including ones added while it was blocked", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare.address));
    await mined(asAccreditor.setIssuerActive(f.issuerA, false));
    for (const signer of [f.signerA, f.spare]) {
      await expectRevert(f.registry.connect(signer).anchor(randomBytes32(), 1, ""), "IssuerInactive", [f.issuerA]);
    }
    await mined(asAccreditor.removeSigner(f.issuerA, f.spare.address));
    await mined(asAccreditor.addSigner(f.issuerA, f.spare.address)); // added while inactive
    await expectRevert(f.registry.connect(f.spare).anchor(randomBytes32(), 1, ""), "IssuerInactive", [f.issuerA]);
    await mined(asAccreditor.setIssuerActive(f.issuerA, true));
    await anchorFresh(f.signerA);
    await anchorFresh(f.spare);
    // Issuer B's signer was never affected.
    await anchorFresh(f.signerB);
  });

  it("stops every signer of an issuer once its accreditation is withdrawn, and a signer moved to another issuer takes that issuer's status", async () => {
    await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare.address));
    const now = await latestTimestamp();
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, now, "key compromised"));
    for (const signer of [f.signerA, f.spare]) {
      await expectRevert(f.registry.connect(signer).anchor(randomBytes32(), 1, ""), "IssuerNotAccredited", [
        f.issuerA,
        now,
      ]);
    }
    await mined(f.registry.connect(f.accreditor).removeSigner(f.issuerA, f.spare.address));
    await mined(f.registry.connect(f.signerB).addSigner(f.issuerB, f.spare.address));
    const { root, anchoredAt } = await anchorFresh(f.spare);
    expect((await verify(root, root, [])).issuerId).toBe(f.issuerB);
    expect((await verify(root, root, [])).anchoredAt).toBe(anchoredAt);
  });
});

describe("withdrawAccreditation", () => {
  it("records the end of accreditation and emits AccreditationWithdrawn with the reason", async () => {
    const effectiveFrom = (await latestTimestamp()) + 1000n;
    const receipt = await mined(
      f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, "audit failed"),
    );
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "AccreditationWithdrawn", args: [f.issuerA, effectiveFrom, "audit failed"] },
    ]);
    const issuer = toIssuer(await f.registry.getIssuer(f.issuerA));
    expect(issuer.accreditedUntil).toBe(effectiveFrom);
    expect(issuer.active).toBe(true);
    expect(toIssuer(await f.registry.getIssuer(f.issuerB)).accreditedUntil).toBe(MAX_UINT64);
  });

  it("from a past date, invalidates batches anchored at or after it and keeps earlier ones valid", async () => {
    const t0 = await latestTimestamp();
    const batches: string[] = [];
    for (const offset of [100n, 200n, 300n]) {
      await setNextBlockTimestamp(t0 + offset);
      batches.push((await anchorFresh()).root);
    }
    const [before, at, after] = batches as [string, string, string];
    await increaseTime(3600);
    const effectiveFrom = t0 + 200n;
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, "key leaked"));

    const withdrawn = (anchoredAt: bigint, status: number): Verification => ({
      ...validOfA(anchoredAt),
      status,
      accreditedUntil: effectiveFrom,
    });
    expect(await verify(before, before, [])).toEqual(withdrawn(t0 + 100n, Status.Valid));
    expect(await verify(at, at, [])).toEqual(withdrawn(t0 + 200n, Status.IssuerNotAccredited));
    expect(await verify(after, after, [])).toEqual(withdrawn(t0 + 300n, Status.IssuerNotAccredited));
    expect(await verify(batch37.root, batch37.leaf(0), batch37.proof(0))).toEqual(
      withdrawn(batch37AnchoredAt, Status.Valid),
    );
  });

  it("stops the issuer anchoring with IssuerNotAccredited", async () => {
    const effectiveFrom = await latestTimestamp();
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    await expectRevert(f.registry.connect(f.signerA).anchor(randomBytes32(), 1, ""), "IssuerNotAccredited", [
      f.issuerA,
      effectiveFrom,
    ]);
    await anchorFresh(f.signerB);
  });

  it("from a future date, lets the issuer anchor until the second before it", async () => {
    const effectiveFrom = (await latestTimestamp()) + 100n;
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    await setNextBlockTimestamp(effectiveFrom - 1n);
    const { root, anchoredAt } = await anchorFresh();
    expect(anchoredAt).toBe(effectiveFrom - 1n);
    expect((await verify(root, root, [])).status).toBe(Status.Valid);
    await setNextBlockTimestamp(effectiveFrom);
    await expectRevert(f.registry.connect(f.signerA).anchor(randomBytes32(), 1, ""), "IssuerNotAccredited", [
      f.issuerA,
      effectiveFrom,
    ]);
  });

  it("moves the date earlier on a second withdrawal", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    const now = await latestTimestamp();
    await mined(asAccreditor.withdrawAccreditation(f.issuerA, now + 1000n, "first"));
    await mined(asAccreditor.withdrawAccreditation(f.issuerA, now - 1000n, "worse than thought"));
    expect(toIssuer(await f.registry.getIssuer(f.issuerA)).accreditedUntil).toBe(now - 1000n);
  });

  it("reverts AccreditationNotShortened when a second withdrawal would move the date later or keep it", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    const effectiveFrom = await latestTimestamp();
    await mined(asAccreditor.withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    await expectRevert(
      asAccreditor.withdrawAccreditation(f.issuerA, effectiveFrom + 1n, "oops, reinstate"),
      "AccreditationNotShortened",
      [f.issuerA, effectiveFrom, effectiveFrom + 1n],
    );
    await expectRevert(asAccreditor.withdrawAccreditation(f.issuerA, effectiveFrom, ""), "AccreditationNotShortened", [
      f.issuerA,
      effectiveFrom,
      effectiveFrom,
    ]);
  });

  it("reverts AccreditationNotShortened when withdrawing from uint64 max, which is no withdrawal", async () => {
    await expectRevert(
      f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, MAX_UINT64, ""),
      "AccreditationNotShortened",
      [f.issuerA, MAX_UINT64, MAX_UINT64],
    );
  });

  it("reverts AccessControlUnauthorizedAccount when an outsider withdraws accreditation", async () => {
    await expectRevert(
      f.registry.connect(f.outsider).withdrawAccreditation(f.issuerA, 0, "spite"),
      "AccessControlUnauthorizedAccount",
      [f.outsider.address, accreditorRole],
    );
  });

  it("reverts UnknownIssuer for an unregistered id", async () => {
    await expectRevert(f.registry.connect(f.accreditor).withdrawAccreditation(9, 0, ""), "UnknownIssuer", [9n]);
  });
});

describe("addSigner", () => {
  it("lets a signer of the issuer add a signer, who can then anchor for it", async () => {
    const receipt = await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerAdded", args: [f.issuerA, f.spare.address, f.signerA.address] },
    ]);
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerA);
    const { root } = await anchorFresh(f.spare);
    expect(toBatch(await f.registry.getBatch(root)).issuerId).toBe(f.issuerA);
  });

  it("lets the accreditor add a signer to any issuer", async () => {
    const receipt = await mined(f.registry.connect(f.accreditor).addSigner(f.issuerB, f.spare));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerAdded", args: [f.issuerB, f.spare.address, f.accreditor.address] },
    ]);
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerB);
  });

  it("reverts NotIssuerSigner when a signer of issuer B adds a signer to issuer A", async () => {
    await expectRevert(f.registry.connect(f.signerB).addSigner(f.issuerA, f.spare), "NotIssuerSigner", [
      f.signerB.address,
      f.issuerA,
    ]);
  });

  it("reverts NotIssuerSigner when an outsider adds itself", async () => {
    await expectRevert(f.registry.connect(f.outsider).addSigner(f.issuerA, f.outsider), "NotIssuerSigner", [
      f.outsider.address,
      f.issuerA,
    ]);
  });

  it("reverts SignerAlreadyAssigned, naming the current issuer, when the signer serves another issuer", async () => {
    await expectRevert(f.registry.connect(f.accreditor).addSigner(f.issuerA, f.signerB), "SignerAlreadyAssigned", [
      f.signerB.address,
      f.issuerB,
    ]);
  });

  it("reverts SignerAlreadyAssigned when the signer already serves the same issuer", async () => {
    await expectRevert(f.registry.connect(f.signerA).addSigner(f.issuerA, f.signerA), "SignerAlreadyAssigned", [
      f.signerA.address,
      f.issuerA,
    ]);
  });

  it("reverts ZeroAddress when the signer is the zero address", async () => {
    await expectRevert(f.registry.connect(f.signerA).addSigner(f.issuerA, ZeroAddress), "ZeroAddress", []);
  });

  it("reverts UnknownIssuer for an unregistered id, even for the accreditor", async () => {
    await expectRevert(f.registry.connect(f.accreditor).addSigner(3, f.spare), "UnknownIssuer", [3n]);
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
    expect(await f.registry.issuerOf(f.spare)).toBe(0n);
    await expectRevert(f.registry.connect(f.spare).anchor(randomBytes32(), 1, ""), "NotASigner", [f.spare.address]);
  });

  it("lets the accreditor remove an issuer's last signer, and add a new one", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    const receipt = await mined(asAccreditor.removeSigner(f.issuerB, f.signerB));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "SignerRemoved", args: [f.issuerB, f.signerB.address, f.accreditor.address] },
    ]);
    await mined(asAccreditor.addSigner(f.issuerB, f.spare));
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerB);
  });

  it("lets a signer remove itself", async () => {
    await mined(f.registry.connect(f.signerA).removeSigner(f.issuerA, f.signerA));
    expect(await f.registry.issuerOf(f.signerA)).toBe(0n);
  });

  it("frees a removed signer to be assigned to another issuer", async () => {
    await mined(f.registry.connect(f.accreditor).removeSigner(f.issuerA, f.signerA));
    await mined(f.registry.connect(f.signerB).addSigner(f.issuerB, f.signerA));
    expect(await f.registry.issuerOf(f.signerA)).toBe(f.issuerB);
  });

  it("reverts NotIssuerSigner when a signer of issuer B removes a signer of issuer A", async () => {
    await expectRevert(f.registry.connect(f.signerB).removeSigner(f.issuerA, f.signerA), "NotIssuerSigner", [
      f.signerB.address,
      f.issuerA,
    ]);
  });

  it("reverts SignerNotAssigned when the account signs for no issuer", async () => {
    await expectRevert(f.registry.connect(f.signerA).removeSigner(f.issuerA, f.outsider), "SignerNotAssigned", [
      f.outsider.address,
      f.issuerA,
    ]);
  });

  it("reverts SignerNotAssigned when the account signs for another issuer", async () => {
    await expectRevert(f.registry.connect(f.accreditor).removeSigner(f.issuerA, f.signerB), "SignerNotAssigned", [
      f.signerB.address,
      f.issuerA,
    ]);
  });

  it("reverts UnknownIssuer for an unregistered id", async () => {
    await expectRevert(f.registry.connect(f.accreditor).removeSigner(3, f.signerA), "UnknownIssuer", [3n]);
  });

  it("leaves a removed signer's batches with their issuer, so that a new signer can revoke them (key rotation)", async () => {
    const { root, anchoredAt } = await anchorFresh(f.signerA);
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.addSigner(f.issuerA, f.spare));
    await mined(asAccreditor.removeSigner(f.issuerA, f.signerA));
    expect(toBatch(await f.registry.getBatch(root))).toEqual({ issuerId: f.issuerA, anchoredAt, revokedAt: 0n });
    expect(await verify(root, root, [])).toEqual(validOfA(anchoredAt));

    await expectRevert(f.registry.connect(f.signerA).revokeBatch(root, "old key"), "NotIssuerSigner", [
      f.signerA.address,
      f.issuerA,
    ]);
    const receipt = await mined(f.registry.connect(f.spare).revokeBatch(root, "rotated"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchRevoked", args: [root, f.issuerA, f.spare.address, "rotated"] },
    ]);
  });
});

describe("anchor", () => {
  it("stores the batch with the signer's issuer and the block timestamp, and emits BatchAnchored", async () => {
    const batch = buildBatch(5);
    const receipt = await mined(f.registry.connect(f.signerB).anchor(batch.root, 5, BATCH_URI));
    const anchoredAt = await blockTimestamp(receipt);
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchAnchored", args: [batch.root, f.issuerB, f.signerB.address, 5n, BATCH_URI] },
    ]);
    expect(toBatch(await f.registry.getBatch(batch.root))).toEqual({ issuerId: f.issuerB, anchoredAt, revokedAt: 0n });
  });

  it("stored the fixture batch of issuer A", async () => {
    expect(toBatch(await f.registry.getBatch(batch37.root))).toEqual({
      issuerId: f.issuerA,
      anchoredAt: batch37AnchoredAt,
      revokedAt: 0n,
    });
  });

  it("reverts ZeroRoot for a zero root", async () => {
    await expectRevert(f.registry.connect(f.signerA).anchor(ZeroHash, 1, ""), "ZeroRoot", []);
  });

  it("reverts ZeroCount for an empty batch", async () => {
    await expectRevert(f.registry.connect(f.signerA).anchor(randomBytes32(), 0, ""), "ZeroCount", []);
  });

  it("reverts NotASigner for an outsider", async () => {
    await expectRevert(f.registry.connect(f.outsider).anchor(randomBytes32(), 1, ""), "NotASigner", [
      f.outsider.address,
    ]);
  });

  it("reverts NotASigner for the accreditor, who signs for no issuer", async () => {
    await expectRevert(f.registry.connect(f.accreditor).anchor(randomBytes32(), 1, ""), "NotASigner", [
      f.accreditor.address,
    ]);
  });

  it("reverts NotASigner for a removed signer", async () => {
    await mined(f.registry.connect(f.accreditor).removeSigner(f.issuerA, f.signerA));
    await expectRevert(f.registry.connect(f.signerA).anchor(randomBytes32(), 1, ""), "NotASigner", [f.signerA.address]);
  });

  it("reverts IssuerInactive for a signer of a deactivated issuer", async () => {
    await mined(f.registry.connect(f.accreditor).setIssuerActive(f.issuerB, false));
    await expectRevert(f.registry.connect(f.signerB).anchor(randomBytes32(), 1, ""), "IssuerInactive", [f.issuerB]);
  });

  it("reverts IssuerNotAccredited for a signer of an issuer whose accreditation was withdrawn", async () => {
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerB, 1, ""));
    await expectRevert(f.registry.connect(f.signerB).anchor(randomBytes32(), 1, ""), "IssuerNotAccredited", [
      f.issuerB,
      1n,
    ]);
  });

  it("reverts BatchAlreadyAnchored when the issuer anchors the same root again", async () => {
    await expectRevert(f.registry.connect(f.signerA).anchor(batch37.root, 37, ""), "BatchAlreadyAnchored", [
      batch37.root,
      f.issuerA,
      batch37AnchoredAt,
    ]);
  });

  it("reverts BatchAlreadyAnchored when another issuer anchors a root already anchored", async () => {
    await expectRevert(f.registry.connect(f.signerB).anchor(batch37.root, 37, ""), "BatchAlreadyAnchored", [
      batch37.root,
      f.issuerA,
      batch37AnchoredAt,
    ]);
  });

  // Roots are global, not per issuer: whoever anchors a root first owns it. Verifiers must therefore
  // compare the returned issuerId with the issuer the credential claims.
  it("attributes a root to the issuer that anchored it first, which the other issuer can neither anchor nor revoke", async () => {
    const batch = buildBatch(3);
    const anchoredAt = await blockTimestamp(await mined(f.registry.connect(f.signerB).anchor(batch.root, 3, "")));
    await expectRevert(f.registry.connect(f.signerA).anchor(batch.root, 3, ""), "BatchAlreadyAnchored", [
      batch.root,
      f.issuerB,
      anchoredAt,
    ]);
    await expectRevert(f.registry.connect(f.signerA).revokeBatch(batch.root, ""), "NotIssuerSigner", [
      f.signerA.address,
      f.issuerB,
    ]);
    expect((await verify(batch.root, batch.leaf(0), batch.proof(0))).issuerId).toBe(f.issuerB);
  });
});

describe("revokeBatch", () => {
  it("records the revocation time and emits BatchRevoked, keeping issuer and anchoring time", async () => {
    const receipt = await mined(f.registry.connect(f.signerA).revokeBatch(batch37.root, "printed wrong grades"));
    const revokedAt = await blockTimestamp(receipt);
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchRevoked", args: [batch37.root, f.issuerA, f.signerA.address, "printed wrong grades"] },
    ]);
    expect(toBatch(await f.registry.getBatch(batch37.root))).toEqual({
      issuerId: f.issuerA,
      anchoredAt: batch37AnchoredAt,
      revokedAt,
    });
  });

  it("lets any signer of the batch's issuer revoke, not only the one who anchored", async () => {
    await mined(f.registry.connect(f.accreditor).addSigner(f.issuerA, f.spare));
    await mined(f.registry.connect(f.spare).revokeBatch(batch37.root, ""));
    expect(toBatch(await f.registry.getBatch(batch37.root)).revokedAt).not.toBe(0n);
  });

  it("lets a signer of a deactivated, withdrawn issuer still revoke its batches", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.setIssuerActive(f.issuerA, false));
    await mined(asAccreditor.withdrawAccreditation(f.issuerA, 0, ""));
    await mined(f.registry.connect(f.signerA).revokeBatch(batch37.root, ""));
    expect(toBatch(await f.registry.getBatch(batch37.root)).revokedAt).not.toBe(0n);
  });

  it("reverts NotIssuerSigner when a signer of issuer B revokes issuer A's batch", async () => {
    await expectRevert(f.registry.connect(f.signerB).revokeBatch(batch37.root, ""), "NotIssuerSigner", [
      f.signerB.address,
      f.issuerA,
    ]);
  });

  it("reverts NotIssuerSigner when the accreditor revokes a batch", async () => {
    await expectRevert(f.registry.connect(f.accreditor).revokeBatch(batch37.root, ""), "NotIssuerSigner", [
      f.accreditor.address,
      f.issuerA,
    ]);
  });

  it("reverts BatchAlreadyRevoked with the stored time when revoked twice", async () => {
    const asSigner = f.registry.connect(f.signerA);
    const revokedAt = await blockTimestamp(await mined(asSigner.revokeBatch(batch37.root, "")));
    await increaseTime(60);
    await expectRevert(asSigner.revokeBatch(batch37.root, ""), "BatchAlreadyRevoked", [batch37.root, revokedAt]);
  });

  it("reverts BatchNotAnchored for an unknown root", async () => {
    const root = randomBytes32();
    await expectRevert(f.registry.connect(f.signerA).revokeBatch(root, ""), "BatchNotAnchored", [root]);
  });
});

describe("revokeCredential", () => {
  it("records the revocation time of that leaf only and emits CredentialRevoked", async () => {
    const leaf = batch37.leaf(3);
    const receipt = await mined(f.registry.connect(f.signerA).revokeCredential(batch37.root, leaf, "plagiarism"));
    const revokedAt = await blockTimestamp(receipt);
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "CredentialRevoked", args: [batch37.root, leaf, f.issuerA, f.signerA.address, "plagiarism"] },
    ]);
    expect(await f.registry.credentialRevokedAt(batch37.root, leaf)).toBe(revokedAt);
    expect(await f.registry.credentialRevokedAt(batch37.root, batch37.leaf(4))).toBe(0n);
    expect(toBatch(await f.registry.getBatch(batch37.root)).revokedAt).toBe(0n);
  });

  it("revokes the leaf in that batch only when another batch holds the same leaf", async () => {
    const leaf = batch37.leaf(0);
    const other = processProof(leaf, [randomBytes32()]);
    await mined(f.registry.connect(f.signerA).anchor(other, 2, ""));
    await mined(f.registry.connect(f.signerA).revokeCredential(batch37.root, leaf, ""));
    expect(await f.registry.credentialRevokedAt(other, leaf)).toBe(0n);
  });

  it("reverts NotIssuerSigner when a signer of issuer B revokes a credential of issuer A", async () => {
    await expectRevert(
      f.registry.connect(f.signerB).revokeCredential(batch37.root, batch37.leaf(0), ""),
      "NotIssuerSigner",
      [f.signerB.address, f.issuerA],
    );
  });

  it("reverts CredentialAlreadyRevoked with the stored time when revoked twice", async () => {
    const asSigner = f.registry.connect(f.signerA);
    const leaf = batch37.leaf(9);
    const revokedAt = await blockTimestamp(await mined(asSigner.revokeCredential(batch37.root, leaf, "")));
    await increaseTime(60);
    await expectRevert(asSigner.revokeCredential(batch37.root, leaf, ""), "CredentialAlreadyRevoked", [
      batch37.root,
      leaf,
      revokedAt,
    ]);
  });

  it("reverts BatchNotAnchored for an unknown root", async () => {
    const root = randomBytes32();
    await expectRevert(f.registry.connect(f.signerA).revokeCredential(root, batch37.leaf(0), ""), "BatchNotAnchored", [
      root,
    ]);
  });
});

describe("leafOf", () => {
  it("matches the double keccak of the ABI-encoded digest computed off chain", async () => {
    for (const digest of [ZeroHash, `0x${"ff".repeat(32)}`, ...batch37.digests.slice(0, 8)]) {
      expect(await f.registry.leafOf(digest)).toBe(leafOf(digest));
    }
  });
});

describe("verify", () => {
  it("finds every credential of a 37-leaf batch Valid", async () => {
    for (const [index, leaf] of batch37.leaves.entries()) {
      expect(await verify(batch37.root, leaf, batch37.proof(index))).toEqual(validOfA(batch37AnchoredAt));
    }
  });

  it("finds a single-credential batch Valid with an empty proof", async () => {
    const batch = buildBatch(1);
    expect(batch.root).toBe(batch.leaf(0));
    expect(batch.proof(0)).toEqual([]);
    const anchoredAt = await blockTimestamp(await mined(f.registry.connect(f.signerA).anchor(batch.root, 1, "")));
    expect(await verify(batch.root, batch.leaf(0), [])).toEqual(validOfA(anchoredAt));
  });

  describe("returns BadProof, with the batch record but no issuer record,", () => {
    const index = 11;
    const badProof = (): Verification => ({
      status: Status.BadProof,
      issuerId: f.issuerA,
      anchoredAt: batch37AnchoredAt,
      batchRevokedAt: 0n,
      credentialRevokedAt: 0n,
      accreditedUntil: 0n,
    });

    it("for a proof with one wrong element", async () => {
      const proof = batch37.proof(index);
      proof[2] = randomBytes32();
      expect(await verify(batch37.root, batch37.leaf(index), proof)).toEqual(badProof());
    });

    it("for a reordered proof", async () => {
      const [first, second, ...rest] = batch37.proof(index);
      if (first === undefined || second === undefined) throw new Error("proof too short");
      expect(await verify(batch37.root, batch37.leaf(index), [second, first, ...rest])).toEqual(badProof());
    });

    it("for a truncated proof", async () => {
      const proof = batch37.proof(index);
      expect(await verify(batch37.root, batch37.leaf(index), proof.slice(0, -1))).toEqual(badProof());
      expect(await verify(batch37.root, batch37.leaf(index), [])).toEqual(badProof());
    });

    it("for a proof with an extra element", async () => {
      const proof = [...batch37.proof(index), randomBytes32()];
      expect(await verify(batch37.root, batch37.leaf(index), proof)).toEqual(badProof());
    });

    it("for another credential's proof", async () => {
      expect(await verify(batch37.root, batch37.leaf(index), batch37.proof(index + 1))).toEqual(badProof());
    });

    it("for a credential of another tree", async () => {
      const other = buildBatch(37);
      expect(await verify(batch37.root, other.leaf(index), other.proof(index))).toEqual(badProof());
    });

    it("even when the batch is revoked, reporting its revocation time", async () => {
      const revokedAt = await blockTimestamp(await mined(f.registry.connect(f.signerA).revokeBatch(batch37.root, "")));
      expect(await verify(batch37.root, randomBytes32(), [])).toEqual({ ...badProof(), batchRevokedAt: revokedAt });
    });
  });

  it("returns NotAnchored with issuer 0 and no records for an unknown root", async () => {
    const batch = buildBatch(4);
    expect(await verify(batch.root, batch.leaf(0), batch.proof(0))).toEqual({
      status: Status.NotAnchored,
      issuerId: 0n,
      anchoredAt: 0n,
      batchRevokedAt: 0n,
      credentialRevokedAt: 0n,
      accreditedUntil: 0n,
    });
  });

  it("returns BatchRevoked with the revocation time for every credential of a revoked batch", async () => {
    const revokedAt = await blockTimestamp(await mined(f.registry.connect(f.signerA).revokeBatch(batch37.root, "")));
    for (const index of [0, 17, 36]) {
      expect(await verify(batch37.root, batch37.leaf(index), batch37.proof(index))).toEqual({
        ...validOfA(batch37AnchoredAt),
        status: Status.BatchRevoked,
        batchRevokedAt: revokedAt,
      });
    }
  });

  it("returns CredentialRevoked for a revoked credential and Valid for its neighbours", async () => {
    const leaf = batch37.leaf(20);
    const revokedAt = await blockTimestamp(
      await mined(f.registry.connect(f.signerA).revokeCredential(batch37.root, leaf, "")),
    );
    expect(await verify(batch37.root, leaf, batch37.proof(20))).toEqual({
      ...validOfA(batch37AnchoredAt),
      status: Status.CredentialRevoked,
      credentialRevokedAt: revokedAt,
    });
    expect(await verify(batch37.root, batch37.leaf(21), batch37.proof(21))).toEqual(validOfA(batch37AnchoredAt));
  });

  it("reports BatchRevoked before CredentialRevoked before IssuerNotAccredited, with every timestamp", async () => {
    const asSigner = f.registry.connect(f.signerA);
    const leaf = batch37.leaf(2);
    const credentialRevokedAt = await blockTimestamp(await mined(asSigner.revokeCredential(batch37.root, leaf, "")));
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, batch37AnchoredAt, ""));
    const expected: Verification = {
      status: Status.CredentialRevoked,
      issuerId: f.issuerA,
      anchoredAt: batch37AnchoredAt,
      batchRevokedAt: 0n,
      credentialRevokedAt,
      accreditedUntil: batch37AnchoredAt,
    };
    expect(await verify(batch37.root, leaf, batch37.proof(2))).toEqual(expected);
    expect(await verify(batch37.root, batch37.leaf(3), batch37.proof(3))).toEqual({
      ...expected,
      status: Status.IssuerNotAccredited,
      credentialRevokedAt: 0n,
    });
    const batchRevokedAt = await blockTimestamp(await mined(asSigner.revokeBatch(batch37.root, "")));
    expect(await verify(batch37.root, leaf, batch37.proof(2))).toEqual({
      ...expected,
      status: Status.BatchRevoked,
      batchRevokedAt,
    });
  });

  it("accepts an internal node as a leaf, which is why callers must derive leaves or use verifyCredential", async () => {
    const node = batch37.tree.getHexLayers()[1]?.[0];
    if (node === undefined) throw new Error("tree has no second layer");
    expect(processProof(batch37.leaf(0), [batch37.proof(0)[0] ?? ""])).toBe(node);
    expect(await verify(batch37.root, node, batch37.proof(0).slice(1))).toEqual(validOfA(batch37AnchoredAt));
  });
});

describe("verifyCredential", () => {
  it("finds every credential digest of a 37-leaf batch Valid", async () => {
    for (const [index, digest] of batch37.digests.entries()) {
      expect(await verifyCredential(batch37.root, digest, batch37.proof(index))).toEqual(validOfA(batch37AnchoredAt));
    }
  });

  it("returns BadProof when an internal node is presented as a digest", async () => {
    const node = batch37.tree.getHexLayers()[1]?.[0];
    if (node === undefined) throw new Error("tree has no second layer");
    expect((await verifyCredential(batch37.root, node, batch37.proof(0).slice(1))).status).toBe(Status.BadProof);
  });

  it("returns BadProof when the leaf is passed instead of the digest", async () => {
    expect((await verifyCredential(batch37.root, batch37.leaf(0), batch37.proof(0))).status).toBe(Status.BadProof);
  });

  it("returns CredentialRevoked for a digest whose leaf was revoked", async () => {
    const revokedAt = await blockTimestamp(
      await mined(f.registry.connect(f.signerA).revokeCredential(batch37.root, leafOf(batch37.digest(30)), "")),
    );
    expect(await verifyCredential(batch37.root, batch37.digest(30), batch37.proof(30))).toEqual({
      ...validOfA(batch37AnchoredAt),
      status: Status.CredentialRevoked,
      credentialRevokedAt: revokedAt,
    });
  });

  it("returns NotAnchored for an unknown root", async () => {
    expect((await verifyCredential(randomBytes32(), batch37.digest(0), batch37.proof(0))).status).toBe(
      Status.NotAnchored,
    );
  });
});

describe("verifyWithIssuer", () => {
  it("returns the verification and the issuer's current name, uri and accreditation", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.updateIssuer(f.issuerA, "OU (renamed)", "https://renamed.example"));
    const effectiveFrom = (await latestTimestamp()) + 10_000n;
    await mined(asAccreditor.withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    const result = toVerificationWithIssuer(
      await f.registry.verifyWithIssuer(batch37.root, batch37.leaf(8), batch37.proof(8)),
    );
    expect(result).toEqual({
      verification: { ...validOfA(batch37AnchoredAt), accreditedUntil: effectiveFrom },
      issuer: { accreditedUntil: effectiveFrom, active: true, name: "OU (renamed)", uri: "https://renamed.example" },
    });
  });

  it("returns the issuer of the batch, not of the caller", async () => {
    const { root } = await anchorFresh(f.signerB);
    const result = toVerificationWithIssuer(await f.registry.connect(f.signerA).verifyWithIssuer(root, root, []));
    expect(result.issuer).toEqual({ accreditedUntil: MAX_UINT64, active: true, ...ISSUER_B });
  });

  it("returns the issuer record even for a bad proof", async () => {
    const result = toVerificationWithIssuer(await f.registry.verifyWithIssuer(batch37.root, randomBytes32(), []));
    expect(result.verification.status).toBe(Status.BadProof);
    expect(result.issuer.name).toBe(ISSUER_A.name);
  });

  it("returns an empty issuer record for an unknown root", async () => {
    const result = toVerificationWithIssuer(await f.registry.verifyWithIssuer(randomBytes32(), randomBytes32(), []));
    expect(result.verification.status).toBe(Status.NotAnchored);
    expect(result.issuer).toEqual({ accreditedUntil: 0n, active: false, name: "", uri: "" });
  });
});

describe("getBatch", () => {
  it("returns an all-zero record for a root never anchored", async () => {
    expect(toBatch(await f.registry.getBatch(randomBytes32()))).toEqual({
      issuerId: 0n,
      anchoredAt: 0n,
      revokedAt: 0n,
    });
  });
});

describe("credentialRevokedAt", () => {
  it("returns 0 for a credential never revoked, even of an unknown root", async () => {
    expect(await f.registry.credentialRevokedAt(batch37.root, batch37.leaf(0))).toBe(0n);
    expect(await f.registry.credentialRevokedAt(randomBytes32(), randomBytes32())).toBe(0n);
  });
});

describe("getIssuer", () => {
  it("reverts UnknownIssuer for issuer 0 and for an id past issuerCount", async () => {
    await expectRevert(f.registry.getIssuer(0), "UnknownIssuer", [0n]);
    await expectRevert(f.registry.getIssuer(3), "UnknownIssuer", [3n]);
  });
});

describe("issuerOf", () => {
  it("returns the signer's issuer, and 0 for an account that signs for none", async () => {
    expect(await f.registry.issuerOf(f.signerA)).toBe(f.issuerA);
    expect(await f.registry.issuerOf(f.signerB)).toBe(f.issuerB);
    expect(await f.registry.issuerOf(f.accreditor)).toBe(0n);
    expect(await f.registry.issuerOf(f.outsider)).toBe(0n);
  });
});

describe("issuerCount", () => {
  it("counts the registered issuers", async () => {
    expect(await f.registry.issuerCount()).toBe(2n);
    await mined(f.registry.connect(f.accreditor).registerIssuer("Third", "", f.spare));
    expect(await f.registry.issuerCount()).toBe(3n);
  });
});

describe("batch record invariant", () => {
  /** Operations that touch issuer A and its batch `root`; some of them are meant to revert. */
  type Operation = (root: string) => Promise<ContractTransactionResponse>;
  const operations: Record<string, Operation> = {
    revokeCredential: (root) => f.registry.connect(f.signerA).revokeCredential(root, randomBytes32(), "op"),
    revokeBatch: (root) => f.registry.connect(f.signerA).revokeBatch(root, "op"),
    removeSigner: () => f.registry.connect(f.accreditor).removeSigner(f.issuerA, f.signerA),
    addSigner: () => f.registry.connect(f.accreditor).addSigner(f.issuerA, f.signerA),
    deactivate: () => f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, false),
    reactivate: () => f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, true),
    withdraw: async () =>
      f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, (await latestTimestamp()) - 1n, "op"),
    updateIssuer: () => f.registry.connect(f.accreditor).updateIssuer(f.issuerA, "Renamed", "uri"),
    anchorAgainByIssuer: (root) => f.registry.connect(f.signerA).anchor(root, 1, ""),
    anchorAgainByOther: (root) => f.registry.connect(f.signerB).anchor(root, 1, ""),
  };
  const mustRevert = new Set(["anchorAgainByIssuer", "anchorAgainByOther"]);

  /** Runs an operation; a revert must be a registry error (and is required for a duplicate anchor). */
  async function apply(name: string, root: string): Promise<void> {
    const operation = operations[name];
    if (operation === undefined) throw new Error(`no operation ${name}`);
    try {
      await mined(operation(root));
    } catch (error) {
      if (decodeRevert(error) === null) throw error;
      return;
    }
    if (mustRevert.has(name)) expect.fail(`${name} succeeded on an anchored root`);
  }

  async function expectBatchKept(root: string, anchoredAt: bigint, step: string): Promise<void> {
    const batch = toBatch(await f.registry.getBatch(root));
    expect({ issuerId: batch.issuerId, anchoredAt: batch.anchoredAt }, `after ${step}`).toEqual({
      issuerId: f.issuerA,
      anchoredAt,
    });
  }

  it("keeps a batch's issuer and anchoring time through every operation in turn", async () => {
    const { root, anchoredAt } = await anchorFresh();
    for (const name of Object.keys(operations)) {
      await increaseTime(7);
      await apply(name, root);
      await expectBatchKept(root, anchoredAt, name);
    }
    expect(toBatch(await f.registry.getBatch(root)).revokedAt).not.toBe(0n);
  });

  it("keeps a batch's issuer and anchoring time through random sequences of operations", async () => {
    const names = Object.keys(operations);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 8 }), async (sequence) => {
        const start = await takeSnapshot();
        try {
          const { root, anchoredAt } = await anchorFresh();
          let revokedAt = 0n;
          for (const name of sequence) {
            await apply(name, root);
            await expectBatchKept(root, anchoredAt, name);
            // A revocation, once made, is never moved or undone either.
            const current = toBatch(await f.registry.getBatch(root)).revokedAt;
            if (revokedAt !== 0n) expect(current).toBe(revokedAt);
            revokedAt = current;
          }
        } finally {
          await revertTo(start);
        }
      }),
      { numRuns: 20 },
    );
  });
});

describe("gas", () => {
  it("stays within bounds for anchor and for verify at 10 and 20 tree levels", async () => {
    const asSigner = f.registry.connect(f.signerA);
    const anchorGas = (await mined(asSigner.anchor(randomBytes32(), 1024, BATCH_URI))).gasUsed;

    const batch1024 = buildBatch(1024);
    const proof10 = batch1024.proof(777);
    expect(proof10).toHaveLength(10);
    await mined(asSigner.anchor(batch1024.root, 1024, BATCH_URI));
    expect((await verify(batch1024.root, batch1024.leaf(777), proof10)).status).toBe(Status.Valid);
    const verify10 = await f.registry.verify.estimateGas(batch1024.root, batch1024.leaf(777), proof10);

    // 2^20 leaves: any 20 siblings lead from a leaf to some root; anchoring that root makes the proof valid.
    const leaf20 = leafOf(randomBytes32());
    const proof20 = Array.from({ length: 20 }, randomBytes32);
    const root20 = processProof(leaf20, proof20);
    await mined(asSigner.anchor(root20, 2 ** 20, BATCH_URI));
    expect((await verify(root20, leaf20, proof20)).status).toBe(Status.Valid);
    const verify20 = await f.registry.verify.estimateGas(root20, leaf20, proof20);

    console.log(`gas | anchor (receipt.gasUsed, ${BATCH_URI.length}-char uri) | ${anchorGas}`);
    console.log(`gas | verify, 10 levels (estimateGas)             | ${verify10}`);
    console.log(`gas | verify, 20 levels (estimateGas)             | ${verify20}`);

    expect(anchorGas).toBeLessThan(80_000n);
    expect(verify10).toBeLessThan(45_000n);
    expect(verify20).toBeGreaterThan(verify10);
    expect(verify20).toBeLessThan(verify10 + 20n * 400n);
  });
});
