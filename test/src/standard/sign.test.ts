import { importJWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { discloseBundle } from "../../../src";
import { fromVerifiableCredential, toVerifiableCredential, type VerifiableCredential } from "../../../src/export";
import {
  IssuerKey,
  signCredential,
  signCredentialJwt,
  verifyCredentialJwt,
  verifyDataIntegrity,
} from "../../../src/standard";
import { type ErrorCode, isCredrootError, type JsonValue } from "../../../src";
import { ISSUER, issuerKey, NOW, richBundle, sharedBundle } from "./helpers";
import { dccVerify, digitalbazaarVerify, joseVerify } from "./third-party";

const FORMATS = ["ob3", "vc"] as const;
let key: IssuerKey;
let other: IssuerKey;
beforeAll(async () => {
  key = await issuerKey();
  other = await IssuerKey.fromSeed("42".repeat(32));
});

/** Awaits `run`, expecting a CredrootError with `code`; returns it. */
async function rejectsWith(run: () => Promise<unknown>, code: ErrorCode): Promise<Error> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  if (!isCredrootError(error)) throw new Error(`expected a CredrootError ${code}, got ${String(error)}`);
  expect(error.code, error.message).toBe(code);
  return error;
}

const exportFor = (format: "ob3" | "vc", bundle = richBundle, did?: string) =>
  toVerifiableCredential(bundle, ISSUER, { format, issuerDid: did ?? key.did });

/** A JSON round trip: what a verifier reads from the file. */
const asFile = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe("signCredential", () => {
  it.each(FORMATS)("signs a %s credential that @digitalbazaar/vc and @digitalcredentials/vc verify", async (format) => {
    const signed = asFile(await signCredential(exportFor(format), key, { now: NOW }));
    const result = await digitalbazaarVerify(signed);
    expect(result.verified, result.error?.message).toBe(true);
    expect((await dccVerify(signed)).verified).toBe(true);
    expect(await verifyDataIntegrity(signed)).toEqual({ verified: true, issuer: key.did, errors: [] });
  });

  it("embeds one eddsa-rdfc-2022 Data Integrity proof, as an array, made by the issuer's did:key", async () => {
    const signed = await signCredential(exportFor("ob3"), key, { now: NOW });
    expect(signed.proof).toEqual([
      {
        type: "DataIntegrityProof",
        cryptosuite: "eddsa-rdfc-2022",
        created: "2027-01-01T00:00:00Z",
        verificationMethod: key.verificationMethod,
        proofPurpose: "assertionMethod",
        proofValue: expect.stringMatching(/^z[1-9A-HJ-NP-Za-km-z]{80,90}$/) as unknown,
      },
    ]);
    expect(signed.issuer.id).toBe(key.did);
    expect(signed).not.toHaveProperty("credrootUnsigned");
  });

  it.each(FORMATS)(
    "signs a disclosed copy: hidden fields are in neither the claims nor the signature (%s)",
    async (format) => {
      const signed = asFile(await signCredential(exportFor(format, sharedBundle), key));
      expect(JSON.stringify(signed)).not.toContain("learner0@example.org");
      expect((await digitalbazaarVerify(signed)).verified).toBe(true);
      expect(fromVerifiableCredential(signed)).toEqual(sharedBundle);
    },
  );

  it("gives the embedded bundle back unchanged from the signed document", async () => {
    const signed = asFile(await signCredential(exportFor("ob3"), key));
    expect(fromVerifiableCredential(JSON.stringify(signed), { issuer: ISSUER })).toEqual(richBundle);
  });

  const tamperings: [string, (doc: VerifiableCredential & Record<string, unknown>) => void][] = [
    ["an edited title", (d) => (d.name = "Doctorate in Everything")],
    ["an edited issuer name", (d) => (d.issuer.name = "Harvard University")],
    ["a later expiry", (d) => (d.validUntil = "2099-12-31T23:59:59Z")],
    [
      "a hidden grade put back into the embedded bundle",
      (d) => {
        const evidence = d.evidence.at(-1)!;
        evidence.credrootBundle = JSON.parse(JSON.stringify(discloseBundle(richBundle, []))) as JsonValue;
      },
    ],
    ["the bundle evidence removed", (d) => (d.evidence = d.evidence.slice(0, -1))],
    ["a claim added", (d) => (d.description = "Summa cum laude")],
    [
      "a flipped signature",
      (d) => {
        const proof = d.proof![0]!;
        proof.proofValue = `${proof.proofValue.slice(0, -2)}${proof.proofValue.endsWith("a") ? "b" : "a"}${proof.proofValue.slice(-1)}`;
      },
    ],
  ];

  it.each(tamperings)("fails every verifier after %s", async (_what, tamper) => {
    const doc = asFile(await signCredential(exportFor("ob3", sharedBundle), key)) as VerifiableCredential &
      Record<string, unknown>;
    tamper(doc);
    expect((await digitalbazaarVerify(doc)).verified).toBe(false);
    expect((await dccVerify(doc)).verified).toBe(false);
    const ours = await verifyDataIntegrity(doc);
    expect(ours.verified).toBe(false);
    expect(ours.errors.length).toBeGreaterThan(0);
  });

  it("fails when another key signed a credential naming this issuer's DID", async () => {
    const forged = asFile(await signCredential(exportFor("ob3", richBundle, other.did), other));
    forged.issuer.id = key.did; // claims the issuer, signature by someone else
    expect((await digitalbazaarVerify(forged)).verified).toBe(false);
    expect((await verifyDataIntegrity(forged)).verified).toBe(false);
  });

  it("fails an expired credential once past its validUntil", async () => {
    const signed = asFile(await signCredential(exportFor("ob3"), key));
    const later = await verifyDataIntegrity(signed, { now: new Date("2031-01-01T00:00:00Z") });
    expect(later.verified).toBe(false);
    expect(later.errors.join(" ")).toMatch(/after "validUntil"/);
  });

  it("refuses to sign a document naming another issuer, or an unsigned export", async () => {
    const error = await rejectsWith(
      () => signCredential(exportFor("ob3", richBundle, other.did), key),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toContain(`not the signing key's ${key.did}`);
    const unsigned = toVerifiableCredential(richBundle, ISSUER);
    await rejectsWith(() => signCredential(unsigned, key), "INVALID_ARGUMENT");
    await rejectsWith(() => signCredentialJwt(unsigned, key), "INVALID_ARGUMENT");
  });
});

describe("signCredentialJwt", () => {
  it("makes a VC-JOSE JWT that jose verifies with the did:key's public key", async () => {
    const jwt = await signCredentialJwt(exportFor("ob3"), key, { now: NOW });
    const { payload, protectedHeader } = await joseVerify(jwt, key.did);
    expect(protectedHeader).toEqual({ alg: "EdDSA", typ: "vc+jwt", cty: "vc", kid: key.verificationMethod });
    expect(payload).toMatchObject({
      "@context": [
        "https://www.w3.org/ns/credentials/v2",
        expect.stringContaining("ob/v3p0") as unknown,
        expect.any(String),
      ],
      type: ["VerifiableCredential", "OpenBadgeCredential"],
      issuer: { id: key.did },
      iss: key.did,
      iat: Date.parse("2027-01-01T00:00:00Z") / 1000,
      nbf: Date.parse("2026-06-30T00:00:00Z") / 1000,
      exp: Date.parse("2030-06-30T23:59:59Z") / 1000,
    });
    expect(payload).not.toHaveProperty("proof");
    expect(await verifyCredentialJwt(jwt)).toMatchObject({ verified: true, issuer: key.did, errors: [] });
    expect(fromVerifiableCredential(jwt)).toEqual(richBundle);
  });

  it("fails jose and our check when the payload was edited or another key is asked", async () => {
    const jwt = await signCredentialJwt(exportFor("ob3"), key);
    const [header, payload, signature] = jwt.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { name: string };
    claims.name = "Doctorate in Everything";
    const forged = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
    await expect(joseVerify(forged, key.did)).rejects.toThrow(/signature verification failed/);
    await expect(joseVerify(jwt, other.did)).rejects.toThrow();
    expect((await verifyCredentialJwt(forged)).verified).toBe(false);
  });

  it("fails our check when the kid is not a did:key, or its DID is not the credential's issuer", async () => {
    const privateKey = await importJWK(other.privateJwk(), "EdDSA");
    const claims = { ...exportFor("ob3"), iss: other.did };
    const mismatched = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", typ: "vc+jwt", kid: other.verificationMethod })
      .sign(privateKey);
    const result = await verifyCredentialJwt(mismatched);
    expect(result.verified).toBe(false);
    expect(result.errors).toEqual([`signed by ${other.did}, but the credential names issuer ${key.did}`]);
    const webKid = await new SignJWT(claims)
      .setProtectedHeader({ alg: "EdDSA", typ: "vc+jwt", kid: "did:web:x#k" })
      .sign(privateKey);
    expect((await verifyCredentialJwt(webKid)).errors[0]).toMatch(/is not an Ed25519 did:key/);
    expect((await verifyCredentialJwt("not a jwt")).verified).toBe(false);
  });

  it("fails an expired JWT", async () => {
    const jwt = await signCredentialJwt(exportFor("ob3"), key);
    const result = await verifyCredentialJwt(jwt, { now: new Date("2031-01-01T00:00:00Z") });
    expect(result.verified).toBe(false);
    expect(result.errors[0]).toMatch(/"exp" claim/);
  });
});
