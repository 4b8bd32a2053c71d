import { keccak_256 } from "@noble/hashes/sha3";
import { CredrootError } from "./errors";

/** A 32-byte hash as a 0x-prefixed lowercase hex string. */
export type Hex32 = `0x${string}`;

const HEX32 = /^0x[0-9a-f]{64}$/;
const HEX_ALPHABET = "0123456789abcdef";
const utf8 = new TextEncoder();

/** keccak-256 of `data`. The one hash function of the library. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/** keccak-256 of the concatenation of `parts`. */
export function keccak256Concat(...parts: readonly Uint8Array[]): Uint8Array {
  const hasher = keccak_256.create();
  for (const part of parts) hasher.update(part);
  return hasher.digest();
}

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** True when `value` is a 0x-prefixed lowercase 32-byte hex string. */
export function isHex32(value: unknown): value is Hex32 {
  return typeof value === "string" && HEX32.test(value);
}

/** Lowercase 0x-hex of `bytes`. */
export function toHex(bytes: Uint8Array): Hex32 {
  let out = "0x";
  for (const byte of bytes) out += HEX_ALPHABET[byte >> 4]! + HEX_ALPHABET[byte & 15]!;
  return out as Hex32;
}

/**
 * Bytes of a 32-byte hex string (0x-prefixed, either case).
 * @throws CredrootError `INVALID_ARGUMENT` when `hex` is not 32 bytes of hex.
 */
export function fromHex32(hex: string): Uint8Array {
  const lower = hex.toLowerCase();
  if (!HEX32.test(lower)) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `expected a 0x-prefixed 32-byte hex string, got ${JSON.stringify(hex.slice(0, 80))}`,
    );
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number.parseInt(lower.slice(2 + 2 * i, 4 + 2 * i), 16);
  return out;
}

/** Compares two byte strings of equal length lexicographically (as OpenZeppelin sorts pairs). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length; i++) {
    const diff = a[i]! - b[i]!;
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/** 32 bytes from the platform's cryptographically secure generator (Node ≥ 20 and browsers). */
export function randomSalt(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}
