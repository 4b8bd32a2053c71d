import { describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { parseBundle } from "../../src/bundle";
import { digestOfFields, leafOf } from "../../src/commit";
import { toHex } from "../../src/hash";
import { processProof, proofOf, treeRoot } from "../../src/merkle";
import { bundleFor, prepareBatch } from "../../src/issue";
import { detailPaths, expectCode, saltSequence, TEST_ANCHOR } from "./helpers";

type Loose = Record<string, unknown>;

const samples = Array.from({ length: 50 }, (_, i) => sampleCredential(i));

/** Sample `i` as a plain mutable record, for breaking it on purpose. */
function loose(i: number): Loose {
  return structuredClone(sampleCredential(i)) as unknown as Loose;
}

describe("prepareBatch", () => {
  const batch = prepareBatch(samples);

  it("commits every credential and counts them", () => {
    expect(batch.count).toBe(50);
    expect(batch.credentials).toHaveLength(50);
    expect(batch.tree.leafCount).toBe(50);
    expect(batch.root).toBe(treeRoot(batch.tree));
  });

  it("keeps the credentials in input order", () => {
    batch.credentials.forEach((c, i) => expect(c.fields["/id"]!.value).toBe(samples[i]!.id));
  });

  it("gives every credential a leaf that its fields recompute and its proof leads to the root", () => {
    batch.credentials.forEach((c, i) => {
      expect(toHex(leafOf(digestOfFields(c.fields)))).toBe(c.leaf);
      expect(processProof(c.leaf, proofOf(batch.tree, i))).toBe(batch.root);
    });
  });

  it("gives the same root for the same rows and the same salts", () => {
    const a = prepareBatch(samples.slice(0, 5), { salt: saltSequence("issue") });
    const b = prepareBatch(structuredClone(samples.slice(0, 5)), { salt: saltSequence("issue") });
    expect(b.root).toBe(a.root);
  });

  it("accepts the same credential twice, since random salts give it two leaves", () => {
    const twice = prepareBatch([samples[0], samples[0]]);
    expect(twice.count).toBe(2);
    expect(twice.credentials[0]!.leaf).not.toBe(twice.credentials[1]!.leaf);
  });

  it("rejects the same credential twice with DUPLICATE_LEAF when the salt source repeats itself", () => {
    const constant = new Uint8Array(32).fill(9);
    expectCode(() => prepareBatch([samples[0], samples[1], samples[0]], { salt: () => constant }), "DUPLICATE_LEAF");
  });

  it("reports every bad row in one INVALID_CREDENTIAL error, paths prefixed by the row index, and commits nothing", () => {
    const rows: unknown[] = samples.slice(0, 12).map((s) => structuredClone(s));
    const row3 = loose(3);
    delete (row3.learner as Loose).name;
    rows[3] = row3;
    rows[7] = { ...loose(7), eqfLevel: 9, participation: "remote" };
    rows[10] = null;
    const salt = vi.fn(saltSequence("never"));
    const onProgress = vi.fn();
    const error = expectCode(() => prepareBatch(rows, { salt, onProgress }), "INVALID_CREDENTIAL");
    expect(detailPaths(error).sort()).toEqual(["/10", "/3/learner/name", "/7/eqfLevel", "/7/participation"]);
    expect(error.message).toBe("3 of 12 credentials are invalid");
    expect(salt).not.toHaveBeenCalled();
    expect(onProgress).not.toHaveBeenCalled();
  });

  it("prefixes a bad row 0 with /0, not with an empty index", () => {
    const error = expectCode(() => prepareBatch([{ ...loose(0), workload: {} }, samples[1]]), "INVALID_CREDENTIAL");
    expect(detailPaths(error)).toEqual(["/0/workload"]);
    expect(error.message).toBe("1 of 2 credentials are invalid");
  });

  it("rejects an empty batch with INVALID_ARGUMENT", () => {
    expectCode(() => prepareBatch([]), "INVALID_ARGUMENT");
  });

  it("reports progress once per credential, counting up to the total", () => {
    const onProgress = vi.fn();
    const prepared = prepareBatch(samples.slice(0, 7), { onProgress });
    expect(onProgress).toHaveBeenCalledTimes(prepared.count);
    expect(onProgress.mock.calls).toEqual([1, 2, 3, 4, 5, 6, 7].map((done) => [done, 7]));
  });
});

describe("bundleFor", () => {
  const batch = prepareBatch(samples, { salt: saltSequence("bundleFor") });

  it("gives bundles whose leaf and proof reach the batch root, for all 50 credentials", () => {
    for (let i = 0; i < batch.count; i++) {
      const bundle = bundleFor(batch, i, TEST_ANCHOR);
      expect(bundle.proof.leaf).toBe(batch.credentials[i]!.leaf);
      expect(bundle.proof.root).toBe(batch.root);
      expect(processProof(bundle.proof.leaf, bundle.proof.path)).toBe(batch.root);
      expect(toHex(leafOf(digestOfFields(bundle.credential.fields)))).toBe(bundle.proof.leaf);
    }
  });

  it("gives bundles that parse as version 1 and carry the anchor", () => {
    const bundle = bundleFor(batch, 17, TEST_ANCHOR);
    expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
    expect(bundle.anchor).toEqual(TEST_ANCHOR);
  });

  it.each([-1, 50, 1.5, Number.NaN])("rejects the index %s with INVALID_ARGUMENT", (index) => {
    const error = expectCode(() => bundleFor(batch, index, TEST_ANCHOR), "INVALID_ARGUMENT");
    expect(error.message).toContain(`no credential ${index}`);
  });
});
