import { hkdfSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LightMyRequestResponse } from "fastify";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type Bundle } from "../../../src";
import { fromVerifiableCredential } from "../../../src/export";
import { CREDROOT_CONTEXT, IssuerKey } from "../../../src/standard";
import { MASTER_SECRET_NAME } from "../../../server/signing-keys";
import { borrowedStore, issuerDidOf, recordIssuerKey } from "../../support/issuer-key";
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

/** The service's ISSUER_SIGNING_KEY: the master secret issuers' keys derive from. */
const SEED = "5a".repeat(32);

/** Issuer `issuerId`'s seed as RFC 5869 HKDF-SHA256 gives it (Node's own implementation). */
function derivedSeed(master: Uint8Array, issuerId: number): Uint8Array {
  const info = Buffer.concat([Buffer.from("credroot issuer key"), Buffer.alloc(8)]);
  info.writeBigUInt64BE(BigInt(issuerId), info.length - 8);
  return new Uint8Array(hkdfSync("sha256", master, new Uint8Array(0), info, 32));
}

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
  /**
   * Same chain and database, no ISSUER_SIGNING_KEY: its master secret is created in the database.
   * Logs captured.
   */
  let keyless: ServiceFixture;
  const keylessLogs: string[] = [];
  let did: string;
  let final: { accepted: AcceptedBatch; batch: BatchBody };
  /** The answer before the accreditor recorded the issuer's key. */
  let unrecorded: LightMyRequestResponse;

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: SEED } });
    idle = await startService({ registry: fx, worker: false, env: { ISSUER_SIGNING_KEY: `0x${SEED}` } });
    keyless = await startService({
      registry: fx,
      worker: false,
      store: borrowedStore(fx.store),
      logger: { level: "trace", stream: { write: (line: string) => void keylessLogs.push(line) } },
    });
    did = (await IssuerKey.fromSeed(derivedSeed(Buffer.from(SEED, "hex"), fx.issuerId))).did;
    final = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]);
    unrecorded = await get("");
    expect(await recordIssuerKey(fx)).toBe(did);
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
    const seed = Buffer.from(derivedSeed(Buffer.from(SEED, "hex"), 1)).toString("hex");
    for (const format of ["ob3", "vc", "jwt"]) {
      const { body } = await get(`?format=${format}`);
      expect(body).not.toContain(SEED);
      expect(body).not.toContain(seed);
    }
  });

  it("answers 409 key-not-registered, naming the DID and the command, until the accreditor records the key", async () => {
    const body = expectError(unrecorded, 409, "key-not-registered");
    expect(body.message).toContain(`${did} is not a key the registry records for issuer 1`);
    expect(body.message).toContain(`credroot accreditor add-key --issuer 1 --did ${did}`);
    // A service whose master secret is another one signs as another DID, not recorded either.
    const other = expectError(await get("", keyless), 409, "key-not-registered");
    const { did: keylessDid } = await issuerDidOf(keyless);
    expect(keylessDid).not.toBe(did);
    expect(other.message).toContain(keylessDid);
  });

  it("signs as each issuer's own did:key, HKDF-derived from the master secret", async () => {
    const second = await fx.accreditor.registerIssuer(
      "Other College",
      "https://other.test",
      (await fx.chain.signer(5)).address,
    );
    const expected = (await IssuerKey.fromSeed(derivedSeed(Buffer.from(SEED, "hex"), second.issuerId))).did;
    expect(await issuerDidOf(fx, second.issuerId)).toEqual({
      issuerId: second.issuerId,
      did: expected,
      publicKey: expect.stringMatching(/^0x[0-9a-f]{64}$/) as unknown,
      registered: false,
      command: `credroot accreditor add-key --issuer ${second.issuerId} --did ${expected}`,
    });
    expect(expected).not.toBe(did);
    expect(await issuerDidOf(fx)).toMatchObject({ did, registered: true });
    expect(await issuerDidOf(idle)).toMatchObject({ did, registered: true }); // 0x-prefixed, the same secret
  });

  it("GET /v1/issuers/:id/did answers 404 for an issuer the registry does not know, 400 for no id", async () => {
    expectError(await fx.app.inject({ url: "/v1/issuers/999/did" }), 404, "not-found");
    expectError(await fx.app.inject({ url: "/v1/issuers/0/did" }), 400, "invalid-request");
    expectError(await fx.app.inject({ url: "/v1/issuers/abc/did" }), 400, "invalid-request");
  });

  it("keeps the database's master secret out of every response and log line", async () => {
    const master = await keyless.store.serviceSecret(MASTER_SECRET_NAME, () => {
      throw new Error("the service created no master secret");
    });
    const seed = Buffer.from(derivedSeed(master, fx.issuerId));
    const secrets = [master, seed].flatMap((b) => [b.toString("hex"), b.toString("base64"), b.toString("base64url")]);
    const bodies = [];
    for (const url of [
      `/v1/credentials/${id()}/credential`,
      `/v1/credentials/${id()}/credential?format=jwt`,
      "/v1/issuers/1/did",
      "/v1/issuers/999/did",
      "/config.json",
      "/health",
      "/ready",
      "/docs/json",
    ]) {
      const res = await keyless.app.inject({ url });
      bodies.push(res.body, JSON.stringify(res.headers));
    }
    expect(keylessLogs.length).toBeGreaterThan(0);
    for (const text of [...bodies, ...keylessLogs]) {
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
    // The derived key signs once recorded, and still shows no secret.
    await recordIssuerKey(keyless);
    const signed = await keyless.app.inject({ url: `/v1/credentials/${id()}/credential?format=jwt` });
    expect(signed.statusCode, signed.body).toBe(200);
    for (const secret of secrets) expect(signed.body + keylessLogs.join("")).not.toContain(secret);
  });

  it("answers 409 key-not-registered once the accreditor retires the key", async () => {
    const retiring = await startService({
      registry: fx,
      worker: false,
      store: borrowedStore(fx.store),
      env: { ISSUER_SIGNING_KEY: "6b".repeat(32) },
    });
    try {
      const recorded = await recordIssuerKey(retiring);
      expect((await get("", retiring)).statusCode).toBe(200);
      const { publicKey } = await issuerDidOf(retiring);
      await (await fx.accreditor.contract.retireIssuerKey(fx.issuerId, publicKey, false)).wait();
      const body = expectError(await get("", retiring), 409, "key-not-registered");
      expect(body.message).toContain(`${recorded}, issuer 1's signing key here, was retired in the registry at`);
      expect(body.message).toContain("set a new ISSUER_SIGNING_KEY");
    } finally {
      await retiring.close();
    }
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
