import { beforeAll, describe, expect, it } from "vitest";
import { buildBatch, type CredentialBatch } from "./batches";
import { anchorBatch, failureOf, verifyManyOf, verifyWithIssuerOf } from "./calls";
import { NO_ISSUER, deployFixture, latestTimestamp, mined, type Fixture, type VerifyRequest } from "./helpers";

let f: Fixture;
/** Issuer A's batch: credential 3 revoked. */
let batchA: CredentialBatch;
/** Issuer B's batch, revoked as a whole. */
let batchB: CredentialBatch;
/** Issuer B's second batch, anchored before a withdrawal of accreditation dated earlier. */
let batchLate: CredentialBatch;

beforeAll(async () => {
  f = await deployFixture();
  const asA = f.registry.connect(f.signerA);
  const asB = f.registry.connect(f.signerB);
  batchA = (await anchorBatch(f, f.signerA, f.issuerA, { size: 9 })).batch;
  await mined(asA.revokeCredential(batchA.digest(3), "issued in error"));
  batchB = (await anchorBatch(f, f.signerB, f.issuerB, { size: 4 })).batch;
  await mined(asB.revokeBatch(batchB.batchId, "exam leaked"));
  batchLate = (await anchorBatch(f, f.signerB, f.issuerB, { size: 2 })).batch;
  // Withdrawing from the past makes batchLate (and batchB) anchored after the end of accreditation.
  await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerB, (await latestTimestamp()) - 1n, ""));
});

/** What `verifyWithIssuer` answers for each request, asked one by one. */
function oneByOne(requests: readonly VerifyRequest[]) {
  return Promise.all(requests.map((request) => verifyWithIssuerOf(f.registry, request)));
}

describe("verifyMany", () => {
  it("answers each request exactly as verifyWithIssuer does, in order", async () => {
    const requests: VerifyRequest[] = [
      batchA.request(0),
      batchA.request(3),
      buildBatch(f.context, f.issuerA, { size: 3 }).request(2),
      { ...batchA.request(5), proof: batchA.proof(6) },
      batchB.request(1),
      batchLate.request(0),
      { ...batchA.request(1), issuerId: f.issuerB },
      { ...batchA.request(4), root: batchB.root },
      batchA.request(8),
    ];
    const answers = await verifyManyOf(f.registry, requests);
    expect(answers).toEqual(await oneByOne(requests));
    expect(answers.map((a) => a.verification.status)).toEqual([
      "valid",
      "credential-revoked",
      "not-anchored",
      "bad-proof",
      "batch-revoked",
      "issuer-not-accredited",
      "bad-proof",
      "bad-proof",
      "valid",
    ]);
  });

  it("returns an all-zero issuer record for an unknown issuer", async () => {
    const unknown = buildBatch(f.context, 77n, { size: 2 });
    const answers = await verifyManyOf(f.registry, [unknown.request(1), { ...batchA.request(0), issuerId: 77n }]);
    expect(answers).toEqual([
      { verification: failureOf("not-anchored", unknown.leaf(1)), issuer: NO_ISSUER },
      {
        verification: failureOf("bad-proof", await f.registry.leafOf(77n, batchA.batchId, batchA.digest(0))),
        issuer: NO_ISSUER,
      },
    ]);
  });

  it("answers the same request twice in one call the same way", async () => {
    const answers = await verifyManyOf(f.registry, [batchA.request(2), batchA.request(2)]);
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.verification.status).toBe("valid");
  });

  it("returns two empty arrays for no request", async () => {
    const result = await f.registry.verifyMany([]);
    expect(await verifyManyOf(f.registry, [])).toEqual([]);
    expect([...result]).toHaveLength(2);
  });
});
