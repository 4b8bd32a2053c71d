import { digest } from "@sd-jwt/crypto-nodejs";
import { decodeSdJwt } from "@sd-jwt/decode";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";
import { decodeProtectedHeader, importJWK, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../../harness/registry";
import { type Bundle, discloseBundle, flatten, verifyBundle } from "../../../src";
import {
  CREDROOT_VCT,
  IssuerKey,
  issueSdJwtVc,
  SD_JWT_VC_TYPE,
  sdJwtToBundle,
  verifySdJwtVc,
} from "../../../src/standard";
import { anchorBatch } from "../../cli/harness";
import { ISSUER, issuerKey, NOW, richBundle, sharedBundle } from "./helpers";
import { sdJwtVcPresent, sdJwtVcVerify } from "./sd-jwt-third-party";

const jwsOf = (sdJwt: string) => sdJwt.split("~")[0]!;
const signedPayload = (sdJwt: string) =>
  JSON.parse(Buffer.from(jwsOf(sdJwt).split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
/** Every field of a credential as the dotted names SD-JWT tools use. */
const dotted = (credential: Bundle["credential"]) =>
  [...flatten(credential).keys()].map((p) => p.slice(1).split("/").join(".")).sort();
const encodeDisclosure = (parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString("base64url");

describe("issueSdJwtVc", () => {
  let key: IssuerKey;
  let sdJwt: string;
  beforeAll(async () => {
    key = await issuerKey();
    sdJwt = await issueSdJwtVc(richBundle, ISSUER, key, { now: NOW });
  });

  it("writes the typ @sd-jwt/sd-jwt-vc writes and names the key, the issuer, the type and the validity", () => {
    expect((new SDJwtVcInstance() as unknown as { type: string }).type).toBe(SD_JWT_VC_TYPE);
    expect(decodeProtectedHeader(jwsOf(sdJwt))).toEqual({
      alg: "EdDSA",
      typ: "dc+sd-jwt",
      kid: key.verificationMethod,
    });
    expect(signedPayload(sdJwt)).toMatchObject({
      iss: key.did,
      vct: CREDROOT_VCT,
      iat: NOW.getTime() / 1000,
      nbf: Date.parse("2026-06-30T00:00:00Z") / 1000,
      exp: Date.parse("2030-06-30T23:59:59Z") / 1000,
      _sd_alg: "sha-256",
    });
  });

  it("is verified by @sd-jwt/sd-jwt-vc with the issuer's did:key, every field in place", async () => {
    const { payload } = await sdJwtVcVerify(sdJwt, key.did, NOW);
    expect(payload).toMatchObject({ ...richBundle.credential, iss: key.did, vct: CREDROOT_VCT });
    expect(payload).not.toHaveProperty("_sd");
  });

  it("makes every field its own disclosure and signs none of their values in the clear", async () => {
    const decoded = await decodeSdJwt(sdJwt, digest);
    const keys = await new SDJwtVcInstance({ hasher: digest }).presentableKeys(sdJwt);
    expect(keys.sort()).toEqual(dotted(richBundle.credential));
    expect(decoded.disclosures).toHaveLength(flatten(richBundle.credential).size);
    const signed = JSON.stringify(signedPayload(sdJwt));
    for (const value of ["Ana Novak", "learner0@example.org", "2001-02-03", "S100000", "Basic law"]) {
      expect(signed).not.toContain(value);
    }
  });

  it("keeps a field the bundle hides out of the SD-JWT: only its value hash travels", async () => {
    const shared = await issueSdJwtVc(sharedBundle, ISSUER, key, { now: NOW });
    const { payload } = await sdJwtVcVerify(shared, key.did, NOW);
    expect(payload).not.toHaveProperty("skills");
    expect(payload.learner).not.toHaveProperty("email");
    expect(shared).not.toContain(Buffer.from('"learner0@example.org"').toString("base64url").slice(0, 12));
    expect(await sdJwtToBundle(shared)).toEqual(sharedBundle);
  });

  it("refuses an issuer record of another issuer", async () => {
    await expect(issueSdJwtVc(richBundle, { ...ISSUER, id: 2 }, key)).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});

describe("sdJwtToBundle", () => {
  let key: IssuerKey;
  let sdJwt: string;
  beforeAll(async () => {
    key = await issuerKey();
    sdJwt = await issueSdJwtVc(richBundle, ISSUER, key, { now: NOW });
  });

  it("gives back the holder's disclosed copy of the bundle, salts and all", async () => {
    expect(await sdJwtToBundle(sdJwt)).toEqual(discloseBundle(richBundle, []));
  });

  it("hides what the holder dropped with @sd-jwt/sd-jwt-vc's present(), which still verifies", async () => {
    const everything = Object.fromEntries(
      Object.entries(richBundle.credential).map(([name, value]) => [
        name,
        typeof value === "object" && value !== null && !Array.isArray(value)
          ? Object.fromEntries(Object.keys(value).map((k) => [k, true]))
          : true,
      ]),
    ) as Record<string, unknown>;
    const frame = {
      ...everything,
      learner: { name: true, identifier: true },
      assessment: { type: true, identityCheck: true },
    };
    const presented = await sdJwtVcPresent(sdJwt, frame);
    const { payload } = await sdJwtVcVerify(presented, key.did, NOW);
    expect(payload.learner).toEqual({ name: "Ana Novak", identifier: "S100000" });
    expect(presented).not.toContain(Buffer.from("learner0@example.org").toString("base64url").slice(0, 12));
    const expected = discloseBundle(richBundle, ["learner.email", "learner.dateOfBirth", "assessment.grade"]);
    expect(await sdJwtToBundle(presented)).toEqual(expected);
    expect((await verifySdJwtVc(presented, { now: NOW })).verified).toBe(true);
  });

  it("refuses an SD-JWT whose holder dropped a field credroot needs shown (the title)", async () => {
    const presented = await sdJwtVcPresent(sdJwt, { id: true, issuedOn: true, validUntil: true });
    await expect(sdJwtToBundle(presented)).rejects.toMatchObject({
      code: "INVALID_BUNDLE",
      message: expect.stringContaining("/title") as unknown,
    });
  });

  it("refuses an edited disclosure, one not signed, and one presented twice", async () => {
    const parts = sdJwt.split("~");
    const title = parts.findIndex((p) => Buffer.from(p, "base64url").toString().includes('"title"'));
    const [salt] = JSON.parse(Buffer.from(parts[title]!, "base64url").toString()) as [string];
    const edited = [...parts];
    edited[title] = encodeDisclosure([salt, "title", "Doctorate in Everything"]);
    await expect(sdJwtToBundle(edited.join("~"))).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    const extra = [...parts.slice(0, -1), encodeDisclosure([salt, "nickname", "Ana"]), ""].join("~");
    await expect(sdJwtToBundle(extra)).rejects.toThrow(/does not reference/);
    const twice = [...parts.slice(0, -1), parts[title], ""].join("~");
    await expect(sdJwtToBundle(twice)).rejects.toThrow(/twice/);
  });

  it("refuses what is not a credroot SD-JWT VC", async () => {
    await expect(sdJwtToBundle("not.an.sd-jwt~")).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    await expect(sdJwtToBundle(jwsOf(sdJwt).split(".").slice(0, 2).join(".") + "x.y~")).rejects.toMatchObject({
      code: "INVALID_BUNDLE",
    });
  });
});

describe("verifySdJwtVc", () => {
  let key: IssuerKey;
  let sdJwt: string;
  beforeAll(async () => {
    key = await issuerKey();
    sdJwt = await issueSdJwtVc(richBundle, ISSUER, key, { now: NOW });
  });

  it("verifies the signature by the did:key in kid and iss, and returns the disclosed claims", async () => {
    const check = await verifySdJwtVc(sdJwt, { now: NOW });
    expect(check).toMatchObject({ verified: true, issuer: key.did, kid: key.verificationMethod, errors: [] });
    expect(check.payload).toMatchObject(richBundle.credential);
  });

  it("fails a tampered signature, payload or disclosure, and says why", async () => {
    const [header, payload, signature] = jwsOf(sdJwt).split(".") as [string, string, string];
    const rest = sdJwt.slice(jwsOf(sdJwt).length);
    const badSignature = `${header}.${payload}.${signature.slice(0, -4)}AAAA${rest}`;
    const claims = { ...signedPayload(sdJwt), vct: "https://evil.example/vct" };
    const badPayload = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}${rest}`;
    const parts = sdJwt.split("~");
    parts[1] = encodeDisclosure(["c2FsdHNhbHRzYWx0c2FsdA", "title", "Doctorate in Everything"]);
    for (const bad of [badSignature, badPayload, parts.join("~")]) {
      const check = await verifySdJwtVc(bad, { now: NOW });
      expect(check.verified).toBe(false);
      expect(check.errors.length).toBeGreaterThan(0);
    }
    await expect(sdJwtVcVerify(badSignature, key.did, NOW)).rejects.toThrow();
    await expect(sdJwtVcVerify(badPayload, key.did, NOW)).rejects.toThrow();
  });

  it("fails a credential signed by a key that is not the iss's, and one past its validUntil", async () => {
    const other = await IssuerKey.fromSeed("08".repeat(32));
    const forged = await issueSdJwtVc(richBundle, ISSUER, other, { now: NOW });
    const claims = { ...signedPayload(forged), iss: key.did };
    const jws = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", typ: "dc+sd-jwt", kid: other.verificationMethod })
      .sign(await importJWK(other.privateJwk(), "EdDSA"));
    const mismatched = await verifySdJwtVc(jws + forged.slice(jwsOf(forged).length), { now: NOW });
    expect(mismatched.verified).toBe(false);
    expect(mismatched.errors.join()).toMatch(/is not the issuer/);
    const late = await verifySdJwtVc(sdJwt, { now: new Date("2030-07-01T00:00:00Z") });
    expect(late.verified).toBe(false);
    expect(late.errors.join()).toMatch(/expired/i);
  });
});

describe("an SD-JWT VC on chain", () => {
  let fx: RegistryFixture;
  let anchored: Bundle;
  let key: IssuerKey;
  beforeAll(async () => {
    fx = await startRegistry();
    const { bundles } = await anchorBatch(fx, [sampleCredential(0), sampleCredential(1)]);
    anchored = bundles[0]!;
    key = await issuerKey();
  });
  afterAll(async () => {
    await fx.chain.close();
  });

  it("gives a bundle credroot verifies on chain, whole or with fields dropped by the holder", async () => {
    const sdJwt = await issueSdJwtVc(anchored, { ...ISSUER, id: fx.issuerId }, key);
    expect((await verifyBundle(await sdJwtToBundle(sdJwt), { chains: fx.trusted })).verdict).toBe("valid");
    const presented = await sdJwtVcPresent(sdJwt, { id: true, title: true, issuedOn: true, learner: { name: true } });
    const bundle = await sdJwtToBundle(presented);
    expect(bundle.credential).toEqual({
      id: anchored.credential.id,
      title: anchored.credential.title,
      issuedOn: anchored.credential.issuedOn,
      learner: { name: (anchored.credential.learner as { name: string }).name },
    });
    expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("valid");
  });

  it("gives a bundle the chain calls tampered when a value is edited, even re-signed with matching hashes", async () => {
    const edited = { ...discloseBundle(anchored, []) };
    edited.credential = { ...edited.credential, title: "Doctorate in Everything" };
    const forged = await issueSdJwtVc(
      edited,
      { ...ISSUER, id: fx.issuerId },
      await IssuerKey.fromSeed("09".repeat(32)),
    );
    const bundle = await sdJwtToBundle(forged);
    expect(bundle.credential.title).toBe("Doctorate in Everything");
    expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("tampered");
  });
});
