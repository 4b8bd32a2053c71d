import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import type { Ed25519KeyPair } from "@digitalbazaar/ed25519-multikey";
import { toBase64url } from "../encoding";
import { CredrootError } from "../errors";

/** The public half of an Ed25519 key as a JWK (RFC 8037). */
export interface Ed25519PublicJwk {
  kty: "OKP";
  crv: "Ed25519";
  x: string;
}

/** The public half plus the private seed `d`: only ever handed to the JWT signer. */
interface Ed25519PrivateJwk extends Ed25519PublicJwk {
  d: string;
}

const SEED = /^(0x)?([0-9a-fA-F]{64})$/;

/**
 * The 32-byte Ed25519 private key (seed) in `text`: 64 hex digits, `0x` optional. The message never
 * repeats the text (it is a secret).
 * @throws CredrootError `INVALID_ARGUMENT` for anything else.
 */
export function parseSigningKey(text: string): Uint8Array {
  const match = SEED.exec(text.trim());
  if (!match) throw new CredrootError("INVALID_ARGUMENT", "an Ed25519 private key is 64 hex digits (0x optional)");
  const hex = match[2]!;
  return Uint8Array.from({ length: 32 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}

/**
 * An issuer's Ed25519 signing key, named as a `did:key`. The private parts stay inside: the object
 * prints, logs and serialises as its DID and public key only.
 */
export class IssuerKey {
  /** `did:key:z6Mk…`: the issuer id a signed credential names, self-certifying (it is the public key). */
  readonly did: string;
  /** `did:key:z6Mk…#z6Mk…`: the verification method its proofs and JWTs name. */
  readonly verificationMethod: string;
  readonly publicKeyMultibase: string;
  readonly publicJwk: Ed25519PublicJwk;
  readonly #keyPair: Ed25519KeyPair;
  readonly #privateJwk: Ed25519PrivateJwk;

  private constructor(keyPair: Ed25519KeyPair, seed: Uint8Array) {
    this.publicKeyMultibase = keyPair.publicKeyMultibase;
    this.did = `did:key:${keyPair.publicKeyMultibase}`;
    this.verificationMethod = `${this.did}#${keyPair.publicKeyMultibase}`;
    this.publicJwk = { kty: "OKP", crv: "Ed25519", x: toBase64url(keyPair.publicKey) };
    this.#privateJwk = { ...this.publicJwk, d: toBase64url(seed) };
    this.#keyPair = keyPair;
  }

  /**
   * The key whose 32-byte private seed is `seed` (bytes, or hex text as {@link parseSigningKey} reads it).
   * @throws CredrootError `INVALID_ARGUMENT` for a seed that is not 32 bytes.
   * @example
   * const key = await IssuerKey.fromSeed(process.env.ISSUER_SIGNING_KEY);
   * key.did; // "did:key:z6Mk…"
   */
  static async fromSeed(seed: Uint8Array | string): Promise<IssuerKey> {
    const bytes = typeof seed === "string" ? parseSigningKey(seed) : seed;
    if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
      throw new CredrootError("INVALID_ARGUMENT", "an Ed25519 private key (seed) is 32 bytes");
    }
    const copy = Uint8Array.from(bytes);
    const probe = await Ed25519Multikey.generate({ seed: copy });
    const did = `did:key:${probe.publicKeyMultibase}`;
    const keyPair = await Ed25519Multikey.generate({
      seed: copy,
      controller: did,
      id: `${did}#${probe.publicKeyMultibase}`,
    });
    return new IssuerKey(keyPair, copy);
  }

  /** The Data Integrity signer (`@digitalbazaar/data-integrity`'s `signer`). */
  signer(): ReturnType<Ed25519KeyPair["signer"]> {
    return this.#keyPair.signer();
  }

  /** The private JWK, for `jose`'s `importJWK` when signing a JWT. */
  privateJwk(): Ed25519PrivateJwk {
    return { ...this.#privateJwk };
  }

  /** Only the public parts: a key never reaches a log or a response by accident. */
  toJSON(): { did: string; verificationMethod: string } {
    return { did: this.did, verificationMethod: this.verificationMethod };
  }
}

/**
 * The Ed25519 public key a `did:key` (or one of its `did:key:…#…` verification methods) names, as a JWK.
 * @throws CredrootError `INVALID_ARGUMENT` for another DID method, a fragment that is not the key
 * itself, or a key that is not Ed25519.
 * @example
 * const jwk = await didKeyPublicJwk("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK");
 */
export async function didKeyPublicJwk(didOrMethod: string): Promise<Ed25519PublicJwk> {
  const match = /^did:key:(z6Mk[1-9A-HJ-NP-Za-km-z]+)(?:#(.*))?$/.exec(didOrMethod);
  if (!match || (match[2] !== undefined && match[2] !== match[1])) {
    throw new CredrootError("INVALID_ARGUMENT", `${JSON.stringify(didOrMethod)} is not an Ed25519 did:key`);
  }
  let keyPair: Ed25519KeyPair;
  try {
    keyPair = await Ed25519Multikey.from({ publicKeyMultibase: match[1] });
  } catch (cause) {
    throw new CredrootError("INVALID_ARGUMENT", `${JSON.stringify(didOrMethod)} is not an Ed25519 did:key`, {
      cause,
    });
  }
  return { kty: "OKP", crv: "Ed25519", x: toBase64url(keyPair.publicKey) };
}
