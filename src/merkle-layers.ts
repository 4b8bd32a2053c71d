import { CredrootError } from "./errors";
import { toHex } from "./hash";
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

/*
 * The building of src/merkle.ts's tree from its leaves laid end to end in one byte array (as a batch
 * writes them while committing, with no hex round trip), and its duplicate check.
 */

/** The first 6 bytes of the leaf at `at` as a number: leaves are hashes, so these rarely repeat. */
function prefixKey(leaves: Uint8Array, at: number): number {
  let key = 0;
  for (let i = at; i < at + 6; i++) key = key * 256 + leaves[i]!;
  return key;
}

const hexAt = (leaves: Uint8Array, index: number) => toHex(leaves.subarray(index * 32, index * 32 + 32));

/**
 * Checks that no leaf of `leaves[0..32·count)` repeats: keyed by a 6-byte prefix, with the full
 * hex compared only among leaves whose prefixes meet (a third of a hex-keyed map's time).
 * @throws CredrootError `DUPLICATE_LEAF` naming the first repeat and the leaf it repeats.
 */
export function checkDistinctLeaves(leaves: Uint8Array, count: number): void {
  const seen = new Map<number, number>();
  let met: Map<string, number> | null = null; // hex of every leaf sharing a prefix with another
  for (let i = 0; i < count; i++) {
    const key = prefixKey(leaves, i * 32);
    const earlier = seen.get(key);
    if (earlier === undefined) {
      seen.set(key, i);
      continue;
    }
    met ??= new Map();
    const earlierHex = hexAt(leaves, earlier);
    if (!met.has(earlierHex)) met.set(earlierHex, earlier);
    const hex = hexAt(leaves, i);
    const previous = met.get(hex);
    if (previous !== undefined) {
      throw new CredrootError("DUPLICATE_LEAF", `leaves ${previous} and ${i} are the same (${hex})`);
    }
    met.set(hex, i);
  }
}

/** Views of each 32-byte node of `layer`, to copy with `set` (4–5× a byte loop). */
function nodesOf(layer: Uint8Array): Uint8Array[] {
  return Array.from({ length: layer.length / 32 }, (_, i) => layer.subarray(32 * i, 32 * i + 32));
}

/** Hashes the sorted pair of nodes `a` and `b` into `next` at `to`. */
function pairInto(kernel: KeccakKernel, head: Uint8Array, a: Uint8Array, b: Uint8Array, next: Uint8Array, to: number) {
  let swap = false;
  for (let i = 0; i < 32; i++) {
    const diff = a[i]! - b[i]!;
    if (diff === 0) continue;
    swap = diff > 0;
    break;
  }
  const buf = kernel.buffer;
  buf.set(swap ? b : a, 0);
  buf.set(swap ? a : b, 32);
  kernel.hash(64);
  next.set(head, to);
}

/**
 * The tree over the `count` leaves of `first` (32 bytes each, already checked distinct), which
 * becomes its first layer.
 */
export function treeOfLeafLayer(first: Uint8Array, count: number): MerkleTree {
  const kernel = issuanceKernel();
  const head = kernel.buffer.subarray(0, 32);
  const layers = [first];
  for (let layer = first, n = count; n > 1; n = Math.ceil(n / 2)) {
    const next = new Uint8Array(Math.ceil(n / 2) * 32);
    const nodes = nodesOf(layer);
    for (let i = 0; i + 1 < n; i += 2) pairInto(kernel, head, nodes[i]!, nodes[i + 1]!, next, (i / 2) * 32);
    if (n % 2 === 1) next.set(nodes[n - 1]!, ((n - 1) / 2) * 32);
    layers.push(next);
    layer = next;
  }
  return { layers, leafCount: count };
}
