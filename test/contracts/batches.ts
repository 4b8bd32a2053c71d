import { AbiCoder, getBytes, hexlify, keccak256, randomBytes } from "ethers";
import { isHex32, type Hex32 } from "../../src/hash";
import { buildTree, processProof as merkleProcessProof, proofOf, treeRoot, type MerkleTree } from "../../src/merkle";
import type { LeafContext, VerifyRequest } from "./helpers";

export type { LeafContext };

/**
 * Credential leaves and Merkle batches as the v2 registry sees them, built off chain with ethers'
 * ABI coder and the library's Merkle tree (src/merkle.ts: sorted pairs, as OpenZeppelin `MerkleProof`).
 */

const coder = AbiCoder.defaultAbiCoder();
const LEAF_TYPES = ["uint256", "address", "uint64", "bytes16", "bytes32"] as const;

/** A 0x-prefixed lowercase 32-byte hex string, checked. */
export function hex32(value: string): Hex32 {
  const lower = value.toLowerCase();
  if (!isHex32(lower)) throw new TypeError(`not 32 bytes of hex: ${value}`);
  return lower;
}

/**
 * `keccak256(bytes.concat(keccak256(abi.encode(chainId, registry, issuerId, batchId, digest))))`,
 * as `CredentialRegistry.leafOf` derives it.
 */
export function leafOf(context: LeafContext, issuerId: bigint, batchId: string, digest: string): Hex32 {
  const encoded = coder.encode(LEAF_TYPES, [context.chainId, context.registry, issuerId, batchId, digest]);
  return hex32(keccak256(keccak256(encoded)));
}

/** The root a proof leads to from `leaf`, as `MerkleProof.processProof` computes it. */
export function processProof(leaf: string, proof: readonly string[]): Hex32 {
  return merkleProcessProof(hex32(leaf), proof.map(hex32));
}

export function randomBytes32(): Hex32 {
  return hex32(hexlify(randomBytes(32)));
}

/** A random, non-zero 16-byte batch id. */
export function randomBatchId(): string {
  return hexlify(randomBytes(16));
}

/** Bits of the registry's per-issuer revocation filter (`CredentialRegistry._batchBit`, `_digestBit`). */
export const FILTER_BITS = 184n;

/** The revocation filter bit of a batch id (its 128-bit value) or of a digest (its 256-bit value). */
export function filterBit(batchIdOrDigest: string): bigint {
  return BigInt(batchIdOrDigest) % FILTER_BITS;
}

/** A random batch id other than `other` whose filter bit is `other`'s. */
export function batchIdSharingBit(other: string): string {
  for (;;) {
    const id = randomBatchId();
    if (id !== other && filterBit(id) === filterBit(other)) return id;
  }
}

/** A random digest other than `other` whose filter bit is `other`'s. */
export function digestSharingBit(other: string): Hex32 {
  for (;;) {
    const digest = randomBytes32();
    if (digest !== other && filterBit(digest) === filterBit(other)) return digest;
  }
}

/** A Merkle tree over given leaves, with its root and proofs. */
export interface Tree {
  root: Hex32;
  leaves: Hex32[];
  tree: MerkleTree;
  proof(index: number): Hex32[];
  /** Node `index` of layer `level` (0: the leaves). */
  node(level: number, index: number): Hex32;
}

/** Builds the tree of `leaves` (in order; sorted pairs). */
export function treeOf(leaves: readonly string[]): Tree {
  const list = leaves.map(hex32);
  const tree = buildTree(list.map((leaf) => getBytes(leaf)));
  return {
    root: treeRoot(tree),
    leaves: list,
    tree,
    proof: (index) => proofOf(tree, index),
    node(level, index) {
      const layer = tree.layers[level];
      if (layer === undefined || (index + 1) * 32 > layer.length) throw new RangeError(`no node ${level}/${index}`);
      return hex32(hexlify(layer.subarray(index * 32, index * 32 + 32)));
    },
  };
}

/** A batch of credentials of one issuer: digests, their leaves bound to (issuer, batch), the tree. */
export interface CredentialBatch extends Tree {
  issuerId: bigint;
  batchId: string;
  digests: Hex32[];
  digest(index: number): Hex32;
  leaf(index: number): Hex32;
  /** The request a holder of credential `index` makes, naming this batch's issuer, id and root. */
  request(index: number): VerifyRequest;
}

export interface BatchOptions {
  /** The credential digests; `size` random ones if absent. */
  digests?: readonly string[];
  size?: number;
  /** A batch id; random if absent. */
  batchId?: string;
}

/** A batch of issuer `issuerId` on `context`, its leaves derived as the registry derives them. */
export function buildBatch(context: LeafContext, issuerId: bigint, options: BatchOptions = {}): CredentialBatch {
  const digests = (options.digests ?? Array.from({ length: options.size ?? 4 }, randomBytes32)).map(hex32);
  const batchId = options.batchId ?? randomBatchId();
  const tree = treeOf(digests.map((digest) => leafOf(context, issuerId, batchId, digest)));
  const at = <T>(list: readonly T[], index: number): T => {
    const value = list[index];
    if (value === undefined) throw new RangeError(`no credential ${index} in a batch of ${list.length}`);
    return value;
  };
  return {
    ...tree,
    issuerId,
    batchId,
    digests,
    digest: (index) => at(digests, index),
    leaf: (index) => at(tree.leaves, index),
    request: (index) => ({ issuerId, batchId, root: tree.root, digest: at(digests, index), proof: tree.proof(index) }),
  };
}
