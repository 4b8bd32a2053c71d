import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { sdJwtToBundle, verifySdJwtVc } from "../../../src/standard";
import { recordIssuerKey } from "../../support/issuer-key";
import { type ServiceFixture, startService } from "../../support/service";
import { sdJwtVcPresent, sdJwtVcVerify } from "../../src/standard/sd-jwt-third-party";
import { type AcceptedBatch, expectError, issueFinalBatch, verdictOf } from "../helpers";

const SEED = "5b".repeat(32);

describe("GET /v1/credentials/:id/credential?format=sd-jwt", () => {
  let fx: ServiceFixture;
  let did: string;
  let accepted: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: SEED } });
    did = await recordIssuerKey(fx); // the accreditor records the issuer's key, so the service signs
    ({ accepted } = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]));
  });
  afterAll(async () => {
    await fx.close();
  });

  /** The service's Token Status Lists, as a wallet would fetch them (here without a socket). */
  const fetchList = async (uri: string) => {
    const res = await fx.app.inject({ url: new URL(uri).pathname });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/statuslist\+jwt/);
    return res.body;
  };
  const id = (index = 0) => accepted.credentials[index]!.id;
  const get = (query: string, credential = id()) =>
    fx.app.inject({ url: `/v1/credentials/${credential}/credential?format=sd-jwt${query}` });
  const sdJwtOf = async (query = "", credential = id()) => {
    const res = await get(query, credential);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/dc\+sd-jwt(;|$)/);
    return res.body;
  };

  it("serves an SD-JWT VC that @sd-jwt/sd-jwt-vc verifies with the issuer's did:key, offline", async () => {
    const sdJwt = await sdJwtOf();
    const { header, payload } = await sdJwtVcVerify(sdJwt, did, undefined, fetchList);
    expect(header).toMatchObject({ typ: "dc+sd-jwt", alg: "EdDSA", kid: expect.stringMatching(`^${did}#`) as unknown });
    expect(payload).toMatchObject({ iss: did, title: sampleCredential(0).title, learner: sampleCredential(0).learner });
    expect(payload.credroot).toMatchObject({ issuer: { id: fx.issuerId, name: "Test University" } });
    expect(await verifySdJwtVc(sdJwt)).toMatchObject({ verified: true, issuer: did, errors: [] });
  });

  it("carries a bundle that verifies on chain, and one the chain calls tampered once a value is edited", async () => {
    const bundle = await sdJwtToBundle(await sdJwtOf());
    expect(bundle).not.toHaveProperty("secret");
    expect(await verdictOf(fx, bundle)).toBe("valid");
    const edited = { ...bundle, credential: { ...bundle.credential, title: "Doctorate in Everything" } };
    expect(await verdictOf(fx, edited)).toBe("tampered");
  });

  it("leaves the fields named in hide= out (the service drops their disclosures), still valid on chain", async () => {
    const sdJwt = await sdJwtOf("&hide=learner.email,assessment.grade");
    const email = sampleCredential(0).learner.email!;
    expect(sdJwt).not.toContain(Buffer.from(JSON.stringify(email)).toString("base64url").slice(0, 12));
    const { payload } = await sdJwtVcVerify(sdJwt, did, undefined, fetchList);
    expect(payload.learner).not.toHaveProperty("email");
    expect(payload.assessment).not.toHaveProperty("grade");
    const bundle = await sdJwtToBundle(sdJwt);
    expect(Object.keys(bundle.hidden ?? {})).toEqual(["/assessment/grade", "/learner/email"]);
    expect(await verdictOf(fx, bundle)).toBe("valid");
  });

  it("lets the holder drop more with any SD-JWT tool: still signed, still valid on chain", async () => {
    const sdJwt = await sdJwtOf("&hide=learner.email");
    const presented = await sdJwtVcPresent(sdJwt, { id: true, title: true, issuedOn: true, learner: { name: true } });
    const { payload } = await sdJwtVcVerify(presented, did, undefined, fetchList);
    expect(payload.learner).toEqual({ name: sampleCredential(0).learner.name });
    expect(payload).not.toHaveProperty("learningOutcomes");
    const bundle = await sdJwtToBundle(presented);
    expect(Object.keys(bundle.credential).sort()).toEqual(["id", "issuedOn", "learner", "title"]);
    expect(await verdictOf(fx, bundle)).toBe("valid");
  });

  it("names its bit in the issuer's Token Status List, which @sd-jwt/sd-jwt-vc reads: revoked once revoked on chain", async () => {
    const other = await issueFinalBatch(fx, [sampleCredential(5)]);
    const credential = other.accepted.credentials[0]!.id;
    const sdJwt = await sdJwtOf("", credential);
    const { payload } = await sdJwtVcVerify(sdJwt, did, undefined, fetchList);
    expect(payload.status).toMatchObject({
      status_list: {
        idx: expect.any(Number) as unknown,
        uri: expect.stringMatching(/\/v1\/status-lists\/\d+\/token$/) as unknown,
      },
    });
    await fx.issuer.revokeBatch(other.accepted.id, "issued in error");
    await fx.app.statusLists.refresh();
    await expect(sdJwtVcVerify(sdJwt, did, undefined, fetchList)).rejects.toThrow(/Status is not valid/);
    expect(await verifySdJwtVc(sdJwt, { statusList: fetchList })).toMatchObject({
      verified: false,
      errors: ["revoked (status list)"],
    });
  });

  it("never shows the signing key, and answers 400 for a field that cannot be hidden", async () => {
    expect(await sdJwtOf()).not.toContain(SEED);
    expectError(await get("&hide=title"), 400, "invalid-argument");
  });

  it("once the credential is revoked on chain: credroot's verdict on a fetched copy is revoked, and 409 not-valid", async () => {
    const other = await issueFinalBatch(fx, [sampleCredential(4)]);
    const credential = other.accepted.credentials[0]!.id;
    const fetched = await sdJwtOf("", credential);
    expect(await verdictOf(fx, await sdJwtToBundle(fetched))).toBe("valid");
    await fx.issuer.revokeBatch(other.accepted.id, "issued in error");
    expect(await verdictOf(fx, await sdJwtToBundle(fetched))).toBe("revoked");
    expectError(await get("", credential), 409, "not-valid");
  });
});
