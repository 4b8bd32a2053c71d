import { beforeAll, describe, expect, it } from "vitest";
import {
  Status,
  buildBatch,
  deployFixture,
  latestTimestamp,
  mined,
  randomBytes32,
  toVerificationWithIssuer,
  toVerificationsWithIssuers,
  type Fixture,
  type MerkleBatch,
  type VerifyRequest,
} from "./helpers";

let f: Fixture;
/** Issuer A's batch: credential 3 revoked. */
const batchA: MerkleBatch = buildBatch(9);
/** Issuer B's batch, revoked as a whole. */
const batchB: MerkleBatch = buildBatch(4);
/** Issuer B's second batch, anchored before a withdrawal of accreditation dated earlier. */
const batchLate: MerkleBatch = buildBatch(2);

beforeAll(async () => {
  f = await deployFixture();
  const asA = f.registry.connect(f.signerA);
  const asB = f.registry.connect(f.signerB);
  await mined(asA.anchor(batchA.root, 9, ""));
  await mined(asA.revokeCredential(batchA.root, batchA.leaf(3), "issued in error"));
  await mined(asB.anchor(batchB.root, 4, ""));
  await mined(asB.revokeBatch(batchB.root, "exam leaked"));
  await mined(asB.anchor(batchLate.root, 2, ""));
  // Withdrawing from the past makes batchLate (and batchB) anchored after the end of accreditation.
  await mined(f.registry.connect(f.accreditor).withdrawAccreditation(f.issuerB, (await latestTimestamp()) - 1n, ""));
});

const request = (batch: MerkleBatch, index: number): VerifyRequest => ({
  root: batch.root,
  leaf: batch.leaf(index),
  proof: batch.proof(index),
});

/** What `verifyWithIssuer` answers for each request, asked one by one. */
async function oneByOne(requests: readonly VerifyRequest[]) {
  return Promise.all(
    requests.map(async (r) => toVerificationWithIssuer(await f.registry.verifyWithIssuer(r.root, r.leaf, r.proof))),
  );
}

describe("verifyMany", () => {
  it("answers each request exactly as verifyWithIssuer does, in order", async () => {
    const requests: VerifyRequest[] = [
      request(batchA, 0),
      request(batchA, 3),
      { root: randomBytes32(), leaf: randomBytes32(), proof: [] },
      { ...request(batchA, 5), proof: request(batchA, 6).proof },
      request(batchB, 1),
      request(batchLate, 0),
      request(batchA, 8),
    ];
    const answers = toVerificationsWithIssuers(await f.registry.verifyMany(requests));
    expect(answers).toEqual(await oneByOne(requests));
    expect(answers.map((a) => a.verification.status)).toEqual([
      Status.Valid,
      Status.CredentialRevoked,
      Status.NotAnchored,
      Status.BadProof,
      Status.BatchRevoked,
      Status.IssuerNotAccredited,
      Status.Valid,
    ]);
  });

  it("returns an all-zero issuer record for a root never anchored", async () => {
    const [answer] = toVerificationsWithIssuers(
      await f.registry.verifyMany([{ root: randomBytes32(), leaf: randomBytes32(), proof: [] }]),
    );
    expect(answer?.issuer).toEqual({ accreditedUntil: 0n, active: false, name: "", uri: "" });
  });

  it("answers the same request twice in one call the same way", async () => {
    const answers = toVerificationsWithIssuers(await f.registry.verifyMany([request(batchA, 2), request(batchA, 2)]));
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0]?.verification.status).toBe(Status.Valid);
  });

  it("returns two empty arrays for no request", async () => {
    const result = await f.registry.verifyMany([]);
    expect(toVerificationsWithIssuers(result)).toEqual([]);
    expect([...result]).toHaveLength(2);
  });
});
