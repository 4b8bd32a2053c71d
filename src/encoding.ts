import { CredrootError } from "./errors";
import { fromHex32, type Hex32, toHex } from "./hash";

/*
 * The byte encodings of the v2 bundle: unpadded base64url (RFC 4648 §5) for salts, secrets, value
 * hashes and Merkle paths, and the lowercase UUID form for 16-byte batch ids. Both are parsed
 * strictly, so every byte string has exactly one text form and a bundle cannot be re-encoded.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Unpadded base64url of `bytes`. */
export function toBase64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

/**
 * Bytes of unpadded base64url text, refusing padding, other alphabets and non-canonical text
 * (unused low bits set), so that one byte string has one text form.
 * @throws CredrootError `INVALID_ARGUMENT` naming what is wrong.
 */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new CredrootError("INVALID_ARGUMENT", "not base64url: impossible length");
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffer = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? VALUE[c]! : -1;
    if (v < 0) throw new CredrootError("INVALID_ARGUMENT", `not base64url: ${JSON.stringify(text[i])} at ${i}`);
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new CredrootError("INVALID_ARGUMENT", "not canonical base64url: unused bits are set");
  }
  return out;
}

/** Base64url text of exactly `length` bytes, as bytes. */
export function fixedBase64url(text: string, length: number, what: string): Uint8Array {
  const bytes = fromBase64url(text);
  if (bytes.length !== length) {
    throw new CredrootError("INVALID_ARGUMENT", `${what} must be ${length} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** Splits base64url text into `size`-byte pieces (a Merkle path, concatenated salts). */
export function chunksOf(text: string, size: number, what: string): Uint8Array[] {
  const bytes = fromBase64url(text);
  if (bytes.length % size !== 0) {
    throw new CredrootError("INVALID_ARGUMENT", `${what} must be a multiple of ${size} bytes, got ${bytes.length}`);
  }
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** Base64url of the concatenation of `parts`. */
export function joinBase64url(parts: readonly Uint8Array[]): string {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const part of parts) {
    out.set(part, o);
    o += part.length;
  }
  return toBase64url(out);
}

/** A 32-byte hash as base64url (43 characters). */
export function hex32ToBase64url(hex: Hex32): string {
  return toBase64url(fromHex32(hex));
}

/** Base64url of 32 bytes as a 0x-hex hash. */
export function base64urlToHex32(text: string, what = "hash"): Hex32 {
  return toHex(fixedBase64url(text, 32, what));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a lowercase 8-4-4-4-12 hex UUID form (any 16 bytes, not only RFC 4122 UUIDs). */
export function isBatchId(text: unknown): text is string {
  return typeof text === "string" && UUID.test(text);
}

/**
 * The `bytes16` of a batch id written as a lowercase UUID (`7f3c…-…`), as `0x` + 32 hex digits.
 * @throws CredrootError `INVALID_ARGUMENT` for anything else (uppercase included).
 */
export function batchIdToBytes16(batchId: string): `0x${string}` {
  if (!isBatchId(batchId)) {
    throw new CredrootError("INVALID_ARGUMENT", `a batch id is a lowercase UUID, got ${JSON.stringify(batchId)}`);
  }
  return `0x${batchId.replace(/-/g, "")}`;
}

/** The lowercase UUID form of a `bytes16` given as 0x-hex. */
export function bytes16ToBatchId(hex: string): string {
  const h = hex.toLowerCase().replace(/^0x/, "");
  if (!/^[0-9a-f]{32}$/.test(h)) throw new CredrootError("INVALID_ARGUMENT", `not 16 bytes of hex: ${hex}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A new random batch id (16 bytes from the platform's secure generator, as an RFC 4122 v4 UUID). */
export function newBatchId(): string {
  return globalThis.crypto.randomUUID();
}
