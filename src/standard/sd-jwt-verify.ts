import { SDJwt, SDJwtInstance } from "@sd-jwt/core";
import { compactVerify, decodeProtectedHeader, importJWK } from "jose";
import type { Bundle } from "../bundle-format";
import { parseBundle } from "../bundle-parse";
import { valueHash } from "../commit";
import { fixedBase64url, joinBase64url, toBase64url } from "../encoding";
import { CredrootError, isCredrootError } from "../errors";
import { type JsonValue, unflatten } from "../pointer";
import { isObject, type Json } from "./fields";
import { didKeyPublicJwk } from "./keys";
import { CREDROOT_VCT, RESERVED_CLAIMS, SD_JWT_VC_TYPE, sdJwtHasher, SKELETON_CLAIM } from "./sd-jwt";

/** The longest SD-JWT text read, in characters (a bundle is at most 256 KiB; its SD-JWT a little more). */
export const MAX_SD_JWT_TEXT = 384 * 1024;

/** What checking an SD-JWT VC found. */
export interface SdJwtCheck {
  /** True only when the signature, the disclosures, the validity period, `iss` and `vct` all hold. */
  verified: boolean;
  /** The `iss` (the issuer's DID), when it can be read. */
  issuer: string | null;
  /** The header's `kid` (the verification method that signed), when it can be read. */
  kid: string | null;
  /** The claims with every presented disclosure in place (`_sd` digests removed); `{}` when unreadable. */
  payload: Record<string, unknown>;
  /** Why it did not verify, one message per problem (empty when verified). */
  errors: string[];
}

export interface SdJwtCheckOptions {
  /** The time `iat`, `nbf` and `exp` are judged at (default now). */
  now?: Date;
  /**
   * Fetches the Token Status List JWT at a URL, to check a `status.status_list` claim (signed by the
   * same key). Without it the status is not checked and nothing is fetched: credroot reads revocation
   * from the chain, and a URL in a credential is never requested on its say-so.
   */
  statusList?: (uri: string) => Promise<string>;
}

const invalid = (message: string, cause?: unknown): CredrootError =>
  new CredrootError("INVALID_BUNDLE", `invalid SD-JWT VC: ${message}`, cause === undefined ? {} : { cause });
const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** An SD-JWT's signed payload and its fields by pointer: each disclosed value with its salt. */
interface OpenedSdJwt {
  payload: Json;
  fields: Map<string, { salt: string; value: JsonValue }>;
}

/**
 * Reads an SD-JWT and pairs each disclosure with the `_sd` digest that references it, strictly: a
 * disclosure no digest references, one referenced twice, or one naming a claim the payload already
 * has is refused (the library would drop or merge it silently). Does not check the signature.
 */
async function openSdJwt(text: unknown): Promise<OpenedSdJwt> {
  if (typeof text !== "string" || text.length > MAX_SD_JWT_TEXT) throw invalid("not an SD-JWT text");
  let decoded: SDJwt;
  try {
    decoded = await SDJwt.fromEncode(text.trim(), sdJwtHasher);
  } catch (cause) {
    throw invalid((cause as Error).message, cause);
  }
  const payload = decoded.jwt?.payload;
  if (!isObject(payload)) throw invalid("no payload");
  const byDigest = new Map<string, { key: string; salt: string; value: JsonValue }>();
  for (const d of decoded.disclosures ?? []) {
    if (typeof d.key !== "string" || d._digest === undefined) throw invalid("an array-element or malformed disclosure");
    if (byDigest.has(d._digest)) throw invalid(`disclosure ${d.key} is presented twice`);
    byDigest.set(d._digest, { key: d.key, salt: d.salt, value: d.value as JsonValue });
  }
  const fields = new Map<string, { salt: string; value: JsonValue }>();
  const walk = (object: Json, prefix: string) => {
    const digests = object._sd;
    for (const [key, value] of Object.entries(object)) {
      if (key !== "_sd" && isObject(value) && !(prefix === "" && RESERVED_CLAIMS.includes(key))) {
        walk(value, `${prefix}/${escape(key)}`);
      }
    }
    if (digests === undefined) return;
    if (!Array.isArray(digests)) throw invalid(`${prefix || "/"}: _sd is not an array`);
    for (const digest of digests) {
      const disclosure = typeof digest === "string" ? byDigest.get(digest) : undefined;
      if (disclosure === undefined) continue; // a field the holder does not show
      byDigest.delete(digest as string);
      if (Object.hasOwn(object, disclosure.key) || (prefix === "" && RESERVED_CLAIMS.includes(disclosure.key))) {
        throw invalid(`disclosure ${disclosure.key} names a claim that is not selectively disclosable`);
      }
      fields.set(`${prefix}/${escape(disclosure.key)}`, { salt: disclosure.salt, value: disclosure.value });
    }
  };
  walk(payload, "");
  if (byDigest.size > 0) {
    throw invalid(`${byDigest.size} disclosure(s) the signed payload does not reference (edited?)`);
  }
  return { payload, fields };
}

/**
 * The disclosed credroot bundle an SD-JWT VC (from {@link issueSdJwtVc}, after any holder dropped
 * disclosures) carries: the presented fields shown with their salts, every other field hidden under
 * the value hash the always-disclosed `credroot` claim lists. `verifyBundle` judges it against the
 * chain. The SD-JWT's signature is not checked here ({@link verifySdJwtVc} does).
 * @throws CredrootError `INVALID_BUNDLE` when it is not a credroot SD-JWT VC, when a disclosure does
 * not match its value hash, or when the bundle would hide a field that must stay shown (`/title`…).
 * @example
 * const result = await verifyBundle(await sdJwtToBundle(text), { chains });
 */
export async function sdJwtToBundle(text: string): Promise<Bundle> {
  const { payload, fields } = await openSdJwt(text);
  const skeleton = payload[SKELETON_CLAIM];
  if (payload.vct !== CREDROOT_VCT || !isObject(skeleton) || skeleton.version !== 1) {
    throw invalid(`not a credroot SD-JWT VC (vct ${CREDROOT_VCT} with a version 1 ${SKELETON_CLAIM} claim)`);
  }
  const hashes = isObject(skeleton.hashes) ? skeleton.hashes : {};
  const shown: [string, { salt: Uint8Array; value: JsonValue }][] = [];
  for (const [pointer, { salt, value }] of fields) {
    const expected = hashes[pointer];
    let bytes: Uint8Array;
    try {
      bytes = fixedBase64url(salt, 16, `the salt of ${pointer}`);
    } catch (cause) {
      throw invalid((cause as Error).message, cause);
    }
    if (typeof expected !== "string" || toBase64url(valueHash(bytes, value)) !== expected) {
      throw invalid(`the disclosure of ${pointer} does not match its credroot value hash`);
    }
    shown.push([pointer, { salt: bytes, value }]);
  }
  shown.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hidden = Object.entries(hashes).filter(([pointer]) => !fields.has(pointer));
  return parseBundle({
    type: "credroot/bundle",
    version: 2,
    anchor: skeleton.anchor,
    credential: unflatten(shown.map(([p, f]) => [p, f.value] as const)),
    salts: joinBase64url(shown.map(([, f]) => f.salt)),
    hidden: Object.fromEntries(hidden),
    root: skeleton.root,
    proof: skeleton.proof,
  });
}

/** The verifier `@sd-jwt/sd-jwt-vc` calls: EdDSA over `header.payload` with the key the `kid` names. */
async function verifierFor(kid: string) {
  const key = await importJWK(await didKeyPublicJwk(kid), "EdDSA");
  return async (data: string, signature: string): Promise<boolean> => {
    try {
      await compactVerify(`${data}.${signature}`, key, { algorithms: ["EdDSA"] });
      return true;
    } catch {
      return false;
    }
  };
}

/**
 * Checks an SD-JWT VC as a wallet or verifier would, with `@sd-jwt/sd-jwt-vc`: the EdDSA signature by
 * the key the header's `kid` names (a `did:key`, resolved locally: nothing is fetched), whose DID must be
 * the `iss`; each presented disclosure (strictly: none unreferenced or repeated); `iat`, `nbf`, `exp`
 * at `now`; `typ` `dc+sd-jwt` and credroot's `vct`; the `status` in the issuer's Token Status List only
 * when `options.statusList` fetches it (nothing is fetched otherwise). It says nothing of the chain: {@link sdJwtToBundle}
 * gives the bundle for `verifyBundle`.
 * @example
 * const { verified, issuer, payload, errors } = await verifySdJwtVc(text);
 */
export async function verifySdJwtVc(text: string, options: SdJwtCheckOptions = {}): Promise<SdJwtCheck> {
  const result: SdJwtCheck = { verified: false, issuer: null, kid: null, payload: {}, errors: [] };
  try {
    const opened = await openSdJwt(text);
    result.issuer = typeof opened.payload.iss === "string" ? opened.payload.iss : null;
    const header = decodeProtectedHeader(text.trim().split("~")[0]!);
    result.kid = typeof header.kid === "string" ? header.kid : null;
    if (header.alg !== "EdDSA") result.errors.push(`alg must be EdDSA, got ${String(header.alg)}`);
    if (header.typ !== SD_JWT_VC_TYPE) result.errors.push(`typ must be ${SD_JWT_VC_TYPE}, got ${String(header.typ)}`);
    if (result.kid === null) throw invalid("the header has no kid");
    const config = { hasher: sdJwtHasher, verifier: await verifierFor(result.kid) };
    // The core instance checks signature, disclosures and dates; the VC one adds the status list (fetched).
    // It is loaded only then: it brings zod and pako (≈ 500 kB), which a web page need not load.
    const instance = options.statusList
      ? new (await import("@sd-jwt/sd-jwt-vc")).SDJwtVcInstance({ ...config, statusListFetcher: options.statusList })
      : new SDJwtInstance(config);
    const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
    const { payload } = (await instance.verify(text.trim(), { currentDate: now })) as { payload: Json };
    result.payload = payload;
    if (result.issuer === null || result.kid.split("#")[0] !== result.issuer) {
      result.errors.push(`the signing key ${result.kid} is not the issuer ${String(result.issuer)}'s`);
    }
    if (payload.vct !== CREDROOT_VCT) result.errors.push(`vct must be ${CREDROOT_VCT}`);
  } catch (error) {
    const message = (error as Error).message;
    result.errors.push(
      isCredrootError(error)
        ? message
        : /^Status is not valid/.test(message)
          ? "revoked (status list)"
          : `SD-JWT VC: ${message}`,
    );
  }
  result.verified = result.errors.length === 0;
  return result;
}
