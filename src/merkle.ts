import { CredrootError } from "./errors";
import { compareBytes, fromHex32, type Hex32, keccak256Concat, toHex } from "./hash";
import { checkDistinctLeaves, type MerkleTree, treeOfLeafLayer } from "./merkle-layers";

export type { MerkleTree } from "./merkle-layers";

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
  const bad = leaves.findIndex((leaf) => leaf.length !== 32);
  const good = bad < 0 ? leaves.length : bad;
  for (let i = 0; i < good; i++) first.set(leaves[i]!, i * 32);
  checkDistinctLeaves(first, good); // a repeat before the first bad leaf is reported first
  if (bad >= 0) throw new CredrootError("INVALID_ARGUMENT", `leaf ${bad} is not 32 bytes`);
  return treeOfLeafLayer(first, leaves.length);
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
