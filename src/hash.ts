import { keccak_256 } from "@noble/hashes/sha3";
import { CredrootError } from "./errors";
import { currentKernel, KeccakSink, loadWasmKernel, sinkBusy, wasmLoaded } from "./keccak-sink";

/** A 32-byte hash as a 0x-prefixed lowercase hex string. */
export type Hex32 = `0x${string}`;

const HEX32 = /^0x[0-9a-f]{64}$/;
const HEX_ALPHABET = "0123456789abcdef";
const utf8 = new TextEncoder();
const ascii = new TextDecoder();

/**
 * Loads the WebAssembly keccak-256 (hash-wasm's, ≈ 5× the pure-JavaScript one) and makes every hash
 * of the library use it. Issuance (`commitCredential`, `prepareBatch`, `buildTree`) loads it by
 * itself on first use; verification alone uses it once loaded and the pure-JavaScript keccak of
 * @noble/hashes until then: same results, slower. Awaiting it at start-up also loads it where a
 * platform refuses a synchronous compile. Idempotent.
 * @throws whatever the platform throws when it refuses WebAssembly altogether.
 * @example
 * await initHasher();
 */
export async function initHasher(): Promise<void> {
  await loadWasmKernel();
}

/** Which keccak implementation is in use. */
export function hasherKind(): "wasm" | "js" {
  return wasmLoaded() ? "wasm" : "js";
}

const sink = new KeccakSink();

/** keccak-256 of `data`. The one hash function of the library. */
export function keccak256(data: Uint8Array): Uint8Array {
  if (!wasmLoaded() || sinkBusy()) return keccak_256(data);
  sink.begin(currentKernel());
  sink.write(data);
  sink.end();
  return sink.buf.slice(0, 32);
}

/** keccak-256 of the concatenation of `parts`. */
export function keccak256Concat(...parts: readonly Uint8Array[]): Uint8Array {
  if (!wasmLoaded() || sinkBusy()) {
    const hasher = keccak_256.create();
    for (const part of parts) hasher.update(part);
    return hasher.digest();
  }
  sink.begin(currentKernel());
  for (const part of parts) sink.write(part);
  sink.end();
  return sink.buf.slice(0, 32);
}

/** UTF-8 bytes of `text`. */
export function utf8Bytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** True when `value` is a 0x-prefixed lowercase 32-byte hex string. */
export function isHex32(value: unknown): value is Hex32 {
  return typeof value === "string" && HEX32.test(value);
}

/** Lowercase hex digits of every byte, two ASCII codes a byte. */
const HEX_CODES = new Uint8Array(512);
for (let b = 0; b < 256; b++) {
  HEX_CODES[2 * b] = HEX_ALPHABET.charCodeAt(b >> 4);
  HEX_CODES[2 * b + 1] = HEX_ALPHABET.charCodeAt(b & 15);
}
/** Value of each hex digit's char code (either case), -1 for any other. */
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE[HEX_ALPHABET.charCodeAt(i)] = i;
  NIBBLE[HEX_ALPHABET.toUpperCase().charCodeAt(i)] = i;
}
let hexScratch = new Uint8Array(66);

/** Lowercase 0x-hex of `bytes`. */
export function toHex(bytes: Uint8Array): Hex32 {
  // ASCII codes decoded in one call: a flat string, ≈ 3× faster than joining 32 two-digit strings.
  const length = 2 + 2 * bytes.length;
  if (hexScratch.length < length) hexScratch = new Uint8Array(length);
  const out = hexScratch;
  out[0] = 0x30;
  out[1] = 0x78;
  for (let i = 0, o = 2; i < bytes.length; i++, o += 2) {
    const at = 2 * bytes[i]!;
    out[o] = HEX_CODES[at]!;
    out[o + 1] = HEX_CODES[at + 1]!;
  }
  return ascii.decode(out.subarray(0, length)) as Hex32;
}

/**
 * Bytes of a 32-byte hex string (0x-prefixed, either case).
 * @throws CredrootError `INVALID_ARGUMENT` when `hex` is not 32 bytes of hex.
 */
export function fromHex32(hex: string): Uint8Array {
  const out = new Uint8Array(32);
  let bad = hex.length !== 66 || hex.charCodeAt(0) !== 0x30 || (hex.charCodeAt(1) | 0x20) !== 0x78;
  for (let i = 0; i < 32 && !bad; i++) {
    const high = hex.charCodeAt(2 + 2 * i);
    const low = hex.charCodeAt(3 + 2 * i);
    const value = ((high < 128 ? NIBBLE[high]! : -1) << 4) | (low < 128 ? NIBBLE[low]! : -1);
    if (value < 0) bad = true;
    else out[i] = value;
  }
  if (bad) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `expected a 0x-prefixed 32-byte hex string, got ${JSON.stringify(hex.slice(0, 80))}`,
    );
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
