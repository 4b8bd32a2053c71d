import { pack } from "@sd-jwt/core";
import { importJWK, SignJWT } from "jose";
import type { Bundle, BundleAnchor } from "../bundle-format";
import { openBundle } from "../bundle-open";
import { valueHash } from "../commit";
import { toBase64url } from "../encoding";
import { CredrootError } from "../errors";
import type { ExportIssuer } from "../export";
import type { JsonValue } from "../pointer";
import { dateTime, isObject, type Json } from "./fields";
import type { IssuerKey } from "./keys";
import { type SdJwtStatusReference, sdJwtStatusClaim } from "./sd-jwt-status";

/*
 * The credential as an IETF SD-JWT VC (draft-ietf-oauth-sd-jwt-vc, as @sd-jwt/sd-jwt-vc 0.19 implements
 * it: header `typ: dc+sd-jwt`). Every field of the bundle is its own disclosure, under the same name
 * and nesting as in the bundle (`title`, `learner.name`, …). The disclosure's salt IS the field's
 * credroot salt (16 random bytes, base64url): a disclosure alone carries all credroot needs to rehash
 * that field. The always-disclosed `credroot` claim carries the rest of the bundle: its anchor, root,
 * Merkle path and the value hash of every field, so a holder who drops disclosures (with any SD-JWT
 * tool) still holds a credential whose shown fields credroot checks on chain (`sdJwtToBundle`).
 */

/** The JOSE `typ` of an SD-JWT VC (the draft's current value, the one @sd-jwt/sd-jwt-vc 0.19 writes). */
export const SD_JWT_VC_TYPE = "dc+sd-jwt";

/** Its media type. */
export const SD_JWT_VC_MEDIA_TYPE = `application/${SD_JWT_VC_TYPE}`;

/** The `vct` (credential type) of every credroot SD-JWT VC: a stable name, never fetched. */
export const CREDROOT_VCT = "https://credroot.dev/vct/micro-credential/v1";

/** The always-disclosed claim that carries the bundle's skeleton. */
export const SKELETON_CLAIM = "credroot";

/** The hash of the disclosures (`_sd_alg`). */
export const SD_HASH_ALG = "sha-256";

/** Claim names an SD-JWT VC gives a meaning of its own: no credential field may take one. */
export const RESERVED_CLAIMS: readonly string[] = [
  "iss",
  "sub",
  "iat",
  "nbf",
  "exp",
  "jti",
  "aud",
  "cnf",
  "vct",
  "vct#integrity",
  "status",
  "_sd",
  "_sd_alg",
  "...",
  SKELETON_CLAIM,
];

/** What the `credroot` claim holds: the bundle without its shown values and salts (version 1). */
export interface SdJwtSkeleton {
  version: 1;
  anchor: BundleAnchor;
  /** The batch's Merkle root, as in the bundle. */
  root: string;
  /** The Merkle path, as in the bundle. */
  proof: string;
  /** Pointer → 32-byte value hash (base64url) of every field, shown or hidden. */
  hashes: Record<string, string>;
  /** The registry's record of the issuer at signing time (for display: verifiers ask the registry). */
  issuer: { id: number; name: string };
}

export interface SdJwtOptions {
  /** The `iat` (default now). */
  now?: Date;
  /** Where the credential's revocation bit is, in the issuer's Token Status List (`status.status_list`). */
  status?: SdJwtStatusReference;
}

const utf8 = new TextEncoder();

/**
 * SHA-256 as the `@sd-jwt` packages call it, with the platform's WebCrypto (Node ≥ 20 and browsers).
 * @throws CredrootError `INVALID_ARGUMENT` for another algorithm.
 */
export async function sdJwtHasher(data: string | ArrayBuffer, alg: string): Promise<Uint8Array> {
  if (alg.toLowerCase() !== SD_HASH_ALG) throw new CredrootError("INVALID_ARGUMENT", `unsupported _sd_alg ${alg}`);
  const bytes = typeof data === "string" ? utf8.encode(data) : new Uint8Array(data);
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes));
}

const hasher = { hasher: sdJwtHasher, alg: SD_HASH_ALG };
const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The fields of `object` (at `prefix`) packed as disclosures, each salted with its credroot salt. */
async function packFields(
  object: Json,
  prefix: string,
  salts: ReadonlyMap<string, Uint8Array>,
  out: string[],
): Promise<Json> {
  const packed: Json = {};
  const digests: string[] = [];
  for (const [key, value] of Object.entries(object)) {
    const pointer = `${prefix}/${escape(key)}`;
    if (isObject(value) && Object.keys(value).length > 0) {
      packed[key] = await packFields(value, pointer, salts, out);
      continue;
    }
    const salt = toBase64url(salts.get(pointer)!);
    // @sd-jwt/core makes the disclosure and its digest; the salt generator is asked once, for this field.
    const claim: Record<string, unknown> = { [key]: value };
    const frame = { _sd: [key] } as unknown as Parameters<typeof pack>[1];
    const { packedClaims, disclosures } = await pack(claim, frame, hasher, () => salt);
    digests.push(...(packedClaims as { _sd: string[] })._sd);
    out.push(...disclosures.map((d) => d.encode()));
  }
  if (digests.length > 0) packed._sd = digests.sort();
  return packed;
}

/**
 * The bundle as an SD-JWT VC signed with EdDSA by `key`: `iss` the key's DID, header `kid` its
 * verification method, `vct` {@link CREDROOT_VCT}, `iat` now, `nbf` the start of `issuedOn`, `exp` the end
 * of `validUntil` (when it has one), and `status` when `options.status` says where its revocation bit is. Every shown field is selectively disclosable; a field the bundle
 * already hides stays hidden (only its value hash travels, in the `credroot` claim). The issuer is
 * the registry's record of the bundle's issuer, as `verifyBundle` returns it.
 * @throws CredrootError `INVALID_ARGUMENT` for an issuer record of another issuer, or a credential
 * field with a name an SD-JWT VC reserves.
 * @example
 * const key = await IssuerKey.fromSeed(seedHex);
 * const sdJwt = await issueSdJwtVc(bundle, result.issuer, key); // "eyJ…~WyJ…~…~"
 */
export async function issueSdJwtVc(
  bundle: Bundle,
  issuer: ExportIssuer,
  key: IssuerKey,
  options: SdJwtOptions = {},
): Promise<string> {
  if (issuer.id !== bundle.anchor.issuerId) {
    throw new CredrootError("INVALID_ARGUMENT", `issuer ${issuer.id} is not the bundle's (${bundle.anchor.issuerId})`);
  }
  const reserved = Object.keys(bundle.credential).filter((name) => RESERVED_CLAIMS.includes(name));
  if (reserved.length > 0) {
    throw new CredrootError("INVALID_ARGUMENT", `an SD-JWT VC reserves the claim name ${reserved.join(", ")}`);
  }
  const opening = openBundle(bundle);
  const hashes = new Map<string, Uint8Array>(opening.hidden);
  const salts = new Map<string, Uint8Array>();
  for (const [pointer, { salt, value }] of opening.shown) {
    hashes.set(pointer, valueHash(salt, value));
    salts.set(pointer, salt);
  }
  const skeleton: SdJwtSkeleton = {
    version: 1,
    anchor: { ...bundle.anchor },
    root: bundle.root,
    proof: bundle.proof,
    hashes: Object.fromEntries([...hashes].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, h]) => [p, toBase64url(h)])),
    issuer: { id: issuer.id, name: issuer.name },
  };
  const disclosures: string[] = [];
  const fields = await packFields(bundle.credential, "", salts, disclosures);
  const credential = bundle.credential;
  const validUntil = typeof credential.validUntil === "string" ? credential.validUntil : undefined;
  const claims: { [key: string]: JsonValue | undefined } = {
    iss: key.did,
    iat: seconds((options.now ?? new Date()).toISOString()),
    nbf: seconds(dateTime(credential.issuedOn as string, false)),
    exp: validUntil === undefined ? undefined : seconds(dateTime(validUntil, true)),
    vct: CREDROOT_VCT,
    ...(options.status === undefined ? {} : { status: sdJwtStatusClaim(options.status) as unknown as Json }),
    [SKELETON_CLAIM]: skeleton as unknown as Json,
    ...fields,
    _sd_alg: SD_HASH_ALG,
  };
  if (claims.exp === undefined) delete claims.exp;
  const jws = await new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", typ: SD_JWT_VC_TYPE, kid: key.verificationMethod })
    .sign(await importJWK(key.privateJwk(), "EdDSA"));
  return `${[jws, ...disclosures].join("~")}~`;
}
