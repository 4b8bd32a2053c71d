import { CredrootError } from "./errors";
import { compareBytes, fromHex32, type Hex32, keccak256Concat, toHex } from "./hash";
import { issuanceKernel } from "./keccak-sink";
import type { KeccakKernel } from "./keccak-wasm";

/**
 * A Merkle tree over 32-byte leaves, internal nodes hashing sorted pairs: the tree that
 * OpenZeppelin `MerkleProof.verify` checks and merkletreejs builds with `{ sortPairs: true }`
 * (an odd node at the end of a layer moves up unchanged). Layers are flat byte arrays, so a
 * proof is read by index in O(log n) with no search, at a fraction of an object tree's memory.
 */
export interface MerkleTree {
  /** `layers[0]` holds the leaves, the last layer the root; 32 bytes per node. */
  readonly layers: readonly Uint8Array[];
  readonly leafCount: number;
}

function node(layer: Uint8Array, index: number): Uint8Array {
  return layer.subarray(index * 32, index * 32 + 32);
}

/** keccak256 of the pair in ascending byte order. */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  return compareBytes(a, b) <= 0 ? keccak256Concat(a, b) : keccak256Concat(b, a);
}

/**
 * Builds the tree. Leaves stay in the given order.
 * @throws CredrootError `INVALID_ARGUMENT` for no leaves or a leaf that is not 32 bytes,
 * `DUPLICATE_LEAF` when a leaf repeats (its proof would be ambiguous).
 */
export function buildTree(leaves: readonly Uint8Array[]): MerkleTree {
  if (leaves.length === 0) throw new CredrootError("INVALID_ARGUMENT", "a tree needs at least one leaf");
  const first = new Uint8Array(leaves.length * 32);
  const seen = new Map<string, number>();
  leaves.forEach((leaf, i) => {
    if (leaf.length !== 32) throw new CredrootError("INVALID_ARGUMENT", `leaf ${i} is not 32 bytes`);
    const key = toHex(leaf);
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new CredrootError("DUPLICATE_LEAF", `leaves ${previous} and ${i} are the same (${key})`);
    }
    seen.set(key, i);
    first.set(leaf, i * 32);
  });
  const kernel = issuanceKernel();
  const layers = [first];
  for (let layer = first, n = leaves.length; n > 1; n = Math.ceil(n / 2)) {
    const next = new Uint8Array(Math.ceil(n / 2) * 32);
    for (let i = 0; i + 1 < n; i += 2) pairInto(kernel, layer, i * 32, next, (i / 2) * 32);
    if (n % 2 === 1) next.set(node(layer, n - 1), ((n - 1) / 2) * 32);
    layers.push(next);
    layer = next;
  }
  return { layers, leafCount: leaves.length };
}

/** Hashes the sorted pair of nodes at `from` and `from + 32` of `layer` into `to` of `next`. */
function pairInto(kernel: KeccakKernel, layer: Uint8Array, from: number, next: Uint8Array, to: number): void {
  let first = from;
  let second = from + 32;
  for (let i = 0; i < 32; i++) {
    const diff = layer[from + i]! - layer[from + 32 + i]!;
    if (diff === 0) continue;
    if (diff > 0) [first, second] = [second, first];
    break;
  }
  const buf = kernel.buffer;
  for (let i = 0; i < 32; i++) {
    buf[i] = layer[first + i]!;
    buf[32 + i] = layer[second + i]!;
  }
  kernel.hash(64);
  for (let i = 0; i < 32; i++) next[to + i] = buf[i]!;
}

/** The root of `tree`. */
export function treeRoot(tree: MerkleTree): Hex32 {
  return toHex(tree.layers[tree.layers.length - 1]!.subarray(0, 32));
}

/**
 * Proofs of every leaf of a tree share their upper siblings: from this level up, each node's hex
 * is kept once asked for (an eighth of the leaf count at most), the lower levels are written afresh.
 */
const CACHED_FROM_LEVEL = 3;
const hexCache = new WeakMap<MerkleTree, (Hex32 | undefined)[][]>();

function hexOfNode(tree: MerkleTree, level: number, index: number): Hex32 {
  const layer = tree.layers[level]!;
  if (level < CACHED_FROM_LEVEL) return toHex(node(layer, index));
  let cache = hexCache.get(tree);
  if (!cache) {
    cache = [];
    hexCache.set(tree, cache);
  }
  const row = (cache[level] ??= new Array<Hex32 | undefined>(layer.length / 32));
  return (row[index] ??= toHex(node(layer, index)));
}

/**
 * The proof of leaf `index`: one sibling per layer that has one, bottom-up.
 * @throws CredrootError `INVALID_ARGUMENT` for an index outside the tree.
 */
export function proofOf(tree: MerkleTree, index: number): Hex32[] {
  if (!Number.isInteger(index) || index < 0 || index >= tree.leafCount) {
    throw new CredrootError("INVALID_ARGUMENT", `leaf index ${index} is outside a tree of ${tree.leafCount}`);
  }
  const proof: Hex32[] = [];
  for (let level = 0, i = index, n = tree.leafCount; n > 1; level++, i >>= 1, n = Math.ceil(n / 2)) {
    const sibling = i ^ 1;
    if (sibling < n) proof.push(hexOfNode(tree, level, sibling));
  }
  return proof;
}

/** The root that `proof` leads to from `leaf` (OpenZeppelin `MerkleProof.processProof`). */
export function processProof(leaf: Hex32, proof: readonly Hex32[]): Hex32 {
  let computed = fromHex32(leaf);
  for (const sibling of proof) computed = hashPair(computed, fromHex32(sibling));
  return toHex(computed);
}
