import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type Bundle } from "../../../src";
import { fromVerifiableCredential } from "../../../src/export";
import { CREDROOT_CONTEXT, IssuerKey } from "../../../src/standard";
import { type ServiceFixture, startService } from "../../support/service";
import { dccVerify, digitalbazaarVerify, joseVerify } from "../../src/standard/third-party";
import {
  type AcceptedBatch,
  type BatchBody,
  detailPaths,
  expectError,
  issueFinalBatch,
  submitBatch,
  verdictOf,
} from "../helpers";

const SEED = "5a".repeat(32);

type Credential = Record<string, unknown> & {
  type: string[];
  issuer: { id: string; name: string };
  evidence: { type: string[]; credrootBundle?: Bundle; hiddenFields?: string[] }[];
  proof: { type: string; cryptosuite: string }[];
};

describe("GET /v1/credentials/:id/credential", () => {
  let fx: ServiceFixture;
  /** Same chain, signing key, no worker: its batches stay pending. */
  let idle: ServiceFixture;
  /** Same chain, no signing key. */
  let keyless: ServiceFixture;
  let did: string;
  let final: { accepted: AcceptedBatch; batch: BatchBody };

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: SEED } });
    idle = await startService({ registry: fx, worker: false, env: { ISSUER_SIGNING_KEY: `0x${SEED}` } });
    keyless = await startService({ registry: fx, worker: false });
    did = (await IssuerKey.fromSeed(SEED)).did;
    final = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]);
  });
  afterAll(async () => {
    await keyless.close();
    await idle.close();
    await fx.close();
  });

  const id = (index = 0) => final.accepted.credentials[index]!.id;
  const get = (query: string, service = fx, credential = id()) =>
    service.app.inject({ url: `/v1/credentials/${credential}/credential${query}` });
  const credentialOf = async (query: string): Promise<Credential> => {
    const res = await get(query);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/vc(;|$)/);
    return JSON.parse(res.body) as Credential;
  };

  it("serves a signed Open Badge 3.0 by default, which @digitalbazaar/vc and @digitalcredentials/vc verify", async () => {
    const doc = await credentialOf("");
    expect(doc.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
    expect(doc.issuer).toMatchObject({ id: did, name: "Test University" });
    expect(doc.proof).toMatchObject([{ type: "DataIntegrityProof", cryptosuite: "eddsa-rdfc-2022" }]);
    const result = await digitalbazaarVerify(doc);
    expect(result.verified, result.error?.message).toBe(true);
    expect((await dccVerify(doc)).verified).toBe(true);
  });

  it("embeds the holder's copy of the bundle (salts, never the secret), which verifies on chain", async () => {
    const doc = await credentialOf("?format=ob3");
    const bundle = fromVerifiableCredential(doc);
    expect(bundle).not.toHaveProperty("secret");
    expect(bundle.salts).toEqual(expect.any(String));
    expect(await verdictOf(fx, bundle)).toBe("valid");
  });

  it("serves a signed plain VC 2.0 with format=vc", async () => {
    const doc = await credentialOf("?format=vc");
    expect(doc.type).toEqual(["VerifiableCredential"]);
    expect((await digitalbazaarVerify(doc)).verified).toBe(true);
    expect(await verdictOf(fx, fromVerifiableCredential(doc))).toBe("valid");
  });

  it("serves a VC-JOSE JWT with format=jwt, which jose verifies with the issuer's did:key", async () => {
    const res = await get("?format=jwt");
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/vc\+jwt/);
    const { payload } = await joseVerify(res.body, did);
    expect(payload).toMatchObject({
      iss: did,
      issuer: { id: did },
      type: ["VerifiableCredential", "OpenBadgeCredential"],
    });
    expect(await verdictOf(fx, fromVerifiableCredential(res.body))).toBe("valid");
  });

  it("signs only what the holder shows: hide= leaves fields out of the claims and the embedded bundle", async () => {
    for (const format of ["ob3", "vc", "jwt"]) {
      const res = await get(`?format=${format}&hide=learner.email,assessment.grade`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.body).not.toContain("learner0@example.org");
      const bundle = fromVerifiableCredential(res.body);
      expect(Object.keys(bundle.hidden ?? {})).toEqual(["/assessment/grade", "/learner/email"]);
      expect(await verdictOf(fx, bundle)).toBe("valid");
    }
    const doc = JSON.parse((await get("?hide=learner.email")).body) as Credential;
    expect((await digitalbazaarVerify(doc)).verified).toBe(true);
    expect(doc.evidence.at(-1)?.hiddenFields).toEqual(["/learner/email"]);
  });

  it("serves documents whose tampered copies fail the standard verifiers", async () => {
    const doc = await credentialOf("");
    expect((await digitalbazaarVerify({ ...doc, name: "Doctorate in Everything" })).verified).toBe(false);
    const jwt = (await get("?format=jwt")).body;
    await expect(joseVerify(`${jwt.slice(0, -4)}AAAA`, did)).rejects.toThrow();
  });

  it("never shows the signing key", async () => {
    for (const format of ["ob3", "vc", "jwt"]) expect((await get(`?format=${format}`)).body).not.toContain(SEED);
  });

  it("answers 503 signing-not-configured when the service has no ISSUER_SIGNING_KEY", async () => {
    const body = expectError(await get("", keyless), 503, "signing-not-configured");
    expect(body.message).toContain("ISSUER_SIGNING_KEY");
    // The bundle route is still there.
    expect((await keyless.app.inject({ url: `/v1/credentials/${id()}/bundle` })).statusCode).toBe(404);
  });

  it("refuses an ISSUER_SIGNING_KEY that is not 32 bytes of hex, without repeating it", async () => {
    const bad = "not-a-key-but-a-secret";
    const error = await startService({ registry: fx, worker: false, env: { ISSUER_SIGNING_KEY: bad } }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/ISSUER_SIGNING_KEY must match pattern/);
    expect(error?.message).not.toContain(bad);
  });

  it("answers 404 for an unknown credential, 400 for an unknown format or a field that cannot be hidden", async () => {
    expectError(await get("", fx, "AAAAAAAAAAAAAAAAAAAAAA"), 404, "not-found");
    expect(detailPaths(expectError(await get("?format=pdf"), 400, "invalid-request"))).toEqual(["/format"]);
    expectError(await get("?hide=title"), 400, "invalid-argument");
    expectError(await get("?hide=nonexistent"), 400, "invalid-argument");
  });

  it("answers 409 not-anchored-yet while the batch is pending", async () => {
    const pending = await submitBatch(idle, [sampleCredential(3)]);
    expect(expectError(await get("", idle, pending.credentials[0]!.id), 409, "not-anchored-yet").message).toContain(
      "pending",
    );
  });

  it("answers 409 not-valid, signing nothing, once the credential is revoked on chain", async () => {
    const other = await issueFinalBatch(fx, [sampleCredential(4)]);
    await fx.issuer.revokeBatch(other.accepted.id, "issued in error");
    const body = expectError(await get("", fx, other.accepted.credentials[0]!.id), 409, "not-valid");
    expect(body.message).toMatch(/^the credential is revoked/);
  });
});

describe("GET /contexts/credroot-v1.jsonld", () => {
  it("serves credroot's JSON-LD context, the one the library preloads", async () => {
    const fx = await startService({ worker: false });
    try {
      const res = await fx.app.inject({ url: "/contexts/credroot-v1.jsonld" });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^application\/ld\+json/);
      expect(JSON.parse(res.body)).toEqual(CREDROOT_CONTEXT);
    } finally {
      await fx.close();
    }
  });
});
