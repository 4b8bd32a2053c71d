import { canonicalError, writeCanonical } from "./canonical";
import {
  type AnchorContext,
  bytesOfPointer,
  contextPrefix,
  DIGEST_DOMAIN,
  hashSalt,
  leafInPlace,
  openingDigestInPlace,
  sink,
} from "./commit-fields";
import type { Credential } from "./credential";
import { CredrootError } from "./errors";
import { type CommitOptions, type CommittedCredential, commitInto } from "./commit-into";
import { compareBytes, fromHex32, type Hex32, toHex } from "./hash";
import { currentKernel } from "./keccak-sink";
import type { JsonValue } from "./pointer";

export type { AnchorContext } from "./commit-fields";
export type { CommitOptions, CommittedCredential } from "./commit-into";

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

/** The salt of field `pointer`: the first 16 bytes of `keccak256("credroot/salt/v2" ‖ secret ‖ pointer)`. */
export function saltOf(secret: Uint8Array, pointer: string): Uint8Array {
  if (secret.length !== SECRET_BYTES) throw new CredrootError("INVALID_ARGUMENT", "a secret must be 16 bytes");
  // hashSalt writes into the kernel's own buffer, not the sink's (which may still be another kernel's).
  const kernel = currentKernel();
  hashSalt(kernel, secret, bytesOfPointer(pointer));
  return kernel.buffer.slice(0, SALT_BYTES);
}

/** `keccak256(salt ‖ JCS(value))`: the salted commitment to a value, all a hidden field keeps. */
export function valueHash(salt: Uint8Array, value: JsonValue): Uint8Array {
  if (salt.length !== SALT_BYTES) throw new CredrootError("INVALID_ARGUMENT", "a salt must be 16 bytes");
  sink.begin(currentKernel()); // outside the try: a refused begin must not abort the hash under way
  try {
    sink.write(salt);
    writeCanonical(sink, value);
    sink.end();
  } catch (error) {
    sink.abort();
    throw canonicalError(error, value);
  }
  return sink.buf.slice(0, 32);
}

/** `keccak256(pointer ‖ valueHash)`: the value hash is 32 bytes, so the split is unambiguous. */
export function fieldHashOf(pointer: string, hashedValue: Uint8Array): Uint8Array {
  sink.begin(currentKernel());
  sink.write(bytesOfPointer(pointer));
  sink.write(hashedValue);
  sink.end();
  return sink.buf.slice(0, 32);
}

/** `keccak256("credroot/credential/v2" ‖ sorted field hashes)`: independent of field order. */
export function digestOf(fieldHashes: readonly Uint8Array[]): Uint8Array {
  const sorted = [...fieldHashes].sort(compareBytes);
  sink.begin(currentKernel());
  sink.write(DIGEST_DOMAIN);
  for (const hash of sorted) sink.write(hash);
  sink.end();
  return sink.buf.slice(0, 32);
}

/**
 * The Merkle leaf of `digest` anchored at `context`:
 * `keccak256(keccak256(abi.encode(uint256 chainId, address registry, uint64 issuerId, bytes16 batchId, bytes32 digest)))`,
 * as the registry's `leafOf` computes it (bytes16 is left-aligned in its word, the numbers right-aligned).
 * @throws CredrootError `INVALID_ARGUMENT` for a bad context or a digest that is not 32 bytes.
 */
export function leafOf(context: AnchorContext, digest: Uint8Array): Uint8Array {
  const prefix = contextPrefix(context);
  if (digest.length !== 32) throw new CredrootError("INVALID_ARGUMENT", "a digest must be 32 bytes");
  const kernel = currentKernel();
  kernel.buffer.set(digest, 0);
  leafInPlace(kernel, prefix);
  return kernel.buffer.slice(0, 32);
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
  // As fieldHashOf(pointer, valueHash(salt, value)) per shown field and digestOf them, in place.
  const kernel = currentKernel();
  openingDigestInPlace(kernel, opening.shown, opening.hidden);
  return kernel.buffer.slice(0, 32);
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
  return commitInto(credential, context, options);
}

/** The leaf of a committed digest given as hex (for callers holding stored records). */
export function leafOfDigest(context: AnchorContext, digest: Hex32): Hex32 {
  return toHex(leafOf(context, fromHex32(digest)));
}
