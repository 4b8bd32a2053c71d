import { describe, expect, it } from "vitest";
import { toHex } from "../../src/hash";
import { buildTree, hashPair, treeRoot } from "../../src/merkle";
import { checkDistinctLeaves, treeOfLeafLayer } from "../../src/merkle-layers";
import { expectCode, leavesFor } from "./helpers";

/** `count` distinct leaves whose first 6 bytes are all zero: every prefix key meets every other. */
function samePrefixLeaves(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    const leaf = new Uint8Array(32);
    leaf[31] = i & 0xff;
    leaf[30] = i >> 8;
    return leaf;
  });
}

const layerOf = (leaves: readonly Uint8Array[]) => {
  const layer = new Uint8Array(leaves.length * 32);
  leaves.forEach((leaf, i) => layer.set(leaf, i * 32));
  return layer;
};

describe("checkDistinctLeaves", () => {
  it("accepts distinct leaves that share their first 6 bytes", () => {
    const leaves = samePrefixLeaves(300);
    expect(() => checkDistinctLeaves(layerOf(leaves), leaves.length)).not.toThrow();
  });

  it("names the first repeat and the leaf it repeats among leaves that share a prefix", () => {
    const leaves = samePrefixLeaves(5);
    const error = expectCode(
      () => checkDistinctLeaves(layerOf([...leaves, leaves[3]!, leaves[1]!]), 7),
      "DUPLICATE_LEAF",
    );
    expect(error.message).toBe(`leaves 3 and 5 are the same (${toHex(leaves[3]!)})`);
  });

  it("finds a repeat among random leaves, as a hex-keyed map does", () => {
    const leaves = leavesFor(1000, 3);
    const error = expectCode(() => checkDistinctLeaves(layerOf([...leaves, leaves[417]!]), 1001), "DUPLICATE_LEAF");
    expect(error.message).toBe(`leaves 417 and 1000 are the same (${toHex(leaves[417]!)})`);
  });

  it("looks only at the first `count` leaves", () => {
    const leaves = leavesFor(4);
    expect(() => checkDistinctLeaves(layerOf([...leaves, leaves[0]!]), 4)).not.toThrow();
  });
});

describe("treeOfLeafLayer", () => {
  it("gives the root of pairs hashed bottom-up, an odd node moving up unchanged", () => {
    const leaves = leavesFor(5, 9);
    const [a, b, c, d, e] = leaves as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const expected = hashPair(hashPair(hashPair(a, b), hashPair(c, d)), e);
    expect(treeRoot(treeOfLeafLayer(layerOf(leaves), 5))).toBe(toHex(expected));
  });

  it("builds the tree buildTree builds, layer for layer", () => {
    for (const count of [1, 2, 3, 7, 64, 1001]) {
      const leaves = leavesFor(count, count);
      expect(treeOfLeafLayer(layerOf(leaves), count)).toEqual(buildTree(leaves));
    }
  });
});

describe("buildTree error order", () => {
  it("reports a repeat before a later bad leaf, and a bad leaf before a later repeat", () => {
    const [a, b] = leavesFor(2) as [Uint8Array, Uint8Array];
    expectCode(() => buildTree([a, b, a, new Uint8Array(31)]), "DUPLICATE_LEAF");
    expect(expectCode(() => buildTree([a, new Uint8Array(31), a]), "INVALID_ARGUMENT").message).toContain("leaf 1");
  });
});
