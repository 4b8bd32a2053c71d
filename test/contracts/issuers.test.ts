import { ZeroAddress } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBatchId, randomBytes32 } from "./batches";
import { anchorBatch, validOf, verifyOf, type Anchored } from "./calls";
import {
  ISSUER_B,
  MAX_UINT64,
  deployFixture,
  deployRegistry,
  eventsOf,
  expectRevert,
  increaseTime,
  latestTimestamp,
  mined,
  setNextBlockTimestamp,
  snapshots,
  toIssuer,
  toSignerRecord,
  type Fixture,
} from "./helpers";

/** What the accreditor does to issuers: register, update, deactivate, withdraw accreditation. */

let f: Fixture;
let accreditorRole: string;
/** A batch of 5 credentials anchored by issuer A in the fixture. */
let fixtureBatch: Anchored;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  accreditorRole = await f.registry.ACCREDITOR_ROLE();
  fixtureBatch = await anchorBatch(f, f.signerA, f.issuerA, { size: 5 });
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const anchorOne = (signer = f.signerA, issuerId = f.issuerA) => anchorBatch(f, signer, issuerId, { size: 1 });
const anchorRandom = (signer = f.signerA) => f.registry.connect(signer).anchor(randomBatchId(), randomBytes32(), 1, "");

describe("registerIssuer", () => {
  it("assigns issuer ids sequentially from 1, returns them and binds the first signer", async () => {
    const { accreditor, signerA, signerB, spare } = f;
    const registry = (await deployRegistry(f.admin, accreditor)).connect(accreditor);
    for (const [index, signer] of [signerA, signerB, spare].entries()) {
      const id = BigInt(index + 1);
      expect(await registry.registerIssuer.staticCall(`Issuer ${id}`, "", signer)).toBe(id);
      const receipt = await mined(registry.registerIssuer(`Issuer ${id}`, `uri ${id}`, signer));
      expect(await eventsOf(registry, receipt)).toEqual([
        { name: "IssuerRegistered", args: [id, `Issuer ${id}`, `uri ${id}`, signer.address] },
        { name: "SignerAdded", args: [id, signer.address, accreditor.address] },
      ]);
      expect(await registry.issuerCount()).toBe(id);
      expect(await registry.issuerOf(signer)).toBe(id);
      expect(toSignerRecord(await registry.signerRecord(signer))).toEqual({ issuerId: id, active: true });
      expect(await registry.getSigners(id)).toEqual([signer.address]);
    }
  });

  it("accepts an empty uri", async () => {
    await mined(f.registry.connect(f.accreditor).registerIssuer("No Website College", "", f.spare));
    expect(toIssuer(await f.registry.getIssuer(4)).uri).toBe("");
  });

  it("reverts AccessControlUnauthorizedAccount for an outsider and for the admin, who lacks the accreditor role", async () => {
    for (const account of [f.outsider, f.admin, f.signerA]) {
      await expectRevert(
        f.registry.connect(account).registerIssuer("Diploma Mill", "", f.spare),
        "AccessControlUnauthorizedAccount",
        [account.address, accreditorRole],
      );
    }
  });

  it("reverts EmptyIssuerName when the name is empty", async () => {
    await expectRevert(f.registry.connect(f.accreditor).registerIssuer("", "uri", f.spare), "EmptyIssuerName", []);
  });

  it("reverts ZeroAddress when the first signer is the zero address", async () => {
    await expectRevert(f.registry.connect(f.accreditor).registerIssuer("College", "", ZeroAddress), "ZeroAddress", []);
  });

  it("reverts SignerAlreadyAssigned when the first signer signs for another issuer, consuming no id", async () => {
    await expectRevert(
      f.registry.connect(f.accreditor).registerIssuer("College", "", f.signerB),
      "SignerAlreadyAssigned",
      [f.signerB.address, f.issuerB],
    );
    expect(await f.registry.issuerCount()).toBe(3n);
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
    await expectRevert(asAccreditor.updateIssuer(4, "X", ""), "UnknownIssuer", [4n]);
  });

  it("reverts EmptyIssuerName when the new name is empty", async () => {
    await expectRevert(f.registry.connect(f.accreditor).updateIssuer(f.issuerA, "", "uri"), "EmptyIssuerName", []);
  });
});

describe("setIssuerActive", () => {
  it("deactivates an issuer, emitting IssuerActiveSet, so that none of its signers can anchor", async () => {
    await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare));
    const receipt = await mined(f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, false));
    expect(await eventsOf(f.registry, receipt)).toEqual([{ name: "IssuerActiveSet", args: [f.issuerA, false] }]);
    expect(toIssuer(await f.registry.getIssuer(f.issuerA)).active).toBe(false);
    for (const signer of [f.signerA, f.spare]) {
      await expectRevert(anchorRandom(signer), "IssuerInactive", [f.issuerA]);
    }
    // The signers keep their records; only the issuer's flag changed.
    expect(await f.registry.issuerOf(f.spare)).toBe(f.issuerA);
    await anchorOne(f.signerB, f.issuerB);
  });

  it("stops a signer added while the issuer was inactive, and lets every signer anchor once reactivated", async () => {
    const asAccreditor = f.registry.connect(f.accreditor);
    await mined(asAccreditor.setIssuerActive(f.issuerA, false));
    await mined(asAccreditor.addSigner(f.issuerA, f.spare));
    await expectRevert(anchorRandom(f.spare), "IssuerInactive", [f.issuerA]);
    const receipt = await mined(asAccreditor.setIssuerActive(f.issuerA, true));
    expect(await eventsOf(f.registry, receipt)).toEqual([{ name: "IssuerActiveSet", args: [f.issuerA, true] }]);
    for (const signer of [f.signerA, f.spare]) {
      const { batch, anchoredAt } = await anchorOne(signer);
      expect(await verifyOf(f.registry, batch.request(0))).toEqual(validOf(batch, 0, anchoredAt, MAX_UINT64));
    }
  });

  it("keeps the earlier batches of a deactivated issuer valid", async () => {
    await mined(f.registry.connect(f.accreditor).setIssuerActive(f.issuerA, false));
    const { batch, anchoredAt } = fixtureBatch;
    expect(await verifyOf(f.registry, batch.request(3))).toEqual(validOf(batch, 3, anchoredAt, MAX_UINT64));
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
    await expectRevert(f.registry.connect(f.accreditor).setIssuerActive(4, false), "UnknownIssuer", [4n]);
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
    const batches: Anchored[] = [];
    for (const offset of [100n, 200n, 300n]) {
      await setNextBlockTimestamp(t0 + offset);
      batches.push(await anchorOne());
    }
    await increaseTime(3600);
    const effectiveFrom = t0 + 200n;
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, "key leaked"));

    const expected = ["valid", "issuer-not-accredited", "issuer-not-accredited"];
    for (const [i, { batch, anchoredAt }] of batches.entries()) {
      expect(anchoredAt).toBe(t0 + 100n * BigInt(i + 1));
      expect(await verifyOf(f.registry, batch.request(0))).toEqual({
        ...validOf(batch, 0, anchoredAt, effectiveFrom),
        status: expected[i],
      });
    }
    const { batch, anchoredAt } = fixtureBatch;
    expect(await verifyOf(f.registry, batch.request(0))).toEqual(validOf(batch, 0, anchoredAt, effectiveFrom));
  });

  it("stops every signer of the issuer anchoring with IssuerNotAccredited, and no other issuer", async () => {
    await mined(f.registry.connect(f.signerA).addSigner(f.issuerA, f.spare));
    const effectiveFrom = await latestTimestamp();
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    for (const signer of [f.signerA, f.spare]) {
      await expectRevert(anchorRandom(signer), "IssuerNotAccredited", [f.issuerA, effectiveFrom]);
    }
    await anchorOne(f.signerB, f.issuerB);
  });

  it("from a future date, lets the issuer anchor until the second before it", async () => {
    const effectiveFrom = (await latestTimestamp()) + 100n;
    await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    await setNextBlockTimestamp(effectiveFrom - 1n);
    const { batch, anchoredAt } = await anchorOne();
    expect(anchoredAt).toBe(effectiveFrom - 1n);
    expect((await verifyOf(f.registry, batch.request(0))).status).toBe("valid");
    await setNextBlockTimestamp(effectiveFrom);
    await expectRevert(anchorRandom(), "IssuerNotAccredited", [f.issuerA, effectiveFrom]);
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

  it("reverts AccessControlUnauthorizedAccount when an outsider or the issuer's signer withdraws accreditation", async () => {
    for (const account of [f.outsider, f.signerA]) {
      await expectRevert(
        f.registry.connect(account).withdrawAccreditation(f.issuerA, 0, "spite"),
        "AccessControlUnauthorizedAccount",
        [account.address, accreditorRole],
      );
    }
  });

  it("reverts UnknownIssuer for an unregistered id", async () => {
    await expectRevert(f.registry.connect(f.accreditor).withdrawAccreditation(9, 0, ""), "UnknownIssuer", [9n]);
  });
});
