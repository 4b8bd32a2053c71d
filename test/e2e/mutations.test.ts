import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, bundleFor, type Hex32, isCredrootError, prepareBatch, toHex, verifyBundle } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../support/registry";

type Mutation = (bundle: Bundle) => void;

const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));

/** Flips one nibble of a 32-byte hex string, at `at` (0..63). */
function flip(hex: Hex32, at: number): Hex32 {
  const i = 2 + (at % 64);
  const nibble = Number.parseInt(hex[i]!, 16) ^ (1 + (at % 15));
  return `${hex.slice(0, i)}${nibble.toString(16)}${hex.slice(i + 1)}` as Hex32;
}

describe("a verified bundle, mutated (property, against the chain)", () => {
  let fx: RegistryFixture;
  let bundle: Bundle;
  let otherRoot: Hex32;
  let internalNodes: Hex32[];

  beforeAll(async () => {
    fx = await startRegistry();
    const batch = prepareBatch(Array.from({ length: 64 }, (_, i) => sampleCredential(i)));
    const other = prepareBatch([sampleCredential(100), sampleCredential(101)]);
    const r = await fx.issuer.anchor(batch.root, batch.count);
    await fx.issuer.anchor(other.root, other.count);
    bundle = bundleFor(batch, 5, {
      chainId: fx.chain.chainId,
      registry: fx.registry,
      issuerId: fx.issuerId,
      txHash: r.txHash,
      blockNumber: r.blockNumber,
    });
    otherRoot = other.root;
    internalNodes = batch.tree.layers.slice(1, -1).flatMap((layer) => {
      const nodes: Hex32[] = [];
      for (let i = 0; i < layer.length; i += 32) nodes.push(toHex(layer.subarray(i, i + 32)));
      return nodes;
    });
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("verifies unmutated", async () => {
    expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("valid");
  });

  const pointer = (b: Bundle, k: number) => {
    const pointers = Object.keys(b.credential.fields);
    return pointers[k % pointers.length]!;
  };

  const mutations: fc.Arbitrary<Mutation> = fc.oneof(
    fc.tuple(fc.nat(), fc.nat(63)).map(([k, at]): Mutation => (b) => {
      const field = b.credential.fields[pointer(b, k)]!;
      if ("salt" in field) field.salt = flip(field.salt, at);
      else field.hash = flip(field.hash, at);
    }),
    fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })).map(([k, value]): Mutation => (b) => {
      const p = pointer(b, k);
      const field = b.credential.fields[p]!;
      const current = "value" in field ? JSON.stringify(field.value) : "";
      b.credential.fields[p] = {
        salt: "salt" in field ? field.salt : toHex(new Uint8Array(32)),
        value: JSON.stringify(value) === current ? [value as never, 1] : (value as never),
      };
    }),
    fc.nat().map((k): Mutation => (b) => {
      const { [pointer(b, k)]: _removed, ...rest } = b.credential.fields;
      b.credential.fields = rest;
      if (Object.keys(b.credential.fields).length === 0)
        b.credential.fields["/x"] = { hash: toHex(new Uint8Array(32)) };
    }),
    hex32.map((hash): Mutation => (b) => {
      b.credential.fields["/extra"] = { hash };
    }),
    fc.tuple(fc.nat(), fc.nat(63)).map(([k, at]): Mutation => (b) => {
      if (b.proof.path.length === 0) return;
      const i = k % b.proof.path.length;
      b.proof.path[i] = flip(b.proof.path[i]!, at);
    }),
    fc.nat(63).map((at): Mutation => (b) => {
      b.proof.leaf = flip(b.proof.leaf, at);
    }),
    fc.nat(63).map((at): Mutation => (b) => {
      b.proof.root = flip(b.proof.root, at);
    }),
    fc.tuple(fc.nat(), fc.nat()).map(([i, j]): Mutation => (b) => {
      const n = b.proof.path.length;
      if (n < 2) return;
      const [a, c] = [i % n, (i % n === j % n ? j + 1 : j) % n];
      [b.proof.path[a], b.proof.path[c]] = [b.proof.path[c]!, b.proof.path[a]!];
    }),
    fc.integer({ min: 1, max: 6 }).map((k): Mutation => (b) => {
      b.proof.path = b.proof.path.slice(0, -k);
    }),
    fc.array(hex32, { minLength: 1, maxLength: 3 }).map((extra): Mutation => (b) => {
      b.proof.path.push(...extra);
    }),
    fc.constant<Mutation>((b) => {
      b.proof.root = otherRoot;
    }),
    fc.nat().map((k): Mutation => (b) => {
      // An internal node offered as the leaf, with the proof suffix that leads from it to the root.
      if (b.proof.path.length < 2) return;
      const node = internalNodes[k % internalNodes.length]!;
      b.proof.leaf = node;
      b.proof.path = b.proof.path.slice(1 + (k % (b.proof.path.length - 1)));
    }),
    fc.integer({ min: 1, max: 2 ** 40 }).map((chainId): Mutation => (b) => {
      b.anchor.chainId = chainId === fx.chain.chainId ? chainId + 1 : chainId;
    }),
    fc.constant<Mutation>((b) => {
      b.anchor.registry = "0x000000000000000000000000000000000000dEaD";
    }),
    fc.integer({ min: 2, max: 1000 }).map((issuerId): Mutation => (b) => {
      b.anchor.issuerId = issuerId;
    }),
  );

  it("is never valid after one or more mutations, and never crashes", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(mutations, { minLength: 1, maxLength: 3 }), async (chosen) => {
        runs += 1;
        const copy = structuredClone(bundle);
        for (const mutate of chosen) mutate(copy);
        if (JSON.stringify(copy) === JSON.stringify(bundle)) return; // a no-op combination
        try {
          const result = await verifyBundle(copy, { chains: fx.trusted });
          expect(result.verdict).not.toBe("valid");
        } catch (error) {
          expect(isCredrootError(error, "INVALID_BUNDLE")).toBe(true);
        }
      }),
      { numRuns: 600 },
    );
    expect(runs).toBeGreaterThanOrEqual(600);
  });
});
