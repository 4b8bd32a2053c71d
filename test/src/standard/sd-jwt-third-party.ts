/**
 * An SD-JWT VC verifier and holder built only from other people's code, as an EU wallet would be:
 * `@sd-jwt/sd-jwt-vc`'s own `SDJwtVcInstance`, hashing with `@sd-jwt/crypto-nodejs`, the EdDSA
 * signature checked by `node:crypto` with the public key read straight from the did:key by
 * `@digitalbazaar/ed25519-multikey`. Nothing in it is credroot's code.
 */
import { createPublicKey, verify } from "node:crypto";
import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { digest, generateSalt } from "@sd-jwt/crypto-nodejs";
import { SDJwtVcInstance } from "@sd-jwt/sd-jwt-vc";

/** Which disclosures to keep: `true` per field, nested as the claims are. */
export type PresentationFrame = Parameters<SDJwtVcInstance["present"]>[1];

/** `did:key:z6Mk…` or `did:key:z6Mk…#z6Mk…` → the node:crypto public key it encodes. */
export async function publicKeyOfDid(didOrKid: string) {
  const multibase = didOrKid.replace(/^did:key:/, "").replace(/#.*$/, "");
  const keyPair = await Ed25519Multikey.from({ publicKeyMultibase: multibase });
  const x = Buffer.from(keyPair.publicKey).toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
}

/**
 * An `SDJwtVcInstance` verifying EdDSA signatures of the key the did:key `did` names; `statusList`
 * answers its requests for Token Status Lists (else a `status` claim fails: nothing is fetched).
 */
export async function thirdPartyInstance(
  did: string,
  statusList: (uri: string) => Promise<string> = (uri) => Promise.reject(new Error(`no status list for ${uri}`)),
): Promise<SDJwtVcInstance> {
  const key = await publicKeyOfDid(did);
  return new SDJwtVcInstance({
    hasher: digest,
    statusListFetcher: statusList,
    saltGenerator: generateSalt,
    verifier: (data: string, signature: string) =>
      verify(null, Buffer.from(data), key, Buffer.from(signature, "base64url")),
  });
}

/** `SDJwtVcInstance.verify` with the key of `did`, judged at `now`, its status lists from `statusList`. */
export async function sdJwtVcVerify(
  sdJwt: string,
  did: string,
  now?: Date,
  statusList?: (uri: string) => Promise<string>,
) {
  const instance = await thirdPartyInstance(did, statusList);
  return instance.verify(sdJwt, now ? { currentDate: Math.floor(now.getTime() / 1000) } : undefined);
}

/** The holder's side: `SDJwtVcInstance.present` keeping only the disclosures `frame` names. */
export async function sdJwtVcPresent(sdJwt: string, frame: PresentationFrame): Promise<string> {
  return (await thirdPartyInstance("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")).present(sdJwt, frame);
}
