import { zlibSync } from "fflate";
import { importJWK, SignJWT } from "jose";
import { toBase64url } from "../encoding";
import { CredrootError } from "../errors";
import type { IssuerKey } from "./keys";

/*
 * Revocation an SD-JWT VC verifier sees: an IETF Token Status List (draft-ietf-oauth-status-list), the
 * status mechanism SD-JWT VCs name in their `status.status_list` claim and `@sd-jwt/sd-jwt-vc` checks.
 * One bit per credential (1 = revoked), index i in bit (i mod 8) of byte ⌊i / 8⌋, least significant
 * first; the bytes zlib-compressed, base64url, in a JWT signed by the issuer's key. Which index a
 * credential has, and which are revoked, is the status-list service's to say (it reads the chain);
 * this file only writes the two documents.
 */

/** The JOSE `typ` of a status list token. */
export const STATUS_LIST_JWT_TYPE = "statuslist+jwt";

/** Its media type (what `@sd-jwt/sd-jwt-vc` expects from the list's URL). */
export const STATUS_LIST_JWT_MEDIA_TYPE = `application/${STATUS_LIST_JWT_TYPE}`;

/** Where a credential's status is: the list's URL and the credential's index in it. */
export interface SdJwtStatusReference {
  uri: string;
  idx: number;
}

export interface TokenStatusListParameters {
  /** The URL the list is served at: its `sub`, and the `uri` credentials name. */
  uri: string;
  /** How many credentials the list holds (rounded up to whole bytes). */
  length: number;
  /** The indexes of the revoked credentials. */
  revoked: Iterable<number>;
  /** The `iat` (default now). */
  now?: Date;
  /** Seconds a verifier may cache the list (`ttl`), when given. */
  ttl?: number;
}

/** The `status` claim of an SD-JWT VC whose status is at `reference`. */
export function sdJwtStatusClaim(reference: SdJwtStatusReference): { status_list: SdJwtStatusReference } {
  if (!Number.isSafeInteger(reference.idx) || reference.idx < 0) {
    throw new CredrootError("INVALID_ARGUMENT", `a status list index is a whole number >= 0, got ${reference.idx}`);
  }
  return { status_list: { idx: reference.idx, uri: reference.uri } };
}

/**
 * The issuer's Token Status List as a JWT (`typ: statuslist+jwt`, EdDSA, `kid` the key's verification
 * method, `sub` the list's URL, `iss` the key's DID), one bit per credential.
 * @throws CredrootError `INVALID_ARGUMENT` for an index outside the list.
 * @example
 * const jwt = await tokenStatusListJwt({ uri, length: 131072, revoked: [7, 42] }, key);
 */
export async function tokenStatusListJwt(parameters: TokenStatusListParameters, key: IssuerKey): Promise<string> {
  const { uri, length, revoked } = parameters;
  if (!Number.isSafeInteger(length) || length < 1) {
    throw new CredrootError("INVALID_ARGUMENT", `a status list holds at least one credential, got ${length}`);
  }
  const bytes = new Uint8Array(Math.ceil(length / 8));
  for (const index of revoked) {
    if (!Number.isSafeInteger(index) || index < 0 || index >= length) {
      throw new CredrootError("INVALID_ARGUMENT", `status list index ${index} is outside the list (0…${length - 1})`);
    }
    bytes[index >> 3]! |= 1 << (index & 7);
  }
  const claims = {
    sub: uri,
    iss: key.did,
    iat: Math.floor((parameters.now ?? new Date()).getTime() / 1000),
    ...(parameters.ttl === undefined ? {} : { ttl: parameters.ttl }),
    status_list: { bits: 1, lst: toBase64url(zlibSync(bytes, { level: 9 })) },
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", typ: STATUS_LIST_JWT_TYPE, kid: key.verificationMethod })
    .sign(await importJWK(key.privateJwk(), "EdDSA"));
}
