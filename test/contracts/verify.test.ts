import { ZeroHash } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildBatch, leafOf, processProof, randomBatchId, randomBytes32 } from "./batches";
import { anchorBatch, failureOf, validOf, verifyOf, verifyWithIssuerOf, type Anchored } from "./calls";
import {
  ISSUER_A,
  ISSUER_B,
  MAX_UINT64,
  NO_ISSUER,
  blockTimestamp,
  deployFixture,
  latestTimestamp,
  mined,
  snapshots,
  type Fixture,
  type Verification,
  type VerifyRequest,
} from "./helpers";

/** `verify` and `verifyWithIssuer`: the leaf derived on chain, each status, and the gas they cost. */

const BATCH_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

let f: Fixture;
/** 37 credentials anchored by issuer A in the fixture. */
let a37: Anchored;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  a37 = await anchorBatch(f, f.signerA, f.issuerA, { size: 37, uri: BATCH_URI });
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const verify = (request: VerifyRequest) => verifyOf(f.registry, request);
const valid = (index: number): Verification => validOf(a37.batch, index, a37.anchoredAt, MAX_UINT64);
const as = (signer = f.signerA) => f.registry.connect(signer);

describe("verify", () => {
  it("finds every credential of a 37-leaf batch Valid, reporting the leaf it derived", async () => {
    for (const index of a37.batch.digests.keys()) {
      expect(await verify(a37.batch.request(index)), `credential ${index}`).toEqual(valid(index));
    }
  });

  it("finds a single-credential batch Valid with an empty proof", async () => {
    const { batch, anchoredAt } = await anchorBatch(f, f.signerB, f.issuerB, { size: 1 });
    expect(batch.root).toBe(batch.leaf(0));
    expect(batch.proof(0)).toEqual([]);
    expect(await verify(batch.request(0))).toEqual(validOf(batch, 0, anchoredAt, MAX_UINT64));
  });

  describe("returns BadProof, with the derived leaf and no record (the proof is checked first),", () => {
    const index = 11;
    const badProof = (leaf: string = a37.batch.leaf(index)): Verification => failureOf("bad-proof", leaf);
    const request = (): VerifyRequest => a37.batch.request(index);

    it("for a proof with one wrong element", async () => {
      const proof = a37.batch.proof(index);
      proof[2] = randomBytes32();
      expect(await verify({ ...request(), proof })).toEqual(badProof());
    });

    it("for a reordered, truncated, extended or empty proof", async () => {
      const [first, second, ...rest] = a37.batch.proof(index);
      const proofs = [
        [second!, first!, ...rest],
        [first!, second!, ...rest].slice(0, -1),
        [],
        [...a37.batch.proof(index), randomBytes32()],
      ];
      for (const proof of proofs) expect(await verify({ ...request(), proof })).toEqual(badProof());
    });

    it("for another credential's proof", async () => {
      expect(await verify({ ...request(), proof: a37.batch.proof(index + 1) })).toEqual(badProof());
    });

    it("for another digest, and for the leaf given in place of the digest", async () => {
      const digest = randomBytes32();
      expect(await verify({ ...request(), digest })).toEqual(
        badProof(leafOf(f.context, f.issuerA, a37.batch.batchId, digest)),
      );
      const leaf = a37.batch.leaf(index);
      expect(await verify({ ...request(), digest: leaf })).toEqual(
        badProof(leafOf(f.context, f.issuerA, a37.batch.batchId, leaf)),
      );
    });

    it("for the right proof with another root: zero, random, or another root the issuer anchored", async () => {
      const other = await anchorBatch(f, f.signerA, f.issuerA, { size: 4 });
      for (const root of [ZeroHash, randomBytes32(), other.batch.root]) {
        expect(await verify({ ...request(), root })).toEqual(badProof());
      }
    });

    it("for a credential of another tree of the same issuer and batch id, with the anchored root", async () => {
      const other = buildBatch(f.context, f.issuerA, { size: 37, batchId: a37.batch.batchId });
      expect(await verify({ ...other.request(index), root: a37.batch.root })).toEqual(badProof(other.leaf(index)));
    });

    it("even when the batch and the credential are revoked, reporting neither", async () => {
      await mined(as().revokeBatch(a37.batch.batchId, ""));
      await mined(as().revokeCredential(a37.batch.digest(index), ""));
      expect(await verify({ ...request(), proof: [] })).toEqual(badProof());
    });
  });

  describe("returns NotAnchored, with the derived leaf and no record, for a path to a root the issuer never anchored under the batch id", () => {
    it("when the tree was built for the issuer and batch id but never anchored", async () => {
      for (const [issuerId, batchId] of [
        [f.issuerA, randomBatchId()],
        [f.issuerA, a37.batch.batchId],
        [f.issuerB, a37.batch.batchId],
        [0n, a37.batch.batchId],
        [99n, a37.batch.batchId],
      ] as const) {
        const batch = buildBatch(f.context, issuerId, { size: 5, batchId });
        expect(await verify(batch.request(3)), `issuer ${issuerId}`).toEqual(failureOf("not-anchored", batch.leaf(3)));
      }
    });

    it("when only another issuer anchored that batch id and root", async () => {
      const batch = buildBatch(f.context, f.issuerA, { size: 5 });
      await mined(as(f.signerB).anchor(batch.batchId, batch.root, 5, ""));
      expect(await verify(batch.request(0))).toEqual(failureOf("not-anchored", batch.leaf(0)));
    });

    it("when the issuer anchored that root under another batch id only", async () => {
      const batch = buildBatch(f.context, f.issuerA, { size: 5 });
      await mined(as().anchor(randomBatchId(), batch.root, 5, ""));
      expect(await verify(batch.request(4))).toEqual(failureOf("not-anchored", batch.leaf(4)));
    });

    it("even when the batch id and the digest are revoked", async () => {
      const batch = buildBatch(f.context, f.issuerA, { size: 2 });
      await mined(as().revokeBatch(batch.batchId, ""));
      await mined(as().revokeCredential(batch.digest(1), ""));
      expect(await verify(batch.request(1))).toEqual(failureOf("not-anchored", batch.leaf(1)));
    });
  });

  it("returns BatchRevoked with the revocation time for every credential of a revoked batch", async () => {
    const revokedAt = await blockTimestamp(await mined(as().revokeBatch(a37.batch.batchId, "")));
    for (const index of [0, 17, 36]) {
      expect(await verify(a37.batch.request(index))).toEqual({
        ...valid(index),
        status: "batch-revoked",
        batchRevokedAt: revokedAt,
      });
    }
  });

  it("returns CredentialRevoked for a revoked credential and Valid for its neighbours", async () => {
    const revokedAt = await blockTimestamp(await mined(as().revokeCredential(a37.batch.digest(20), "")));
    expect(await verify(a37.batch.request(20))).toEqual({
      ...valid(20),
      status: "credential-revoked",
      credentialRevokedAt: revokedAt,
    });
    expect(await verify(a37.batch.request(19))).toEqual(valid(19));
    expect(await verify(a37.batch.request(21))).toEqual(valid(21));
  });

  it("reports BatchRevoked before CredentialRevoked before IssuerNotAccredited, with every timestamp", async () => {
    const credentialRevokedAt = await blockTimestamp(await mined(as().revokeCredential(a37.batch.digest(2), "")));
    await mined(as(f.accreditor).withdrawAccreditation(f.issuerA, a37.anchoredAt, ""));
    const expected: Verification = {
      ...valid(2),
      status: "credential-revoked",
      credentialRevokedAt,
      accreditedUntil: a37.anchoredAt,
    };
    expect(await verify(a37.batch.request(2))).toEqual(expected);
    expect(await verify(a37.batch.request(3))).toEqual({
      ...expected,
      leaf: a37.batch.leaf(3),
      status: "issuer-not-accredited",
      credentialRevokedAt: 0n,
    });
    const batchRevokedAt = await blockTimestamp(await mined(as().revokeBatch(a37.batch.batchId, "")));
    expect(await verify(a37.batch.request(2))).toEqual({ ...expected, status: "batch-revoked", batchRevokedAt });
  });
});

describe("verifyWithIssuer", () => {
  it("returns the verification and the issuer's current name, uri and accreditation", async () => {
    await mined(as(f.accreditor).updateIssuer(f.issuerA, "OU (renamed)", "https://renamed.example"));
    const effectiveFrom = (await latestTimestamp()) + 10_000n;
    await mined(as(f.accreditor).withdrawAccreditation(f.issuerA, effectiveFrom, ""));
    expect(await verifyWithIssuerOf(f.registry, a37.batch.request(8))).toEqual({
      verification: { ...valid(8), accreditedUntil: effectiveFrom },
      issuer: { accreditedUntil: effectiveFrom, active: true, name: "OU (renamed)", uri: "https://renamed.example" },
    });
  });

  it("returns the issuer the request names, whoever calls", async () => {
    const { batch } = await anchorBatch(f, f.signerB, f.issuerB, { size: 1 });
    const result = await verifyWithIssuerOf(as(f.signerA), batch.request(0));
    expect(result.issuer).toEqual({ accreditedUntil: MAX_UINT64, active: true, ...ISSUER_B });
  });

  it("returns the issuer record even for a bad proof", async () => {
    const result = await verifyWithIssuerOf(f.registry, { ...a37.batch.request(0), proof: [] });
    expect(result.verification.status).toBe("bad-proof");
    expect(result.issuer).toEqual({ accreditedUntil: MAX_UINT64, active: true, ...ISSUER_A });
  });

  it("returns an all-zero issuer record for an unknown issuer", async () => {
    const batch = buildBatch(f.context, 42n, { size: 2 });
    expect(await verifyWithIssuerOf(f.registry, batch.request(0))).toEqual({
      verification: failureOf("not-anchored", batch.leaf(0)),
      issuer: NO_ISSUER,
    });
    const named = await verifyWithIssuerOf(f.registry, { ...a37.batch.request(0), issuerId: 42n });
    expect(named.verification.status).toBe("bad-proof");
    expect(named.issuer).toEqual(NO_ISSUER);
  });
});

describe("gas", () => {
  it("stays within bounds for anchor (66-character and empty uri) and for verify at 10 and 20 tree levels", async () => {
    const anchorGas = (await mined(as().anchor(randomBatchId(), randomBytes32(), 1024, BATCH_URI))).gasUsed;
    const anchorEmptyUri = (await mined(as().anchor(randomBatchId(), randomBytes32(), 1024, ""))).gasUsed;

    const { batch } = await anchorBatch(f, f.signerA, f.issuerA, { size: 1024 });
    const r10 = batch.request(777);
    expect(r10.proof).toHaveLength(10);
    expect((await verify(r10)).status).toBe("valid");
    const estimate = (r: VerifyRequest) =>
      f.registry.verify.estimateGas(r.issuerId, r.batchId, r.root, r.digest, r.proof);
    const verify10 = await estimate(r10);

    // 2^20 leaves: any 20 siblings lead from a leaf to some root; anchoring that root makes the proof valid.
    const batchId = randomBatchId();
    const digest = randomBytes32();
    const proof = Array.from({ length: 20 }, randomBytes32);
    const root = processProof(leafOf(f.context, f.issuerA, batchId, digest), proof);
    const r20: VerifyRequest = { issuerId: f.issuerA, batchId, root, digest, proof };
    await mined(as().anchor(batchId, root, 2 ** 20, BATCH_URI));
    expect((await verify(r20)).status).toBe("valid");
    const verify20 = await estimate(r20);

    console.log(`gas | anchor (receipt.gasUsed, 16-byte batch id, ${BATCH_URI.length}-char uri) | ${anchorGas}`);
    console.log(`gas | anchor (receipt.gasUsed, 16-byte batch id, empty uri) | ${anchorEmptyUri}`);
    console.log(`gas | verify, 10 levels (estimateGas) | ${verify10}`);
    console.log(`gas | verify, 20 levels (estimateGas) | ${verify20}`);

    // One new storage slot: a second would add about 20,000.
    expect(anchorGas).toBeLessThan(60_000n);
    expect(anchorEmptyUri).toBeLessThan(anchorGas);
    expect(verify10).toBeLessThan(45_000n);
    expect(verify20).toBeGreaterThan(verify10);
    expect(verify20).toBeLessThan(verify10 + 20n * 400n);
  });
});
