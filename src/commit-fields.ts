import { canonicalError, writeCanonical } from "./canonical";
import { batchIdToBytes16 } from "./encoding";
import { CredrootError } from "./errors";
import { isWellFormedText } from "./json";
import { type KeccakKernel } from "./keccak-wasm";
import { KeccakSink, reentered } from "./keccak-sink";
import type { JsonValue } from "./pointer";

/*
 * The hashing of src/commit.ts (its header states the format), done in the hasher's own buffer:
 * each hash leaves its digest in the first bytes of the buffer, where the next hash's input
 * starts: the salt before the value's canonical JSON, the value hash after the pointer, the
 * digest at the end of the leaf's ABI encoding. Nothing is allocated per field.
 */

const utf8 = new TextEncoder();
export const SALT_DOMAIN = utf8.encode("credroot/salt/v2");
export const DIGEST_DOMAIN = utf8.encode("credroot/credential/v2");

/** The one sink of the module: every function here runs one hash at a time to its end. */
export const sink = new KeccakSink();

/** Where and by whom a credential is anchored: what its leaf commits to besides its fields. */
export interface AnchorContext {
  chainId: number;
  /** Registry contract address (0x + 40 hex digits; compared and hashed as 20 bytes). */
  registry: string;
  issuerId: number;
  /** The issuer's id for the batch, a lowercase UUID (16 bytes on chain). */
  batchId: string;
}

function uint256(value: number, out: Uint8Array, offset: number): void {
  for (let i = offset + 31, v = BigInt(value); i >= offset && v > 0n; i--, v >>= 8n) out[i] = Number(v & 0xffn);
}

function hexBytes(hex: string, length: number, what: string, out: Uint8Array, offset: number): void {
  const h = hex.replace(/^0x/, "");
  if (h.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(h)) {
    throw new CredrootError("INVALID_ARGUMENT", `${what} must be ${length} bytes of hex, got ${JSON.stringify(hex)}`);
  }
  for (let i = 0; i < length; i++) out[offset + i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
}

let lastContext: AnchorContext = { chainId: 0, registry: "", issuerId: 0, batchId: "" };
let lastPrefix = new Uint8Array(128);

/**
 * The first 128 bytes of a leaf's ABI encoding: chain id, registry, issuer id and batch id, the
 * same for every credential of a batch (the last context's is kept).
 * @throws CredrootError `INVALID_ARGUMENT` for a bad context.
 */
export function contextPrefix(context: AnchorContext): Uint8Array {
  const { chainId, registry, issuerId, batchId } = context;
  const last = lastContext;
  if (
    chainId === last.chainId &&
    registry === last.registry &&
    issuerId === last.issuerId &&
    batchId === last.batchId
  ) {
    return lastPrefix;
  }
  if (!Number.isSafeInteger(chainId) || chainId < 1) throw new CredrootError("INVALID_ARGUMENT", "bad chain id");
  if (!Number.isSafeInteger(issuerId) || issuerId < 1) throw new CredrootError("INVALID_ARGUMENT", "bad issuer id");
  const prefix = new Uint8Array(128);
  uint256(chainId, prefix, 0);
  hexBytes(registry, 20, "registry", prefix, 44);
  uint256(issuerId, prefix, 64);
  hexBytes(batchIdToBytes16(batchId), 16, "batch id", prefix, 96);
  lastContext = { chainId, registry, issuerId, batchId };
  lastPrefix = prefix;
  return prefix;
}

/** Hashes the leaf of the digest in `sink.buf[0..32)`, leaving it there. */
export function leafInPlace(kernel: KeccakKernel, prefix: Uint8Array): void {
  const buf = kernel.buffer;
  buf.copyWithin(128, 0, 32);
  buf.set(prefix, 0);
  kernel.hash(160);
  kernel.hash(32);
}

/** A JSON Pointer with its UTF-8 bytes; the pointers under it by key. */
interface PointerNode {
  pointer: string;
  bytes: Uint8Array;
  children: Map<string, PointerNode>;
}

/** Pointers repeat in every credential of a batch: each is escaped and encoded once. */
const ROOT: PointerNode = { pointer: "", bytes: new Uint8Array(0), children: new Map() };
const MAX_CACHED_POINTERS = 4096;
let cachedPointers = 0;

const escapeToken = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

function childOf(node: PointerNode, key: string): PointerNode {
  const cached = node.children.get(key);
  if (cached) return cached;
  const pointer = `${node.pointer}/${escapeToken(key)}`;
  if (!isWellFormedText(key)) {
    throw new CredrootError("INVALID_ARGUMENT", `a lone surrogate at ${pointer} has no canonical form`);
  }
  const child: PointerNode = { pointer, bytes: utf8.encode(pointer), children: new Map() };
  if (cachedPointers < MAX_CACHED_POINTERS) {
    node.children.set(key, child);
    cachedPointers++;
  }
  return child;
}

/** The UTF-8 bytes of `pointer` (cached for the pointers a batch repeats). */
export function bytesOfPointer(pointer: string): Uint8Array {
  if (!isWellFormedText(pointer)) return utf8.encode(pointer);
  let node = ROOT;
  // Walks the tree when the pointer names one of it (a schema field); encodes it otherwise.
  const tokens = pointer.split("/");
  if (tokens[0] !== "" || tokens.length < 2) return utf8.encode(pointer);
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.includes("~")) return utf8.encode(pointer);
    node = childOf(node, token);
  }
  return node.bytes;
}

/** Salt of the field at `pointer` (UTF-8 bytes) into `sink.buf[0..16)`. */
export function hashSalt(kernel: KeccakKernel, secret: Uint8Array, pointer: Uint8Array): void {
  sink.begin(kernel);
  sink.write(SALT_DOMAIN);
  sink.write(secret);
  sink.write(pointer);
  sink.end();
}

/** Field hash of `value` at `pointer` into `sink.buf[0..32)`, its salt being in `sink.buf[0..16)`. */
function hashSaltedField(kernel: KeccakKernel, pointer: PointerNode, value: JsonValue): void {
  try {
    sink.begin(kernel, 16);
    writeCanonical(sink, value);
    sink.end();
  } catch (error) {
    sink.abort();
    throw canonicalError(error, value, pointer.pointer);
  }
  const buf = kernel.buffer;
  const length = pointer.bytes.length;
  if (length + 32 <= buf.length) {
    buf.copyWithin(length, 0, 32);
    buf.set(pointer.bytes, 0);
    kernel.hash(length + 32);
  } else {
    const hashed = buf.slice(0, 32);
    sink.begin(kernel);
    sink.write(pointer.bytes);
    sink.write(hashed);
    sink.end();
  }
}

let fieldHashes = new Uint8Array(64 * 32);
let fieldCount = 0;

function keepFieldHash(buf: Uint8Array): void {
  if ((fieldCount + 1) * 32 > fieldHashes.length) {
    const grown = new Uint8Array(fieldHashes.length * 2);
    grown.set(fieldHashes);
    fieldHashes = grown;
  }
  const hashes = fieldHashes;
  for (let i = 0, o = fieldCount * 32; i < 32; i++, o++) hashes[o] = buf[i]!; // no view per field
  fieldCount++;
}

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Hashes every field under `object` (pointer `node`), as `flatten` lists them. */
function hashFields(kernel: KeccakKernel, secret: Uint8Array, object: { [key: string]: JsonValue }, node: PointerNode) {
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = object[key]; // a JavaScript caller may pass `undefined`
    if (value === undefined) continue;
    const child = childOf(node, key);
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      hashFields(kernel, secret, value, child);
      continue;
    }
    hashSalt(kernel, secret, child.bytes);
    hashSaltedField(kernel, child, value);
    keepFieldHash(kernel.buffer);
  }
}

function compareFieldHashes(a: number, b: number): number {
  const hashes = fieldHashes;
  for (let i = a * 32, j = b * 32, end = i + 32; i < end; i++, j++) {
    const diff = hashes[i]! - hashes[j]!;
    if (diff !== 0) return diff;
  }
  return 0;
}

let order = new Int32Array(64);

/** The kept field hashes' indices in ascending byte order of the hashes. */
function sortedFields(): Int32Array {
  if (order.length < fieldCount) order = new Int32Array(fieldCount * 2);
  if (fieldCount > 64) {
    const sorted = Array.from({ length: fieldCount }, (_, i) => i).sort(compareFieldHashes);
    order.set(sorted);
    return order;
  }
  // A credential has a few dozen fields at most: insertion sort, no comparator calls through sort().
  for (let i = 0; i < fieldCount; i++) {
    let j = i;
    while (j > 0 && compareFieldHashes(order[j - 1]!, i) > 0) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  return order;
}

/** The digest of the kept field hashes, in ascending byte order, into `sink.buf[0..32)`. */
function hashDigest(kernel: KeccakKernel): void {
  const sorted = sortedFields();
  sink.begin(kernel);
  sink.write(DIGEST_DOMAIN);
  const hashes = fieldHashes;
  for (let f = 0; f < fieldCount; f++) {
    sink.room(32);
    const buf = sink.buf;
    for (let i = sorted[f]! * 32, end = i + 32, o = sink.pos; i < end; i++, o++) buf[o] = hashes[i]!;
    sink.pos += 32;
  }
  sink.end();
}

/**
 * The digest of every field of `values` salted from `secret`, into `kernel.buffer[0..32)`.
 * @throws CredrootError `INVALID_ARGUMENT` for a value or key that has no canonical form.
 */
export function digestInPlace(kernel: KeccakKernel, secret: Uint8Array, values: { [key: string]: JsonValue }): void {
  // Field hashes are kept in one module-wide array: a commitment started from inside another (by
  // a getter among the values) would overwrite it.
  if (committing) throw reentered();
  committing = true;
  try {
    fieldCount = 0;
    hashFields(kernel, secret, values, ROOT);
    hashDigest(kernel);
  } finally {
    committing = false;
  }
}

let committing = false;
