import { CredrootError } from "./errors";
import { isWellFormedText } from "./json";

/*
 * The UTF-8 bytes of JSON Pointers, kept in a tree by key: the pointers of a batch repeat in every
 * credential, so each is escaped (RFC 6901) and encoded once, not once per field hashed.
 */

const utf8 = new TextEncoder();

/** A JSON Pointer with its UTF-8 bytes; the pointers under it by key. */
export interface PointerNode {
  readonly pointer: string;
  readonly bytes: Uint8Array;
  readonly children: Map<string, PointerNode>;
}

/** The root of the cache: the pointer "" (the whole document). */
export const POINTER_ROOT: PointerNode = { pointer: "", bytes: new Uint8Array(0), children: new Map() };
/** Pointers kept at most: a batch has a few dozen; a caller hashing arbitrary keys cannot grow it past this. */
export const MAX_CACHED_POINTERS = 4096;
let cachedPointers = 0;

const escapeToken = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/**
 * The pointer of member `key` under `node` (cached while the cache has room).
 * @throws CredrootError `INVALID_ARGUMENT` for a key holding a lone surrogate (no UTF-8 form).
 */
export function childOf(node: PointerNode, key: string): PointerNode {
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

/** Pointers already asked for as text (a verifier asks twice per field): one lookup, no split and walk. */
const byText = new Map<string, Uint8Array>();

/** The UTF-8 bytes of `pointer` (cached for the pointers a batch repeats). */
export function bytesOfPointer(pointer: string): Uint8Array {
  const known = byText.get(pointer);
  if (known) return known;
  const bytes = encodePointer(pointer);
  if (byText.size < MAX_CACHED_POINTERS) byText.set(pointer, bytes);
  return bytes;
}

function encodePointer(pointer: string): Uint8Array {
  if (!isWellFormedText(pointer)) return utf8.encode(pointer);
  let node = POINTER_ROOT;
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
