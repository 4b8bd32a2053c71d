import { canonicalError, writeCanonical } from "./canonical";
import { batchIdToBytes16 } from "./encoding";
import { CredrootError } from "./errors";
import { type KeccakKernel } from "./keccak-wasm";
import { KeccakSink, reentered, sinkBusy } from "./keccak-sink";
import type { JsonValue } from "./pointer";
import { bytesOfPointer, childOf, POINTER_ROOT, type PointerNode } from "./pointer-bytes";

export { bytesOfPointer } from "./pointer-bytes";

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

/** keccak256 of `a ‖ b ‖ c` into `kernel.buffer[0..32)`. */
function hash3(kernel: KeccakKernel, a: Uint8Array, b: Uint8Array, c: Uint8Array): void {
  // Written in place, no sink (no caller code runs between these lines), unless a hash is under way.
  if (sinkBusy()) throw reentered();
  const buf = kernel.buffer;
  const length = a.length + b.length + c.length;
  if (length <= buf.length) {
    buf.set(a, 0);
    buf.set(b, a.length);
    buf.set(c, a.length + b.length);
    kernel.hash(length);
    return;
  }
  sink.begin(kernel);
  sink.write(a);
  sink.write(b);
  sink.write(c);
  sink.end();
}

const NOTHING = new Uint8Array(0);

/** Salt of the field at `pointer` (UTF-8 bytes) into `kernel.buffer[0..16)`. */
export function hashSalt(kernel: KeccakKernel, secret: Uint8Array, pointer: Uint8Array): void {
  hash3(kernel, SALT_DOMAIN, secret, pointer);
}

/** `"credroot/salt/v2" ‖ secret` of the credential being committed (one at a time: see `committing`). */
const commitPrefix = new Uint8Array(32);
commitPrefix.set(SALT_DOMAIN);

/** Field hash of `value` at `pointer` into `sink.buf[0..32)`, its salt being in `sink.buf[0..16)`. */
function hashSaltedField(kernel: KeccakKernel, pointer: PointerNode, value: JsonValue): void {
  sink.begin(kernel, 16); // outside the try: a refused begin must not abort the hash under way
  try {
    writeCanonical(sink, value);
    sink.end();
  } catch (error) {
    sink.abort();
    throw canonicalError(error, value, pointer.pointer);
  }
  hashPointerBefore(kernel, pointer.bytes);
}

/** `keccak256(pointer ‖ value hash)` into `kernel.buffer[0..32)`, the value hash being there. */
function hashPointerBefore(kernel: KeccakKernel, pointer: Uint8Array): void {
  const buf = kernel.buffer;
  if (pointer.length + 32 <= buf.length) {
    buf.copyWithin(pointer.length, 0, 32);
    buf.set(pointer, 0);
    kernel.hash(pointer.length + 32);
  } else {
    hash3(kernel, pointer, buf.slice(0, 32), NOTHING);
  }
}

/** A view of each 32-byte slot of `hashes`: copied with `set`, 4–5× a byte loop, with no view made per copy. */
const slotsOf = (hashes: Uint8Array) =>
  Array.from({ length: hashes.length / 32 }, (_, i) => hashes.subarray(32 * i, 32 * i + 32));

let fieldHashes = new Uint8Array(64 * 32);
let fieldSlots = slotsOf(fieldHashes);
let fieldCount = 0;

/** The digest slot `kernel.buffer[0..32)`, kept per kernel. */
let headKernel: KeccakKernel | null = null;
let head: Uint8Array = new Uint8Array(32);

function headOf(kernel: KeccakKernel): Uint8Array {
  if (kernel !== headKernel) {
    headKernel = kernel;
    head = kernel.buffer.subarray(0, 32);
  }
  return head;
}

function keepFieldHash(kernel: KeccakKernel): void {
  if (fieldCount === fieldSlots.length) {
    const grown = new Uint8Array(fieldHashes.length * 2);
    grown.set(fieldHashes);
    fieldHashes = grown;
    fieldSlots = slotsOf(grown);
  }
  fieldSlots[fieldCount]!.set(headOf(kernel));
  fieldCount++;
}

function isPlainObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Hashes every field under `object` (pointer `node`), as `flatten` lists them. */
function hashFields(kernel: KeccakKernel, object: { [key: string]: JsonValue }, node: PointerNode) {
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = object[key]; // a JavaScript caller may pass `undefined`
    if (value === undefined) continue;
    const child = childOf(node, key);
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      hashFields(kernel, value, child);
      continue;
    }
    hash3(kernel, commitPrefix, child.bytes, NOTHING);
    hashSaltedField(kernel, child, value);
    keepFieldHash(kernel);
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
  const slots = fieldSlots;
  for (let f = 0; f < fieldCount; f++) {
    sink.room(32);
    sink.buf.set(slots[sorted[f]!]!, sink.pos);
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
    commitPrefix.set(secret, SALT_DOMAIN.length);
    hashFields(kernel, values, POINTER_ROOT);
    hashDigest(kernel);
  } finally {
    committing = false;
  }
}

let committing = false;

/**
 * The digest of an opening (`digestOfOpening`'s work: shown fields rehashed from salt and value,
 * hidden ones from their value hash) into `kernel.buffer[0..32)`, with no array made per hash.
 * @throws CredrootError `INVALID_ARGUMENT` for a salt that is not 16 bytes or a value with no canonical form.
 */
export function openingDigestInPlace(
  kernel: KeccakKernel,
  shown: ReadonlyMap<string, { salt: Uint8Array; value: JsonValue }>,
  hidden: ReadonlyMap<string, Uint8Array>,
): void {
  if (committing) throw reentered();
  committing = true;
  try {
    fieldCount = 0;
    for (const [pointer, { salt, value }] of shown) {
      if (salt.length !== 16) throw new CredrootError("INVALID_ARGUMENT", "a salt must be 16 bytes");
      sink.begin(kernel, 16);
      try {
        kernel.buffer.set(salt, 0);
        writeCanonical(sink, value);
        sink.end();
      } catch (error) {
        sink.abort();
        throw canonicalError(error, value);
      }
      hashPointerBefore(kernel, bytesOfPointer(pointer));
      keepFieldHash(kernel);
    }
    for (const [pointer, hashed] of hidden) {
      hash3(kernel, bytesOfPointer(pointer), hashed, NOTHING);
      keepFieldHash(kernel);
    }
    hashDigest(kernel);
  } finally {
    committing = false;
  }
}
