import { keccak_256 } from "@noble/hashes/sha3";
import { createKeccak, type IHasher } from "hash-wasm";
import { CredrootError } from "./errors";

/** A 32-byte hash as a 0x-prefixed lowercase hex string. */
export type Hex32 = `0x${string}`;

const HEX32 = /^0x[0-9a-f]{64}$/;
const HEX_ALPHABET = "0123456789abcdef";
const utf8 = new TextEncoder();

/** The WebAssembly keccak (≈ 5× the pure-JS one), once {@link initHasher} has loaded it. */
let wasm: IHasher | null = null;

/**
 * Loads the WebAssembly keccak-256 (hash-wasm) and makes every hash of the library use it. Until
 * it has been awaited, the pure-JavaScript keccak of @noble/hashes is used: same results, slower.
 * Call it once at start-up (the service, CLI and benchmarks do); it is idempotent.
 */
export async function initHasher(): Promise<void> {
  wasm ??= await createKeccak(256);
}

/** Which keccak implementation is in use. */
export function hasherKind(): "wasm" | "js" {
  return wasm ? "wasm" : "js";
}

/** keccak-256 of `data`. The one hash function of the library. */
export function keccak256(data: Uint8Array): Uint8Array {
  if (!wasm) return keccak_256(data);
  wasm.init();
  wasm.update(data);
  return wasm.digest("binary");
}

/** keccak-256 of the concatenation of `parts`. */
export function keccak256Concat(...parts: readonly Uint8Array[]): Uint8Array {
  if (wasm) {
    wasm.init();
    for (const part of parts) wasm.update(part);
    return wasm.digest("binary");
  }
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

const BYTE_HEX = Array.from({ length: 256 }, (_, b) => HEX_ALPHABET[b >> 4]! + HEX_ALPHABET[b & 15]!);
const NIBBLE = new Map("0123456789abcdef".split("").map((c, i) => [c.charCodeAt(0), i]));

/** Lowercase 0x-hex of `bytes`. */
export function toHex(bytes: Uint8Array): Hex32 {
  // join() gives one flat string; `+=` per byte would leave a rope of 33 pieces (≈ 900 bytes each).
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = BYTE_HEX[bytes[i]!]!;
  return `0x${parts.join("")}`;
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
  for (let i = 0; i < 32; i++) {
    out[i] = (NIBBLE.get(lower.charCodeAt(2 + 2 * i))! << 4) | NIBBLE.get(lower.charCodeAt(3 + 2 * i))!;
  }
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

/** Salts are cut from a pool filled 64 KiB at a time (the most one getRandomValues call gives). */
const POOL_BYTES = 65536;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * 32 bytes from the platform's cryptographically secure generator (Node ≥ 20 and browsers).
 * Drawn from a pool: one system call per 2,048 salts instead of one per salt.
 */
export function randomSalt(): Uint8Array {
  if (poolOffset + 32 > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  poolOffset += 32;
  return pool.slice(poolOffset - 32, poolOffset);
}
