import { hexlify } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RegistryFixture, startRegistry } from "../../../harness/registry";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type Bundle, bundleFor, type CallProvider, newBatchId, prepareBatch } from "../../../src";
import { type ExportFormat, toVerifiableCredential, type VerifiableCredential } from "../../../src/export";
import { publicKeyOfDidKey } from "../../../src/registry-keys";
import {
  IssuerKey,
  signCredential,
  signCredentialJwt,
  type SignedVerdict,
  verifySignedCredential,
} from "../../../src/standard";
import { ISSUER, RICH } from "./helpers";
import { digitalbazaarVerify, joseVerify } from "./third-party";

/**
 * credroot's verifier of signed credentials, against a local chain: the signature, the embedded
 * bundle on chain, the signing did:key as the registry records it for the bundle's issuer, and the
 * claims against the bundle.
 */

let fx: RegistryFixture;
/** Recorded for issuer 1 and in use. */
let key: IssuerKey;
/** Never recorded. */
let stranger: IssuerKey;
/** Recorded for issuer 2. */
let otherIssuers: IssuerKey;
let bundle: Bundle;
let revoked: Bundle;

const seedKey = (byte: string) => IssuerKey.fromSeed(byte.repeat(32));
const pk = (k: IssuerKey) => hexlify(publicKeyOfDidKey(k.did));
const addKey = async (issuerId: number, k: IssuerKey) =>
  (await fx.accreditor.contract.addIssuerKey(issuerId, pk(k))).wait();
const retireKey = async (issuerId: number, k: IssuerKey, compromised: boolean) =>
  (await fx.accreditor.contract.retireIssuerKey(issuerId, pk(k), compromised)).wait();
/** The time the registry recorded `k` (seconds), as a Date. */
const addedAt = async (k: IssuerKey) =>
  new Date(Number((await fx.accreditor.contract.getIssuerKey(fx.issuerId, pk(k))).addedAt) * 1000);

const exported = (k: IssuerKey, format: ExportFormat = "ob3", b = bundle) =>
  toVerifiableCredential(b, ISSUER, { format, issuerDid: k.did });
/** The chain's time: the local chain runs ahead of the clock when it mines several blocks a second. */
async function chainNow(): Promise<Date> {
  const block = await fx.chain.provider.getBlock("latest");
  return new Date(Math.max(Date.now(), (block?.timestamp ?? 0) * 1000));
}
/** `k`'s signature of the export of `b`, made at `now` (default the chain's time), as read from a file. */
const signed = async (k: IssuerKey, now?: Date, format: ExportFormat = "ob3", b = bundle) => {
  const doc = await signCredential(exported(k, format, b), k, { now: now ?? (await chainNow()) });
  return JSON.parse(JSON.stringify(doc)) as VerifiableCredential;
};
const options = (now?: Date) => ({ chains: fx.trusted, ...(now ? { now } : {}) });
const checkOf = (result: SignedVerdict, name: string) => result.checks.find((c) => c.name === name);

beforeAll(async () => {
  fx = await startRegistry();
  [key, stranger, otherIssuers] = await Promise.all([seedKey("07"), seedKey("42"), seedKey("43")]);
  const second = await fx.accreditor.registerIssuer(
    "Other College",
    "https://other.test",
    (await fx.chain.signer(2)).address,
  );
  await addKey(fx.issuerId, key);
  await addKey(second.issuerId, otherIssuers);
  const batch = prepareBatch([RICH, sampleCredential(1, { validUntil: "2030-06-30" })], {
    chainId: fx.chain.chainId,
    registry: fx.registry,
    issuerId: fx.issuerId,
    batchId: newBatchId(),
  });
  const { blockNumber } = await fx.issuer.anchor(batch.context.batchId, batch.root, batch.count);
  bundle = bundleFor(batch, 0, blockNumber);
  revoked = bundleFor(batch, 1, blockNumber);
  await fx.issuer.revokeCredential(batch.credentials[1]!.digest, "issued in error");
}, 60_000);

afterAll(async () => {
  await fx.chain.close();
});

describe("verifySignedCredential: valid", () => {
  it.each(["ob3", "vc"] as const)("accepts a %s credential signed by the issuer's recorded key", async (format) => {
    const credential = await signed(key, undefined, format);
    expect((await digitalbazaarVerify(credential)).verified).toBe(true);
    const result = await verifySignedCredential(credential, options());
    expect(result.checks.filter((c) => c.ok !== true)).toEqual([]);
    expect(result).toMatchObject({ verdict: "valid", valid: true, format: "data-integrity", signer: key.did });
    expect(result.issuer?.name).toBe("Test University");
    expect(checkOf(result, "issuer-key")?.message).toMatch(/is a key of issuer 1, in use since/);
    expect(result.checks.map((c) => c.name)).toEqual(expect.arrayContaining(["signature", "issuer-key", "claims"]));
  });

  it("accepts the VC-JOSE JWT signed by the recorded key, and the JSON text of a credential", async () => {
    const jwt = await signCredentialJwt(exported(key, "vc"), key, { now: await chainNow() });
    expect((await joseVerify(jwt, key.did)).payload).toBeDefined();
    const result = await verifySignedCredential(jwt, options());
    expect(result).toMatchObject({ verdict: "valid", valid: true, format: "jwt", signer: key.did });
    const text = JSON.stringify(await signed(key));
    expect((await verifySignedCredential(text, options())).valid).toBe(true);
  });

  it("makes two eth_calls, to the trusted registry", async () => {
    const calls: string[] = [];
    const provider: CallProvider = {
      call: (tx) => {
        calls.push(tx.to.toLowerCase());
        return fx.chain.provider.call(tx);
      },
    };
    const chains = [{ ...fx.trusted[0]!, provider }];
    expect((await verifySignedCredential(await signed(key), { chains })).valid).toBe(true);
    expect(calls).toEqual([fx.registry.toLowerCase(), fx.registry.toLowerCase()]);
  });
});

describe("verifySignedCredential: the signing key", () => {
  it("refuses a credential signed by a key the registry does not record", async () => {
    const credential = await signed(stranger);
    expect((await digitalbazaarVerify(credential)).verified).toBe(true); // a standard verifier is content
    const result = await verifySignedCredential(credential, options());
    expect(result).toMatchObject({ verdict: "issuer-not-accredited", valid: false });
    expect(checkOf(result, "signature")?.ok).toBe(true);
    expect(checkOf(result, "issuer-key")).toEqual({
      name: "issuer-key",
      ok: false,
      message: `${stranger.did} is not a key the registry records for issuer 1`,
    });
    const jwt = await verifySignedCredential(await signCredentialJwt(exported(stranger, "vc"), stranger), options());
    expect(jwt).toMatchObject({ verdict: "issuer-not-accredited", valid: false });
  });

  it("refuses a credential signed by a key of another issuer", async () => {
    const result = await verifySignedCredential(await signed(otherIssuers), options());
    expect(result).toMatchObject({ verdict: "issuer-not-accredited", valid: false });
    expect(checkOf(result, "issuer-key")?.ok).toBe(false);
  });

  it("keeps a credential signed before a plain rotation valid, and refuses one signed after", async () => {
    const rotated = await seedKey("44");
    await addKey(fx.issuerId, rotated);
    const before = await signed(rotated, await addedAt(rotated));
    await retireKey(fx.issuerId, rotated, false);
    const { retiredAt } = await fx.accreditor.contract.getIssuerKey(fx.issuerId, pk(rotated));
    const kept = await verifySignedCredential(before, options());
    expect(kept).toMatchObject({ verdict: "valid", valid: true });
    expect(checkOf(kept, "issuer-key")?.message).toMatch(/retired at .*, after the signature/);

    const afterwards = new Date((Number(retiredAt) + 1) * 1000);
    const after = await verifySignedCredential(await signed(rotated, afterwards), options());
    expect(after).toMatchObject({ verdict: "issuer-not-accredited", valid: false });
    expect(checkOf(after, "issuer-key")?.message).toMatch(/was retired at .*, before the signature/);
  });

  it("refuses a signature claiming a time before the key was recorded", async () => {
    const late = await seedKey("45");
    await addKey(fx.issuerId, late);
    const result = await verifySignedCredential(await signed(late, new Date("2026-01-01T00:00:00Z")), options());
    expect(result).toMatchObject({ verdict: "issuer-not-accredited", valid: false });
    expect(checkOf(result, "issuer-key")?.message).toMatch(/after the signature claims to be made/);
  });

  it("refuses every signature by a compromised key, even one made before", async () => {
    const leaked = await seedKey("46");
    await addKey(fx.issuerId, leaked);
    const before = await signed(leaked, await addedAt(leaked));
    expect((await verifySignedCredential(before, options())).valid).toBe(true);
    await retireKey(fx.issuerId, leaked, true);
    const result = await verifySignedCredential(before, options());
    expect(result).toMatchObject({ verdict: "issuer-not-accredited", valid: false });
    expect(checkOf(result, "issuer-key")?.message).toMatch(/retired as compromised/);
  });
});

describe("verifySignedCredential: what the credential says", () => {
  it("calls an edited claim tampered: the signature fails; re-signed, the claims differ from the bundle", async () => {
    const edited = await signed(key);
    edited.name = "Master of Everything";
    const broken = await verifySignedCredential(edited, options());
    expect(broken).toMatchObject({ verdict: "tampered", valid: false });
    expect(checkOf(broken, "signature")?.ok).toBe(false);

    const doc = exported(key);
    doc.name = "Master of Everything";
    const resigned = await verifySignedCredential(await signCredential(doc, key), options());
    expect(resigned).toMatchObject({ verdict: "tampered", valid: false });
    expect(checkOf(resigned, "signature")?.ok).toBe(true);
    expect(checkOf(resigned, "issuer-key")?.ok).toBe(true);
    expect(checkOf(resigned, "claims")).toEqual({
      name: "claims",
      ok: false,
      message: "the credential's /name disagrees with its embedded bundle",
    });
  });

  it("calls an edited bundle tampered, even with matching claims re-signed by the issuer's key", async () => {
    const forged = structuredClone(bundle);
    forged.credential.title = "Master of Everything";
    const result = await verifySignedCredential(await signed(key, undefined, "ob3", forged), options());
    expect(result).toMatchObject({ verdict: "tampered", valid: false });
    expect(checkOf(result, "signature")?.ok).toBe(true);
    expect(checkOf(result, "claims")?.ok).toBe(true);
    expect(checkOf(result, "proof")?.ok).toBe(false);
  });

  it("calls a credential past its validUntil expired (not a bad signature), in both forms", async () => {
    const later = new Date("2031-01-01T00:00:00Z");
    const result = await verifySignedCredential(await signed(key), options(later));
    expect(result).toMatchObject({ verdict: "expired", valid: false });
    expect(checkOf(result, "signature")?.ok).toBe(true);
    expect(checkOf(result, "expiry")?.ok).toBe(false);
    const jwt = await signCredentialJwt(exported(key, "vc"), key, { now: await chainNow() });
    expect((await verifySignedCredential(jwt, options(later))).verdict).toBe("expired");
  });

  it("calls a credential revoked on chain revoked, in both forms", async () => {
    const result = await verifySignedCredential(await signed(key, undefined, "ob3", revoked), options());
    expect(result).toMatchObject({ verdict: "revoked", valid: false });
    expect(checkOf(result, "signature")?.ok).toBe(true);
    expect(checkOf(result, "issuer-key")?.ok).toBe(true);
    const jwt = await signCredentialJwt(exported(key, "vc", revoked), key, { now: await chainNow() });
    expect((await verifySignedCredential(jwt, options())).verdict).toBe("revoked");
  });

  it("says chain-unavailable, never valid nor invalid, when the chain does not answer", async () => {
    const down: CallProvider = { call: () => Promise.reject(new Error("connection refused")) };
    const result = await verifySignedCredential(await signed(key), { chains: [{ ...fx.trusted[0]!, provider: down }] });
    expect(result).toMatchObject({ verdict: "chain-unavailable", valid: false });
    expect(checkOf(result, "issuer-key")?.ok).toBeNull();
  });

  it("throws INVALID_BUNDLE for what is no credroot credential, an SD-JWT that is none included", async () => {
    const noBundle = await signed(key);
    noBundle.evidence = [];
    await expect(verifySignedCredential(noBundle, options())).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    await expect(verifySignedCredential("not json", options())).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    await expect(verifySignedCredential("a.b.c~d~", options())).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
  });
});
