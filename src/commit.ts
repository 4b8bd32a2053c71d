import canonicalize from "canonicalize";
import type { Credential } from "./credential";
import { CredrootError } from "./errors";
import { compareBytes, fromHex32, type Hex32, keccak256, keccak256Concat, randomSalt, toHex, utf8Bytes } from "./hash";
import { flatten, type JsonValue } from "./pointer";

/** A field shown to the verifier: its value and the salt that hides it from everyone else. */
export interface DisclosedField {
  salt: Hex32;
  value: JsonValue;
}

/** A field the holder chose to hide: only its salted value hash remains. */
export interface HiddenField {
  /** `valueHash(salt, value)`; the pointer it is filed under stays bound by {@link fieldHash}. */
  hash: Hex32;
}

export type FieldCommitment = DisclosedField | HiddenField;

/** A credential's fields keyed by JSON Pointer (`/learner/name`), each disclosed or hidden. */
export type Fields = Record<string, FieldCommitment>;

/** A credential committed to by salted field hashes, its digest and its Merkle leaf. */
export interface CommittedCredential {
  fields: Record<string, DisclosedField>;
  digest: Hex32;
  leaf: Hex32;
}

/** Domain tag of the digest, so a digest can never be confused with another keccak use. */
const DIGEST_DOMAIN = utf8Bytes("credroot/credential/v1");

export function isHidden(field: FieldCommitment): field is HiddenField {
  return "hash" in field;
}

function canonical(value: JsonValue | string): Uint8Array {
  const text = canonicalize(value);
  if (text === undefined) throw new CredrootError("INVALID_ARGUMENT", "value cannot be canonicalised");
  return utf8Bytes(text);
}

/** `keccak256(salt ‖ JCS(value))`: the salted commitment to a value, all a hidden field keeps. */
export function valueHash(salt: Uint8Array, value: JsonValue): Uint8Array {
  return keccak256Concat(salt, canonical(value));
}

/**
 * `keccak256(JCS(pointer) ‖ valueHash)`. The pointer is hashed in for disclosed and hidden fields
 * alike, so a hidden value cannot be re-filed under another name (say, dropping `/validUntil`);
 * as a JSON string it ends at its closing quote, so no (pointer, value) pair can be re-split.
 */
export function fieldHashOf(pointer: string, hashedValue: Uint8Array): Uint8Array {
  return keccak256Concat(canonicalPointer(pointer), hashedValue);
}

/** Pointers repeat in every credential of a batch: their canonical bytes are computed once. */
const pointerBytes = new Map<string, Uint8Array>();
const MAX_CACHED_POINTERS = 4096;

function canonicalPointer(pointer: string): Uint8Array {
  let bytes = pointerBytes.get(pointer);
  if (!bytes) {
    bytes = canonical(pointer);
    if (pointerBytes.size < MAX_CACHED_POINTERS) pointerBytes.set(pointer, bytes);
  }
  return bytes;
}

/** The field hash of a disclosed value: `keccak256(JCS(pointer) ‖ keccak256(salt ‖ JCS(value)))`. */
export function fieldHash(pointer: string, salt: Uint8Array, value: JsonValue): Uint8Array {
  return fieldHashOf(pointer, valueHash(salt, value));
}

/** The field's hash: recomputed from the value for a disclosed field, from its value hash for a hidden one. */
export function fieldCommitmentHash(pointer: string, field: FieldCommitment): Uint8Array {
  return isHidden(field)
    ? fieldHashOf(pointer, fromHex32(field.hash))
    : fieldHash(pointer, fromHex32(field.salt), field.value);
}

/** The hidden form of a field: its value hash. */
export function hideField(field: FieldCommitment): HiddenField {
  return isHidden(field) ? field : { hash: toHex(valueHash(fromHex32(field.salt), field.value)) };
}

/** `keccak256("credroot/credential/v1" ‖ sorted field hashes)`: order-independent. */
export function digestOf(fieldHashes: Uint8Array[]): Uint8Array {
  const sorted = [...fieldHashes].sort(compareBytes);
  return keccak256Concat(DIGEST_DOMAIN, ...sorted);
}

/** The Merkle leaf of a digest: `keccak256(keccak256(abi.encode(digest)))`, as StandardMerkleTree. */
export function leafOf(digest: Uint8Array): Uint8Array {
  return keccak256(keccak256(digest));
}

/** Digest of a (possibly partly hidden) field set. */
export function digestOfFields(fields: Fields): Uint8Array {
  return digestOf(Object.entries(fields).map(([pointer, field]) => fieldCommitmentHash(pointer, field)));
}

export interface CommitOptions {
  /** Source of 32-byte salts; defaults to the platform's secure random generator. */
  salt?: () => Uint8Array;
}

/**
 * Salts and hashes every field of a (validated) credential.
 * @example
 * const { leaf } = commitCredential(parseCredential(input));
 */
export function commitCredential(credential: Credential, options: CommitOptions = {}): CommittedCredential {
  const nextSalt = options.salt ?? randomSalt;
  const fields: Record<string, DisclosedField> = {};
  const hashes: Uint8Array[] = [];
  for (const [pointer, value] of flatten(credential as unknown as { [key: string]: JsonValue })) {
    const salt = nextSalt();
    if (salt.length !== 32) throw new CredrootError("INVALID_ARGUMENT", "a salt must be 32 bytes");
    fields[pointer] = { salt: toHex(salt), value };
    hashes.push(fieldHash(pointer, salt, value));
  }
  const digest = digestOf(hashes);
  return { fields, digest: toHex(digest), leaf: toHex(leafOf(digest)) };
}
