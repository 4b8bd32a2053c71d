import hre from "hardhat";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type VerifyGasProbe, VerifyGasProbe__factory } from "../../harness/contracts";
import { batchIdSharingBit, digestSharingBit, filterBit, randomBatchId, randomBytes32 } from "./batches";
import { anchorBatch, validOf, verifyEverywhere, verifyManyOf, verifyWithIssuerOf, type Anchored } from "./calls";
import {
  ISSUER_A,
  MAX_UINT64,
  blockTimestamp,
  deployFixture,
  mined,
  snapshots,
  toIssuer,
  type Fixture,
  type VerifyRequest,
} from "./helpers";

/**
 * The issuer's revocation filter: one bit per revoked batch id and per revoked digest, kept in the
 * issuer's first slot, which `verify` reads anyway. A clear bit lets `verify` skip the revocation's
 * own slot; a set bit, whoever set it, makes it read the slot. Sound as long as every revocation
 * sets its bit and nothing clears one: these tests revoke ids and digests whose bits other
 * revocations set first, and measure what `verify` reads through a calling contract.
 * (test/contracts/property.test.ts draws its batch ids and digests in pairs sharing a bit.)
 */

/** A random batch id whose filter bit is not `taken`'s. */
function batchIdAvoiding(taken: string): string {
  for (;;) {
    const id = randomBatchId();
    if (filterBit(id) !== filterBit(taken)) return id;
  }
}

/** A random digest whose filter bit is not `taken`'s. */
function digestAvoiding(taken: string): string {
  for (;;) {
    const digest = randomBytes32();
    if (filterBit(digest) !== filterBit(taken)) return digest;
  }
}

let f: Fixture;
let probe: VerifyGasProbe;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  const factory = await hre.ethers.getContractFactory("VerifyGasProbe");
  const deployed = await (await factory.deploy()).waitForDeployment();
  probe = VerifyGasProbe__factory.connect(await deployed.getAddress(), hre.ethers.provider);
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const as = (signer = f.signerA) => f.registry.connect(signer);

/** Gas `VerifyGasProbe` measures for `request`, with the status it saw. */
async function probeGas(request: VerifyRequest): Promise<{ gas: bigint; status: bigint }> {
  const { issuerId, batchId, root, digest, proof } = request;
  const [gas, status] = await probe.measureVerify(
    await f.registry.getAddress(),
    issuerId,
    batchId,
    root,
    digest,
    proof,
  );
  return { gas, status };
}

describe("revocation filter", () => {
  it("still reports a revoked batch and a revoked credential whose bits other revocations set first", async () => {
    const first = await anchorBatch(f, f.signerA, f.issuerA, { size: 3 });
    const twin = await anchorBatch(f, f.signerA, f.issuerA, {
      batchId: batchIdSharingBit(first.batch.batchId),
      digests: [digestSharingBit(first.batch.digest(0)), randomBytes32()],
    });
    const firstRevokedAt = await blockTimestamp(await mined(as().revokeBatch(first.batch.batchId, "")));
    const digestRevokedAt = await blockTimestamp(await mined(as().revokeCredential(first.batch.digest(0), "")));
    // The twin shares both bits: read, found unrevoked.
    expect(await verifyEverywhere(f.registry, twin.batch.request(0))).toEqual(
      validOf(twin.batch, 0, twin.anchoredAt, MAX_UINT64),
    );
    // Revoking the twin's batch id and digest, bits already set, is seen.
    const twinRevokedAt = await blockTimestamp(await mined(as().revokeBatch(twin.batch.batchId, "")));
    const twinDigestAt = await blockTimestamp(await mined(as().revokeCredential(twin.batch.digest(0), "")));
    expect(await verifyEverywhere(f.registry, twin.batch.request(0))).toEqual({
      ...validOf(twin.batch, 0, twin.anchoredAt, MAX_UINT64),
      status: "batch-revoked",
      batchRevokedAt: twinRevokedAt,
      credentialRevokedAt: twinDigestAt,
    });
    expect(await verifyEverywhere(f.registry, first.batch.request(0))).toEqual({
      ...validOf(first.batch, 0, first.anchoredAt, MAX_UINT64),
      status: "batch-revoked",
      batchRevokedAt: firstRevokedAt,
      credentialRevokedAt: digestRevokedAt,
    });
  });

  it("keeps each issuer's filter its own: B's revocations set no bit of A", async () => {
    const a = await anchorBatch(f, f.signerA, f.issuerA, { size: 2 });
    await mined(as(f.signerB).revokeBatch(a.batch.batchId, ""));
    await mined(as(f.signerB).revokeCredential(a.batch.digest(0), ""));
    const clear = await probeGas(a.batch.request(0));
    const other = await anchorBatch(f, f.signerA, f.issuerA, { size: 2 });
    expect(await probeGas(other.batch.request(0))).toEqual(clear);
    expect(await verifyEverywhere(f.registry, a.batch.request(0))).toEqual(
      validOf(a.batch, 0, a.anchoredAt, MAX_UINT64),
    );
  });

  it("survives every later write to the issuer's first slot: deactivation, withdrawal, renaming", async () => {
    const a: Anchored = await anchorBatch(f, f.signerA, f.issuerA, { size: 2 });
    const revokedAt = await blockTimestamp(await mined(as().revokeCredential(a.batch.digest(1), "")));
    const asAccreditor = as(f.accreditor);
    await mined(asAccreditor.setIssuerActive(f.issuerA, false));
    await mined(asAccreditor.setIssuerActive(f.issuerA, true));
    await mined(asAccreditor.updateIssuer(f.issuerA, "Renamed", "https://renamed.example"));
    const until = a.anchoredAt + 1n;
    await mined(asAccreditor.withdrawAccreditation(f.issuerA, until, ""));
    expect(await verifyEverywhere(f.registry, a.batch.request(1))).toEqual({
      ...validOf(a.batch, 1, a.anchoredAt, until),
      status: "credential-revoked",
      credentialRevokedAt: revokedAt,
    });
  });

  it("never shows in the issuer record the views return", async () => {
    const a = await anchorBatch(f, f.signerA, f.issuerA, { size: 2 });
    for (let i = 0; i < 8; i++) await mined(as().revokeBatch(randomBatchId(), ""));
    for (let i = 0; i < 8; i++) await mined(as().revokeCredential(randomBytes32(), ""));
    const record = { accreditedUntil: MAX_UINT64, active: true, ...ISSUER_A };
    expect(toIssuer(await f.registry.getIssuer(f.issuerA))).toEqual(record);
    expect((await verifyWithIssuerOf(f.registry, a.batch.request(0))).issuer).toEqual(record);
    const [many] = await verifyManyOf(f.registry, [a.batch.request(0)]);
    expect(many?.issuer).toEqual(record);
  });
});

describe("gas of verify through a calling contract (VerifyGasProbe), empty proof", () => {
  it("reads two cold slots when no revocation bit is set, and the two revocation slots only when one is", async () => {
    const clear = await anchorBatch(f, f.signerA, f.issuerA, { size: 1 });
    const clearGas = await probeGas(clear.batch.request(0));
    expect(clearGas.status).toBe(0n); // Valid
    // Bits of other revocations, set for this batch id and digest.
    await mined(as().revokeBatch(batchIdSharingBit(clear.batch.batchId), ""));
    await mined(as().revokeCredential(digestSharingBit(clear.batch.digest(0)), ""));
    const setGas = await probeGas(clear.batch.request(0));
    expect(setGas.status).toBe(0n);
    // A batch whose bits are clear still skips both reads.
    const other = await anchorBatch(f, f.signerA, f.issuerA, {
      batchId: batchIdAvoiding(clear.batch.batchId),
      digests: [digestAvoiding(clear.batch.digest(0))],
    });
    const otherGas = await probeGas(other.batch.request(0));
    console.log(
      `gas | verify through VerifyGasProbe, empty proof | no bit set ${clearGas.gas} | both bits set ${setGas.gas}`,
    );
    // Before the filter, verify read all four slots whatever was revoked: 14,996 here.
    expect(clearGas.gas).toBeLessThanOrEqual(10_100n);
    expect(otherGas.gas).toBe(clearGas.gas);
    // Two more cold reads (2 × 2,100) and their slot hashes, nothing else.
    expect(setGas.gas - clearGas.gas).toBeGreaterThanOrEqual(4_200n);
    expect(setGas.gas - clearGas.gas).toBeLessThanOrEqual(4_700n);
  });
});
