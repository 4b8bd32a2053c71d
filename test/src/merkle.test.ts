import fc from "fast-check";
import keccakPackage from "keccak256";
import { MerkleTree as ReferenceTree } from "merkletreejs";
import { describe, expect, it } from "vitest";
import { leafOf } from "../../src/commit";
import { fromHex32, keccak256, toHex } from "../../src/hash";
import { buildTree, hashPair, processProof, proofOf, treeRoot } from "../../src/merkle";
import { expectCode, leavesFor, TEST_CONTEXT } from "./helpers";

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Every node of every layer, as hex. */
function allNodes(layers: readonly Uint8Array[]): Set<string> {
  const nodes = new Set<string>();
  for (const layer of layers) for (let i = 0; i < layer.length; i += 32) nodes.add(toHex(layer.subarray(i, i + 32)));
  return nodes;
}

/** A tree of `count` leaves, a leaf index in it and that leaf's proof. */
const treeWithIndex = fc
  .record({ count: fc.integer({ min: 2, max: 80 }), seed: fc.nat() })
  .chain(({ count, seed }) =>
    fc.record({ count: fc.constant(count), seed: fc.constant(seed), index: fc.nat({ max: count - 1 }) }),
  );

function setUp({ count, seed, index }: { count: number; seed: number; index: number }) {
  const leaves = leavesFor(count, seed);
  const tree = buildTree(leaves);
  return { leaf: toHex(leaves[index]!), proof: proofOf(tree, index), root: treeRoot(tree), tree };
}

describe("hashPair", () => {
  it("hashes the two nodes in ascending byte order, so the order of the arguments does not matter", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        const [low, high] = Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? [a, b] : [b, a];
        const expected = keccakPackage(Buffer.concat([Buffer.from(low), Buffer.from(high)]));
        expect(toHex(hashPair(a, b))).toBe(`0x${expected.toString("hex")}`);
        expect(hashPair(b, a)).toEqual(hashPair(a, b));
      }),
      { numRuns: 200 },
    );
  });
});

describe("buildTree", () => {
  it("gives the root and proofs of merkletreejs with sortPairs for 1 to 300 leaves", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.nat(), (count, seed) => {
        const leaves = leavesFor(count, seed);
        const tree = buildTree(leaves);
        const buffers = leaves.map((leaf) => Buffer.from(leaf));
        const reference = new ReferenceTree(buffers, keccakPackage, { sortPairs: true });
        const root = treeRoot(tree);
        expect(root).toBe(reference.getHexRoot());
        buffers.forEach((leaf, i) => {
          const proof = proofOf(tree, i);
          expect(proof).toEqual(reference.getHexProof(leaf, i));
          expect(reference.verify(proof, leaf, root)).toBe(true);
          expect(processProof(toHex(leaf), proof)).toBe(root);
        });
      }),
      {
        numRuns: 40,
        examples: [
          [1, 0],
          [2, 0],
          [3, 0],
          [5, 0],
          [128, 0],
          [129, 0],
          [255, 0],
          [256, 0],
          [257, 0],
          [300, 0],
        ],
      },
    );
  });

  it("makes a single leaf its own root, with an empty proof", () => {
    const [leaf] = leavesFor(1);
    const tree = buildTree([leaf!]);
    expect(treeRoot(tree)).toBe(toHex(leaf!));
    expect(proofOf(tree, 0)).toEqual([]);
  });

  it("keeps the leaves in the given order and has ceil(log2 n) + 1 layers", () => {
    const leaves = leavesFor(5);
    const tree = buildTree(leaves);
    expect(tree.leafCount).toBe(5);
    expect(tree.layers.map((layer) => layer.length / 32)).toEqual([5, 3, 2, 1]);
    leaves.forEach((leaf, i) => expect(tree.layers[0]!.subarray(i * 32, i * 32 + 32)).toEqual(leaf));
  });

  it("moves an odd last node up unchanged", () => {
    const leaves = leavesFor(3);
    const tree = buildTree(leaves);
    expect(tree.layers[1]!.subarray(32, 64)).toEqual(leaves[2]);
    expect(treeRoot(tree)).toBe(toHex(hashPair(hashPair(leaves[0]!, leaves[1]!), leaves[2]!)));
  });

  it("rejects a repeated leaf with DUPLICATE_LEAF, naming both positions", () => {
    const leaves = leavesFor(6);
    const error = expectCode(() => buildTree([...leaves, leaves[2]!]), "DUPLICATE_LEAF");
    expect(error.message).toContain("leaves 2 and 6");
    expect(error.message).toContain(toHex(leaves[2]!));
  });

  it("rejects no leaves with INVALID_ARGUMENT", () => {
    expectCode(() => buildTree([]), "INVALID_ARGUMENT");
  });

  it.each([0, 31, 33, 64])("rejects a leaf of %i bytes with INVALID_ARGUMENT, naming its index", (length) => {
    const error = expectCode(() => buildTree([...leavesFor(2), new Uint8Array(length)]), "INVALID_ARGUMENT");
    expect(error.message).toContain("leaf 2");
  });

  it("builds a tree of 100,000 leaves and reads every proof by index", () => {
    const count = 100_000;
    const leaves = Array.from({ length: count }, (_, i) => {
      const leaf = new Uint8Array(32);
      new DataView(leaf.buffer).setUint32(0, i);
      leaf.fill(0xa5, 4);
      return leaf;
    });
    const tree = buildTree(leaves);
    const root = treeRoot(tree);
    const checked = new Set([0, 1, 2, 65_535, 65_536, 99_998, 99_999]);
    for (let i = 0; i < count; i++) {
      const proof = proofOf(tree, i);
      expect(proof.length).toBeGreaterThan(0);
      expect(proof.length).toBeLessThanOrEqual(17);
      if (checked.has(i)) expect(processProof(toHex(leaves[i]!), proof)).toBe(root);
    }
  });
});

describe("treeRoot", () => {
  it("is the single node of the last layer", () => {
    const tree = buildTree(leavesFor(9));
    const last = tree.layers[tree.layers.length - 1]!;
    expect(last.length).toBe(32);
    expect(treeRoot(tree)).toBe(toHex(last));
  });
});

describe("proofOf", () => {
  const tree = buildTree(leavesFor(7));

  it.each([-1, 7, 1.5, Number.NaN, Number.POSITIVE_INFINITY])("rejects the index %s with INVALID_ARGUMENT", (index) => {
    const error = expectCode(() => proofOf(tree, index), "INVALID_ARGUMENT");
    expect(error.message).toContain("outside a tree of 7");
  });

  it("gives one sibling per layer that has one, bottom-up", () => {
    // 7 leaves make layers of 7, 4, 2 and 1 nodes; leaf 6 has no sibling on layer 0 and moves up.
    expect(proofOf(tree, 6)).toEqual([toHex(tree.layers[1]!.subarray(64, 96)), toHex(tree.layers[2]!.subarray(0, 32))]);
    expect(proofOf(tree, 0)).toEqual([
      toHex(tree.layers[0]!.subarray(32, 64)),
      toHex(tree.layers[1]!.subarray(32, 64)),
      toHex(tree.layers[2]!.subarray(32, 64)),
    ]);
  });

  it("gives every leaf its own siblings whatever order proofs are asked in, tree by tree", () => {
    // Proofs share their upper siblings' hex, kept per tree: two trees of one shape must not mix.
    const a = buildTree(leavesFor(1000, 1));
    const b = buildTree(leavesFor(1000, 2));
    const siblings = (tree: typeof a, index: number) => {
      const out: string[] = [];
      for (let level = 0, i = index, n = tree.leafCount; n > 1; level++, i >>= 1, n = Math.ceil(n / 2)) {
        if ((i ^ 1) < n) out.push(toHex(tree.layers[level]!.subarray((i ^ 1) * 32, (i ^ 1) * 32 + 32)));
      }
      return out;
    };
    for (const index of [999, 0, 513, 0, 999, 256]) {
      expect(proofOf(a, index)).toEqual(siblings(a, index));
      expect(proofOf(b, index)).toEqual(siblings(b, index));
      expect(processProof(toHex(a.layers[0]!.subarray(index * 32, index * 32 + 32)), proofOf(a, index))).toBe(
        treeRoot(a),
      );
    }
    expect(proofOf(a, 0)).not.toEqual(proofOf(b, 0));
  });

  it("skips every layer on which the node is alone", () => {
    // 5 leaves make layers of 5, 3, 2 and 1 nodes: leaf 4 is alone on layers 0 and 1.
    const five = buildTree(leavesFor(5));
    expect(proofOf(five, 4)).toEqual([toHex(five.layers[2]!.subarray(0, 32))]);
  });
});

describe("processProof", () => {
  it("leads every leaf's own proof to the root", () => {
    for (const count of [1, 2, 3, 4, 7, 8, 33]) {
      const leaves = leavesFor(count, count);
      const tree = buildTree(leaves);
      leaves.forEach((leaf, i) => expect(processProof(toHex(leaf), proofOf(tree, i))).toBe(treeRoot(tree)));
    }
  });

  it("misses the root when any bit of any proof element is flipped", () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), fc.nat({ max: 255 }), (params, which, bit) => {
        const { leaf, proof, root } = setUp(params);
        fc.pre(proof.length > 0);
        const j = which % proof.length;
        const element = fromHex32(proof[j]!);
        element[bit >> 3]! ^= 1 << (bit & 7);
        const tampered = proof.map((p, k) => (k === j ? toHex(element) : p));
        expect(processProof(leaf, tampered)).not.toBe(root);
      }),
      { numRuns: 300 },
    );
  });

  it("misses the root when two different proof elements swap places", () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), fc.nat(), (params, a, b) => {
        const { leaf, proof, root } = setUp(params);
        fc.pre(proof.length > 1);
        const j = a % proof.length;
        const k = b % proof.length;
        fc.pre(proof[j] !== proof[k]);
        const swapped = [...proof];
        [swapped[j], swapped[k]] = [proof[k]!, proof[j]!];
        expect(processProof(leaf, swapped)).not.toBe(root);
      }),
      { numRuns: 300 },
    );
  });

  it("misses the root when the proof is truncated", () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), (params, cut) => {
        const { leaf, proof, root } = setUp(params);
        fc.pre(proof.length > 0);
        expect(processProof(leaf, proof.slice(0, cut % proof.length))).not.toBe(root);
      }),
      { numRuns: 200 },
    );
  });

  it("misses the root when the proof is extended", () => {
    fc.assert(
      fc.property(
        treeWithIndex,
        fc.array(bytes32, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        (params, extra, before) => {
          const { leaf, proof, root } = setUp(params);
          const more = extra.map(toHex);
          expect(processProof(leaf, before ? [...more, ...proof] : [...proof, ...more])).not.toBe(root);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("misses the root for a leaf presented with another leaf's proof", () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), (params, other) => {
        const { proof, root, tree } = setUp(params);
        const j = other % tree.leafCount;
        fc.pre(j !== params.index);
        expect(processProof(toHex(tree.layers[0]!.subarray(j * 32, j * 32 + 32)), proof)).not.toBe(root);
      }),
      { numRuns: 200 },
    );
  });

  it("reaches the root from an internal node with the rest of a proof, which is why leaves come from digests", () => {
    fc.assert(
      fc.property(treeWithIndex, fc.nat(), (params, levelPick) => {
        const { proof, root, tree } = setUp(params);
        // The node above leaf `index` on `level` (1 ≤ level < top), and the proof elements above that level.
        const top = tree.layers.length - 1;
        fc.pre(top > 1);
        const level = 1 + (levelPick % (top - 1));
        const position = params.index >> level;
        const internal = toHex(tree.layers[level]!.subarray(position * 32, position * 32 + 32));
        const used = countSiblingsBelow(params.count, params.index, level);
        const suffix = proof.slice(used);
        // Plain processProof cannot tell an internal node from a leaf…
        expect(processProof(internal, suffix)).toBe(root);
        // …but a leaf is derived from a digest (leafOf), and the leaf derived from that node is no node of the tree.
        const derived = toHex(leafOf(TEST_CONTEXT, fromHex32(internal)));
        expect(allNodes(tree.layers).has(derived)).toBe(false);
        expect(processProof(derived, suffix)).not.toBe(root);
      }),
      { numRuns: 200 },
    );
  });

  it("rejects a proof element that is not 32 bytes of hex with INVALID_ARGUMENT", () => {
    const leaf = toHex(keccak256(new Uint8Array(1)));
    expectCode(() => processProof(leaf, ["0x1234"]), "INVALID_ARGUMENT");
  });
});

/** How many proof elements lie below `level` for leaf `index` of a tree of `count` leaves. */
function countSiblingsBelow(count: number, index: number, level: number): number {
  let used = 0;
  for (let l = 0, i = index, n = count; l < level; l++, i >>= 1, n = Math.ceil(n / 2)) if ((i ^ 1) < n) used++;
  return used;
}
