import { DataIntegrityProof as DataIntegritySuite } from "@digitalbazaar/data-integrity";
import { cryptosuite } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { issue } from "@digitalbazaar/vc";
import { importJWK, SignJWT } from "jose";
import { CredrootError } from "../errors";
import type { DataIntegrityProof, VerifiableCredential } from "../export";
import { documentLoader } from "./document-loader";
import type { IssuerKey } from "./keys";

/** A credential with its embedded Data Integrity proof (one, in an array as OB 3.0 requires). */
export type SignedCredential = VerifiableCredential & { proof: DataIntegrityProof[] };

/** The media type (and JOSE `typ`) of a VC-JOSE credential. */
export const VC_JWT_TYPE = "vc+jwt";

export interface SignOptions {
  /** The proof's `created` time and the JWT's `iat` (default now). */
  now?: Date;
}

/** The document to sign: credroot's export for `key`'s DID, with no proof or unsigned notice of its own. */
function unsignedFor(doc: VerifiableCredential, key: IssuerKey): VerifiableCredential {
  if (doc.issuer.id !== key.did) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `the credential names issuer ${JSON.stringify(doc.issuer.id)}, not the signing key's ${key.did}: export it with { issuerDid: key.did }`,
    );
  }
  if (doc.credrootUnsigned !== undefined) {
    throw new CredrootError("INVALID_ARGUMENT", "the credential says it is unsigned: export it with { issuerDid }");
  }
  const { proof: _proof, ...rest } = doc;
  return structuredClone(rest);
}

/**
 * Signs a credential (from `toVerifiableCredential(bundle, issuer, { issuerDid: key.did })`) with an
 * embedded Data Integrity proof, cryptosuite `eddsa-rdfc-2022`, made by the maintained
 * `@digitalbazaar/vc` stack with every context preloaded (nothing is fetched). JSON-LD processing is
 * strict (`safe`): a term no context defines makes signing fail rather than go unsigned.
 * @throws CredrootError `INVALID_ARGUMENT` when the credential names another issuer than the key;
 * `INVALID_BUNDLE` when it cannot be signed (a term no context defines, a malformed date).
 * @example
 * const key = await IssuerKey.fromSeed(seedHex);
 * const signed = await signCredential(toVerifiableCredential(bundle, issuer, { issuerDid: key.did }), key);
 */
export async function signCredential(
  doc: VerifiableCredential,
  key: IssuerKey,
  options: SignOptions = {},
): Promise<SignedCredential> {
  const credential = unsignedFor(doc, key);
  const suite = new DataIntegritySuite({
    signer: key.signer(),
    cryptosuite,
    ...(options.now ? { date: options.now } : {}),
  });
  let signed: { proof?: unknown };
  try {
    signed = await issue({ credential, suite, documentLoader: documentLoader() });
  } catch (cause) {
    throw new CredrootError("INVALID_BUNDLE", `cannot sign the credential: ${(cause as Error).message}`, { cause });
  }
  const proofs = (Array.isArray(signed.proof) ? signed.proof : [signed.proof]) as DataIntegrityProof[];
  return { ...credential, proof: proofs };
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * The credential as a VC-JOSE JWT (`typ: vc+jwt`): the unsecured credential is the payload, signed
 * with EdDSA by `key`, whose verification method is the `kid`. The registered claims repeat what
 * JWT libraries check on their own: `iss` (the issuer's DID), `iat`, `nbf` (`validFrom`) and `exp`
 * (`validUntil`, when it has one).
 * @throws CredrootError `INVALID_ARGUMENT` when the credential names another issuer than the key.
 * @example
 * const jwt = await signCredentialJwt(toVerifiableCredential(bundle, issuer, { issuerDid: key.did }), key);
 */
export async function signCredentialJwt(
  doc: VerifiableCredential,
  key: IssuerKey,
  options: SignOptions = {},
): Promise<string> {
  const credential = unsignedFor(doc, key);
  const now = options.now ?? new Date();
  const claims: Record<string, unknown> = {
    ...credential,
    iss: key.did,
    iat: seconds(now.toISOString()),
    nbf: seconds(credential.validFrom),
    ...(credential.validUntil === undefined ? {} : { exp: seconds(credential.validUntil) }),
  };
  const privateKey = await importJWK(key.privateJwk(), "EdDSA");
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "EdDSA", typ: VC_JWT_TYPE, cty: "vc", kid: key.verificationMethod })
    .sign(privateKey);
}
