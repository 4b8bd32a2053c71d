import canonicalize from "canonicalize";
import type { Credential } from "./credential";
import { batchIdToBytes16, toBase64url } from "./encoding";
import { CredrootError } from "./errors";
import { compareBytes, fromHex32, type Hex32, keccak256, keccak256Concat, randomSalt, toHex, utf8Bytes } from "./hash";
import { findLoneSurrogate } from "./json";
import { flatten, type JsonValue } from "./pointer";

/*
 * Format v2 hashing, byte for byte (docs/format.md states the same for reimplementers):
 *   salt(p)      = keccak256("credroot/salt/v2" ‖ secret ‖ UTF-8(p))[0..16)   secret: 16 random bytes
 *   valueHash(p) = keccak256(salt(p) ‖ UTF-8(JCS(value)))                       JCS: RFC 8785
 *   fieldHash(p) = keccak256(UTF-8(p) ‖ valueHash(p))                           p: RFC 6901 pointer
 *   digest       = keccak256("credroot/credential/v2" ‖ fieldHash… in ascending byte order)
 *   leaf         = keccak256(keccak256(abi.encode(uint256 chainId, address registry,
 *                                                 uint64 issuerId, bytes16 batchId, bytes32 digest)))
 * A hidden field keeps only valueHash(p): the pointer is hashed in by the verifier, so a hidden
 * value cannot be re-filed under another name. The leaf binds the credential to its chain,
 * registry, issuer and batch; the registry derives it the same way in every view.
 */

/** Bytes of the per-credential secret from which every field salt derives. */
export const SECRET_BYTES = 16;
/** Bytes of a field salt. */
export const SALT_BYTES = 16;

const SALT_DOMAIN = utf8Bytes("credroot/salt/v2");
const DIGEST_DOMAIN = utf8Bytes("credroot/credential/v2");

/** Where and by whom a credential is anchored: what its leaf commits to besides its fields. */
export interface AnchorContext {
  chainId: number;
  /** Registry contract address (0x + 40 hex digits; compared and hashed as 20 bytes). */
  registry: string;
  issuerId: number;
  /** The issuer's id for the batch, a lowercase UUID (16 bytes on chain). */
  batchId: string;
}

/** A credential committed to: its secret, its fields, its digest and its Merkle leaf. */
export interface CommittedCredential {
  /** The per-credential secret (base64url of 16 bytes): whoever holds it can open every field. */
  secret: string;
  /** The credential's values, as committed (nested, as the credential was given). */
  credential: { [key: string]: JsonValue };
  digest: Hex32;
  leaf: Hex32;
}

function canonical(value: JsonValue): Uint8Array {
  const lone = findLoneSurrogate(value);
  if (lone !== null) throw new CredrootError("INVALID_ARGUMENT", `a lone surrogate at ${lone} has no canonical form`);
  const text = canonicalize(value);
  if (text === undefined) throw new CredrootError("INVALID_ARGUMENT", "value cannot be canonicalised");
  return utf8Bytes(text);
}

/** Pointers repeat in every credential of a batch: their UTF-8 bytes are computed once. */
const pointerBytes = new Map<string, Uint8Array>();
const MAX_CACHED_POINTERS = 4096;

function bytesOfPointer(pointer: string): Uint8Array {
  let bytes = pointerBytes.get(pointer);
  if (!bytes) {
    bytes = utf8Bytes(pointer);
    if (pointerBytes.size < MAX_CACHED_POINTERS) pointerBytes.set(pointer, bytes);
  }
  return bytes;
}

/** The salt of field `pointer`: the first 16 bytes of `keccak256("credroot/salt/v2" ‖ secret ‖ pointer)`. */
export function saltOf(secret: Uint8Array, pointer: string): Uint8Array {
  if (secret.length !== SECRET_BYTES) throw new CredrootError("INVALID_ARGUMENT", "a secret must be 16 bytes");
  return keccak256Concat(SALT_DOMAIN, secret, bytesOfPointer(pointer)).slice(0, SALT_BYTES);
}

/** `keccak256(salt ‖ JCS(value))`: the salted commitment to a value, all a hidden field keeps. */
export function valueHash(salt: Uint8Array, value: JsonValue): Uint8Array {
  if (salt.length !== SALT_BYTES) throw new CredrootError("INVALID_ARGUMENT", "a salt must be 16 bytes");
  return keccak256Concat(salt, canonical(value));
}

/** `keccak256(pointer ‖ valueHash)`: the value hash is 32 bytes, so the split is unambiguous. */
export function fieldHashOf(pointer: string, hashedValue: Uint8Array): Uint8Array {
  return keccak256Concat(bytesOfPointer(pointer), hashedValue);
}

/** `keccak256("credroot/credential/v2" ‖ sorted field hashes)`: independent of field order. */
export function digestOf(fieldHashes: readonly Uint8Array[]): Uint8Array {
  const sorted = [...fieldHashes].sort(compareBytes);
  return keccak256Concat(DIGEST_DOMAIN, ...sorted);
}

function uint256(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31, v = value; i >= 0 && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function hexBytes(hex: string, length: number, what: string): Uint8Array {
  const h = hex.replace(/^0x/, "");
  if (h.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(h)) {
    throw new CredrootError("INVALID_ARGUMENT", `${what} must be ${length} bytes of hex, got ${JSON.stringify(hex)}`);
  }
  return Uint8Array.from({ length }, (_, i) => parseInt(h.slice(2 * i, 2 * i + 2), 16));
}

/**
 * The Merkle leaf of `digest` anchored at `context`:
 * `keccak256(keccak256(abi.encode(uint256 chainId, address registry, uint64 issuerId, bytes16 batchId, bytes32 digest)))`,
 * as the registry's `leafOf` computes it (bytes16 is left-aligned in its word, the numbers right-aligned).
 */
export function leafOf(context: AnchorContext, digest: Uint8Array): Uint8Array {
  const { chainId, registry, issuerId, batchId } = context;
  if (!Number.isSafeInteger(chainId) || chainId < 1) throw new CredrootError("INVALID_ARGUMENT", "bad chain id");
  if (!Number.isSafeInteger(issuerId) || issuerId < 1) throw new CredrootError("INVALID_ARGUMENT", "bad issuer id");
  if (digest.length !== 32) throw new CredrootError("INVALID_ARGUMENT", "a digest must be 32 bytes");
  const encoded = new Uint8Array(160);
  encoded.set(uint256(BigInt(chainId)), 0);
  encoded.set(hexBytes(registry, 20, "registry"), 44);
  encoded.set(uint256(BigInt(issuerId)), 64);
  encoded.set(hexBytes(batchIdToBytes16(batchId), 16, "batch id"), 96);
  encoded.set(digest, 128);
  return keccak256(keccak256(encoded));
}

/** The fields of a (possibly partly hidden) credential, by pointer, as a verifier rebuilds them. */
export interface FieldOpening {
  /** Disclosed fields: the value and its salt. */
  shown: ReadonlyMap<string, { salt: Uint8Array; value: JsonValue }>;
  /** Hidden fields: their value hash. */
  hidden: ReadonlyMap<string, Uint8Array>;
}

/** The digest of an opening: disclosed fields rehashed from their values, hidden ones from their value hash. */
export function digestOfOpening(opening: FieldOpening): Uint8Array {
  const hashes: Uint8Array[] = [];
  for (const [pointer, { salt, value }] of opening.shown) hashes.push(fieldHashOf(pointer, valueHash(salt, value)));
  for (const [pointer, hashed] of opening.hidden) hashes.push(fieldHashOf(pointer, hashed));
  return digestOf(hashes);
}

export interface CommitOptions {
  /** Source of 16-byte secrets; defaults to the platform's secure random generator. */
  secret?: () => Uint8Array;
}

/**
 * Salts and hashes every field of a (validated) credential for anchoring at `context`.
 * @throws CredrootError `INVALID_ARGUMENT` for a bad context or secret.
 * @example
 * const { leaf } = commitCredential(parseCredential(input), { chainId, registry, issuerId, batchId });
 */
export function commitCredential(
  credential: Credential,
  context: AnchorContext,
  options: CommitOptions = {},
): CommittedCredential {
  const secret = options.secret ? options.secret() : randomSalt().subarray(0, SECRET_BYTES);
  if (secret.length !== SECRET_BYTES) throw new CredrootError("INVALID_ARGUMENT", "a secret must be 16 bytes");
  const values = credential as unknown as { [key: string]: JsonValue };
  const hashes: Uint8Array[] = [];
  for (const [pointer, value] of flatten(values)) {
    hashes.push(fieldHashOf(pointer, valueHash(saltOf(secret, pointer), value)));
  }
  const digest = digestOf(hashes);
  return {
    secret: toBase64url(secret),
    credential: values,
    digest: toHex(digest),
    leaf: toHex(leafOf(context, digest)),
  };
}

/** The leaf of a committed digest given as hex (for callers holding stored records). */
export function leafOfDigest(context: AnchorContext, digest: Hex32): Hex32 {
  return toHex(leafOf(context, fromHex32(digest)));
}
