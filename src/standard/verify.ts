import { DataIntegrityProof as DataIntegritySuite } from "@digitalbazaar/data-integrity";
import { cryptosuite } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { verifyCredential } from "@digitalbazaar/vc";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { isCredrootError } from "../errors";
import { documentLoader } from "./document-loader";
import { isObject, type Json } from "./fields";
import { didKeyPublicJwk } from "./keys";
import { VC_JWT_TYPE } from "./sign";

/** What checking a standard credential's signature found. */
export interface SignatureCheck {
  /** True only when a proof (or the JWT signature) verified and named the credential's issuer. */
  verified: boolean;
  /** The DID the credential names as issuer, when it names one. */
  issuer: string | null;
  /** Why it did not verify, one message per problem (empty when verified). */
  errors: string[];
}

export interface SignatureCheckOptions {
  /** The time validity (`validFrom`, `validUntil`, `nbf`, `exp`) is judged at (default now). */
  now?: Date;
}

function issuerId(credential: unknown): string | null {
  if (!isObject(credential)) return null;
  const issuer = credential.issuer;
  const id = isObject(issuer) ? issuer.id : issuer;
  return typeof id === "string" ? id : null;
}

/** Every message of a verification error, its nested ones first (the library nests the real cause). */
function messages(error: (Error & { errors?: Error[] }) | undefined): string[] {
  if (!error) return ["not verified"];
  const nested = (error.errors ?? []).flatMap((e) => messages(e as Error & { errors?: Error[] }));
  return nested.length > 0 ? nested : [error.message];
}

/**
 * Checks a credential's embedded Data Integrity proof (`eddsa-rdfc-2022`) with `@digitalbazaar/vc`,
 * the library standard verifiers are built on: the proof must verify, be made for `assertionMethod`
 * by a key the issuer's DID controls (`did:key`, resolved locally), and the credential must be within
 * its validity period. Every context is preloaded; nothing is fetched. It says nothing of the chain:
 * the embedded bundle is for `verifyBundle`.
 * @example
 * const { verified, issuer } = await verifyDataIntegrity(JSON.parse(text));
 */
export async function verifyDataIntegrity(
  credential: unknown,
  options: SignatureCheckOptions = {},
): Promise<SignatureCheck> {
  const issuer = issuerId(credential);
  if (!isObject(credential)) return { verified: false, issuer, errors: ["a credential is a JSON object"] };
  const result = await verifyCredential({
    credential: structuredClone(credential),
    suite: new DataIntegritySuite({ cryptosuite }),
    documentLoader: documentLoader(),
    ...(options.now ? { now: options.now } : {}),
    // Revocation is read from the chain by `verifyBundle`, never from a list some server publishes.
    checkStatus: () => Promise.resolve({ verified: true }),
  });
  return result.verified
    ? { verified: true, issuer, errors: [] }
    : { verified: false, issuer, errors: messages(result.error) };
}

/** A JWT check that verified: the credential it carries. */
export interface JwtCheck extends SignatureCheck {
  /** The payload (the credential and its JWT claims), once the signature verified. */
  payload: Json | null;
}

/**
 * Checks a VC-JOSE credential (compact JWS, `typ: vc+jwt`, EdDSA) with `jose`: the `kid` must be a
 * verification method of an Ed25519 `did:key`, the signature must verify with that key, and the DID
 * must be both the credential's `issuer` and the `iss` claim; `nbf` and `exp` are checked as JWT
 * libraries do.
 * @example
 * const { verified, payload } = await verifyCredentialJwt(jwt);
 */
export async function verifyCredentialJwt(jwt: string, options: SignatureCheckOptions = {}): Promise<JwtCheck> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(jwt.trim()).kid;
  } catch (error) {
    return { verified: false, issuer: null, payload: null, errors: [`not a JWT: ${(error as Error).message}`] };
  }
  let key: CryptoKey | Uint8Array;
  try {
    key = await importJWK(await didKeyPublicJwk(kid ?? ""), "EdDSA");
  } catch (error) {
    const why = isCredrootError(error) ? error.message : `cannot use its key: ${(error as Error).message}`;
    return { verified: false, issuer: null, payload: null, errors: [`the JWT's kid: ${why}`] };
  }
  const did = (kid ?? "").split("#")[0]!;
  let payload: Json;
  try {
    const verified = await jwtVerify(jwt.trim(), key, {
      algorithms: ["EdDSA"],
      typ: VC_JWT_TYPE,
      issuer: did,
      ...(options.now ? { currentDate: options.now } : {}),
    });
    payload = verified.payload as Json;
  } catch (error) {
    return { verified: false, issuer: did, payload: null, errors: [(error as Error).message] };
  }
  const issuer = issuerId(payload);
  if (issuer !== did) {
    return {
      verified: false,
      issuer,
      payload,
      errors: [`signed by ${did}, but the credential names issuer ${issuer}`],
    };
  }
  return { verified: true, issuer, payload, errors: [] };
}
