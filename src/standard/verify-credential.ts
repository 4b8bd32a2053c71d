import { decodeJwt } from "jose";
import { type Bundle, parseBundle } from "../bundle";
import { CredrootError, isCredrootError } from "../errors";
import { CREDROOT_BUNDLE_TYPE, fromVerifiableCredential } from "../export";
import { parseStrictJson } from "../json";
import { describeIssuerKeyStatus, type IssuerKeyStatus, issuerKeyStatus } from "../registry-keys";
import { decodeRegistryError } from "../registry-errors";
import type { Check, TrustedChain, VerificationResult, Verdict } from "../verdict";
import { verifyBundle } from "../verify";
import { isObject, type Json } from "./fields";
import { sdJwtToBundle, verifySdJwtVc } from "./sd-jwt-verify";
import { verifyCredentialJwt, verifyDataIntegrity } from "./verify";

/** A check of a signed credential: the bundle's checks, then the signature, the key and the claims. */
export interface SignedCheck {
  name: Check["name"] | "signature" | "issuer-key" | "claims";
  ok: boolean | null;
  message: string;
}

/** The verdict on a signed credential: the embedded bundle's, with the signature's checks added. */
export interface SignedVerdict extends Omit<VerificationResult, "checks"> {
  /** True only when every check passed: the verdict is then `valid`. */
  valid: boolean;
  checks: SignedCheck[];
  /** How the credential was secured. */
  format: "data-integrity" | "jwt" | "sd-jwt";
  /** The DID that signed it, when the signature verified. */
  signer: string | null;
  /** When it claims to be signed (the proof's `created`, the JWT's `iat`), ISO 8601. */
  signedAt: string | null;
}

export interface SignedVerifyOptions {
  /** The chains and registries trusted, as for `verifyBundle`. */
  chains: readonly TrustedChain[];
  /** The time expiry is judged at (default now). */
  now?: Date;
  /** Give up on the chain after this many ms (`chain-unavailable`; default 10 s). */
  timeoutMs?: number;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** What was signed, by whom and when, read from the credential once its signature verified. */
interface Signature {
  check: SignedCheck;
  signer: string | null;
  signedAt: Date | null;
}

function notCredential(message: string): never {
  throw new CredrootError("INVALID_BUNDLE", message);
}

/** The credential document (a JWT's payload, unverified) and the form it came in. */
function documentOf(input: object | string): { doc: Json; format: SignedVerdict["format"] } {
  if (typeof input === "string") {
    const text = input.trim();
    if (COMPACT_JWS.test(text)) {
      let payload: unknown;
      try {
        payload = decodeJwt(text);
      } catch (error) {
        notCredential(`not a JWT: ${(error as Error).message}`);
      }
      if (!isObject(payload)) notCredential("the JWT's payload is not a JSON object");
      return { doc: payload, format: "jwt" };
    }
    const doc = parseStrictJson(text, "INVALID_BUNDLE", "the credential");
    if (!isObject(doc)) notCredential("a verifiable credential is a JSON object");
    return { doc, format: "data-integrity" };
  }
  if (!isObject(input)) notCredential("a verifiable credential is a JSON object");
  return { doc: input, format: "data-integrity" };
}

/** The bundle of the one `CredrootBundle` evidence entry, unparsed (`verifyBundle` parses it). */
function embeddedBundle(input: object | string, doc: Json): unknown {
  const evidence = Array.isArray(doc.evidence) ? doc.evidence : [doc.evidence];
  const ours = evidence.filter((e) => isObject(e) && Array.isArray(e.type) && e.type.includes(CREDROOT_BUNDLE_TYPE));
  if (ours.length === 1 && isObject(ours[0])) return ours[0].credrootBundle;
  fromVerifiableCredential(input); // throws, saying what is wrong with the evidence
  return notCredential(`the credential carries no single ${CREDROOT_BUNDLE_TYPE} evidence`);
}

const seconds = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value * 1000 : null);

/**
 * The time the signature's own validity checks run at: `now`, or just before the end of validity
 * when it has passed. Expiry is the bundle's `expiry` check; an expired credential is `expired`,
 * not a bad signature.
 */
function signatureTime(now: Date, validUntil: number | null): Date {
  return validUntil !== null && Number.isFinite(validUntil) && now.getTime() >= validUntil
    ? new Date(validUntil - 1000)
    : now;
}

async function dataIntegritySignature(doc: Json, now: Date): Promise<Signature> {
  const validUntil = typeof doc.validUntil === "string" ? Date.parse(doc.validUntil) : null;
  const result = await verifyDataIntegrity(doc, { now: signatureTime(now, validUntil) });
  if (!result.verified) {
    return { check: { name: "signature", ok: false, message: result.errors.join("; ") }, signer: null, signedAt: null };
  }
  const proofs = (Array.isArray(doc.proof) ? doc.proof : [doc.proof]).filter(isObject);
  const [proof] = proofs;
  const method = proof && typeof proof.verificationMethod === "string" ? proof.verificationMethod : "";
  const signer = method.split("#")[0]!;
  if (proofs.length !== 1 || signer !== result.issuer) {
    const why =
      proofs.length !== 1
        ? `${proofs.length} proofs: credroot accepts one, by the issuer's key`
        : `signed by ${signer}, but the credential names issuer ${result.issuer}`;
    return { check: { name: "signature", ok: false, message: why }, signer: null, signedAt: null };
  }
  const created = typeof proof!.created === "string" ? new Date(proof!.created) : null;
  return {
    check: { name: "signature", ok: true, message: `eddsa-rdfc-2022 proof by ${signer} verifies` },
    signer,
    signedAt: created && Number.isFinite(created.getTime()) ? created : null,
  };
}

async function jwtSignature(jwt: string, doc: Json, now: Date): Promise<Signature> {
  const result = await verifyCredentialJwt(jwt, { now: signatureTime(now, seconds(doc.exp)) });
  if (!result.verified) {
    return { check: { name: "signature", ok: false, message: result.errors.join("; ") }, signer: null, signedAt: null };
  }
  const iat = seconds(result.payload?.iat);
  return {
    check: { name: "signature", ok: true, message: `EdDSA JWT signature by ${result.issuer} verifies` },
    signer: result.issuer,
    signedAt: iat === null ? null : new Date(iat),
  };
}

/** An SD-JWT VC's issuer-signed JWT (before the first `~`), unverified: what `signatureTime` needs. */
function sdJwtPayload(text: string): Json {
  try {
    const payload = decodeJwt(text.trim().split("~")[0]!);
    if (isObject(payload)) return payload;
  } catch {
    // refused below
  }
  return notCredential("an SD-JWT VC starts with a JWT, which this one is not");
}

async function sdJwtSignature(text: string, now: Date): Promise<Signature> {
  const result = await verifySdJwtVc(text, { now: signatureTime(now, seconds(sdJwtPayload(text).exp)) });
  if (!result.verified) {
    return { check: { name: "signature", ok: false, message: result.errors.join("; ") }, signer: null, signedAt: null };
  }
  const iat = seconds(result.payload.iat);
  return {
    check: { name: "signature", ok: true, message: `SD-JWT VC signed by ${result.issuer}, its disclosures verify` },
    signer: result.issuer,
    signedAt: iat === null ? null : new Date(iat),
  };
}

/** The `issuer-key` check: the signing DID recorded for the bundle's issuer when it signed. */
async function keyCheck(
  signature: Signature,
  bundle: Bundle,
  options: SignedVerifyOptions,
): Promise<{ check: SignedCheck; status: IssuerKeyStatus | null }> {
  const { signer, signedAt } = signature;
  const { chainId, registry, issuerId } = bundle.anchor;
  if (signer === null)
    return { check: { name: "issuer-key", ok: null, message: "no verified signature" }, status: null };
  if (signedAt === null) {
    return {
      check: { name: "issuer-key", ok: false, message: "the signature says not when it was made" },
      status: null,
    };
  }
  const chain = options.chains.find((c) => c.chainId === chainId);
  if (!chain?.registries.some((r) => r.toLowerCase() === registry)) {
    return { check: { name: "issuer-key", ok: null, message: "the bundle's registry is not trusted" }, status: null };
  }
  try {
    const reader = { provider: chain.provider, registry, timeoutMs: options.timeoutMs ?? 10_000 };
    const status = await issuerKeyStatus(reader, issuerId, signer, signedAt);
    const message = describeIssuerKeyStatus(status, signer, issuerId);
    return { check: { name: "issuer-key", ok: status.accepted, message }, status };
  } catch (error) {
    if (isCredrootError(error, "INVALID_ARGUMENT")) {
      return { check: { name: "issuer-key", ok: false, message: error.message }, status: null };
    }
    const reason = decodeRegistryError(error).message;
    return { check: { name: "issuer-key", ok: null, message: `could not ask the chain: ${reason}` }, status: null };
  }
}

/** The `claims` check: every visible claim is what the embedded bundle discloses (issuer as on chain). */
function claimsCheck(input: object | string, result: VerificationResult): SignedCheck {
  try {
    fromVerifiableCredential(input, result.issuer ? { issuer: result.issuer } : {});
    return { name: "claims", ok: true, message: "every claim is what the embedded bundle discloses" };
  } catch (error) {
    if (!isCredrootError(error)) throw error;
    return { name: "claims", ok: false, message: error.message };
  }
}

async function verifySdJwt(text: string, now: Date, options: SignedVerifyOptions): Promise<SignedVerdict> {
  const bundle = await sdJwtToBundle(text);
  const signature = await sdJwtSignature(text, now);
  const claims: SignedCheck = {
    name: "claims",
    ok: true,
    message: "the claims are the bundle's fields, rebuilt from the disclosures",
  };
  return judged(bundle, signature, claims, "sd-jwt", now, options);
}

/** The verdict from the bundle's checks and the signature's, made with the chain asked twice at once. */
async function judged(
  bundle: Bundle,
  signature: Signature,
  claims: SignedCheck | ((result: VerificationResult) => SignedCheck),
  format: SignedVerdict["format"],
  now: Date,
  options: SignedVerifyOptions,
): Promise<SignedVerdict> {
  const bundleOptions = { chains: options.chains, now: now.getTime(), timeoutMs: options.timeoutMs ?? 10_000 };
  const [result, key] = await Promise.all([verifyBundle(bundle, bundleOptions), keyCheck(signature, bundle, options)]);
  const checks: SignedCheck[] = [
    ...result.checks,
    signature.check,
    key.check,
    typeof claims === "function" ? claims(result) : claims,
  ];
  const verdict = verdictOf(result.verdict, checks);
  return {
    ...result,
    verdict,
    valid: verdict === "valid" && checks.every((c) => c.ok === true),
    checks,
    format,
    signer: signature.signer,
    signedAt: signature.signedAt?.toISOString() ?? null,
  };
}

function verdictOf(bundleVerdict: Verdict, checks: readonly SignedCheck[]): Verdict {
  const state = (name: SignedCheck["name"]) => checks.find((c) => c.name === name)?.ok;
  if (state("signature") === false || state("claims") === false) return "tampered";
  if (bundleVerdict !== "valid") return bundleVerdict;
  if (state("issuer-key") === false) return "issuer-not-accredited";
  if (state("issuer-key") !== true) return "chain-unavailable";
  return "valid";
}

/**
 * Verifies a signed credential credroot's service issued: an Open Badges 3.0 / VC 2.0 JSON
 * credential with a Data Integrity proof (`eddsa-rdfc-2022`), or a VC-JOSE JWT. It holds only when
 * the signature verifies (with the standard libraries), the embedded credroot bundle verifies against
 * the chain (`verifyBundle`: anchored, not revoked, issuer accredited, not expired), the signing
 * `did:key` is one the registry records for the bundle's issuer and accepted at the time the proof
 * claims (`created`, or the JWT's `iat`: `issuerKeyStatus`), and every claim of the credential is
 * what the bundle discloses. Two `eth_call`s, made together.
 *
 * Verdicts: a signature that fails or claims that differ from the bundle are `tampered`; then the
 * bundle's own verdict; then a key the registry does not accept is `issuer-not-accredited`.
 * An SD-JWT VC (text with disclosures after `~`) is checked the same way: its signature and
 * disclosures with `@sd-jwt` (`verifySdJwtVc`), and the bundle rebuilt from what it discloses
 * (`sdJwtToBundle`), so its claims are the bundle's by construction.
 * @throws CredrootError `INVALID_BUNDLE` when the input is no credential carrying a credroot bundle.
 * @example
 * const result = await verifySignedCredential(JSON.parse(text), { chains });
 * if (result.valid) show(result.issuer?.name);
 */
export async function verifySignedCredential(
  input: object | string,
  options: SignedVerifyOptions,
): Promise<SignedVerdict> {
  const now = options.now ?? new Date();
  if (typeof input === "string" && !input.trim().startsWith("{") && input.includes("~")) {
    return verifySdJwt(input, now, options);
  }
  const { doc, format } = documentOf(input);
  const embedded = embeddedBundle(input, doc);
  const signature =
    format === "jwt" ? await jwtSignature(input as string, doc, now) : await dataIntegritySignature(doc, now);
  return judged(parseBundle(embedded), signature, (result) => claimsCheck(input, result), format, now, options);
}
