import { describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { bundlePath, openBundle, parseBundle } from "../../src/bundle";
import { type AnchorContext, commitCredential, digestOfOpening, leafOf } from "../../src/commit";
import { parseCredential } from "../../src/credential";
import { toHex } from "../../src/hash";
import { assembleBatch, bundleFor, prepareBatch } from "../../src/batch";
import { processProof, proofOf, treeRoot } from "../../src/merkle";
import { detailPaths, expectCode, secretSequence, TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

type Loose = Record<string, unknown>;

const samples = Array.from({ length: 50 }, (_, i) => sampleCredential(i));

/** Sample `i` as a plain mutable record, for breaking it on purpose. */
function loose(i: number): Loose {
  return structuredClone(sampleCredential(i)) as unknown as Loose;
}

describe("prepareBatch", () => {
  const batch = prepareBatch(samples, TEST_CONTEXT);

  it("commits every credential for the context and counts them", () => {
    expect(batch.context).toEqual(TEST_CONTEXT);
    expect(batch.count).toBe(50);
    expect(batch.credentials).toHaveLength(50);
    expect(batch.tree.leafCount).toBe(50);
    expect(batch.root).toBe(treeRoot(batch.tree));
  });

  it("keeps the credentials in input order", () => {
    batch.credentials.forEach((c, i) => expect(c.credential.id).toBe(samples[i]!.id));
  });

  it("gives every credential the leaf of its digest at the context, and a proof to the root", () => {
    batch.credentials.forEach((c, i) => {
      expect(toHex(leafOf(TEST_CONTEXT, Buffer.from(c.digest.slice(2), "hex")))).toBe(c.leaf);
      expect(processProof(c.leaf, proofOf(batch.tree, i))).toBe(batch.root);
    });
  });

  it("gives the same root for the same rows, context and secrets, and another root for another batch id", () => {
    const a = prepareBatch(samples.slice(0, 5), TEST_CONTEXT, { secret: secretSequence("issue") });
    const b = prepareBatch(structuredClone(samples.slice(0, 5)), TEST_CONTEXT, { secret: secretSequence("issue") });
    expect(b.root).toBe(a.root);
    const other: AnchorContext = { ...TEST_CONTEXT, batchId: "00000000-0000-4000-8000-000000000001" };
    const c = prepareBatch(samples.slice(0, 5), other, { secret: secretSequence("issue") });
    expect(c.root).not.toBe(a.root);
    // Same secrets, so same digests: only the leaves, which name the batch, differ.
    expect(c.credentials.map((x) => x.digest)).toEqual(a.credentials.map((x) => x.digest));
  });

  it("commits the normalised credential: validUntil in UTC with milliseconds", () => {
    const prepared = prepareBatch([sampleCredential(0, { validUntil: "2031-06-30T23:59:59+02:00" })], TEST_CONTEXT);
    expect(prepared.credentials[0]!.credential.validUntil).toBe("2031-06-30T21:59:59.000Z");
  });

  it("accepts the same credential twice, since random secrets give it two leaves", () => {
    const twice = prepareBatch([samples[0], samples[0]], TEST_CONTEXT);
    expect(twice.count).toBe(2);
    expect(twice.credentials[0]!.leaf).not.toBe(twice.credentials[1]!.leaf);
  });

  it("rejects the same credential twice with DUPLICATE_LEAF when the secret source repeats itself", () => {
    const constant = new Uint8Array(16).fill(9);
    expectCode(
      () => prepareBatch([samples[0], samples[1], samples[0]], TEST_CONTEXT, { secret: () => constant }),
      "DUPLICATE_LEAF",
    );
  });

  it("reports every bad row in one INVALID_CREDENTIAL error, paths prefixed by the row index, and commits nothing", () => {
    const rows: unknown[] = samples.slice(0, 12).map((s) => structuredClone(s));
    const row3 = loose(3);
    delete (row3.learner as Loose).name;
    rows[3] = row3;
    rows[7] = { ...loose(7), eqfLevel: 9, participation: "remote" };
    rows[10] = null;
    const secret = vi.fn(secretSequence("never"));
    const onProgress = vi.fn();
    const error = expectCode(() => prepareBatch(rows, TEST_CONTEXT, { secret, onProgress }), "INVALID_CREDENTIAL");
    expect(detailPaths(error).sort()).toEqual(["/10", "/3/learner/name", "/7/eqfLevel", "/7/participation"]);
    expect(error.message).toBe("3 of 12 credentials are invalid");
    expect(secret).not.toHaveBeenCalled();
    expect(onProgress).not.toHaveBeenCalled();
  });

  // Issue 11: a title with a lone surrogate was anchored and verified, though no strict RFC 8785
  // implementation can reproduce its leaf.
  it("refuses a row with a lone surrogate with INVALID_CREDENTIAL, naming row and field", () => {
    const rows = [samples[0], sampleCredential(1, { title: "Data\ud800" }), samples[2]];
    const error = expectCode(() => prepareBatch(rows, TEST_CONTEXT), "INVALID_CREDENTIAL");
    expect(error.details).toEqual([{ path: "/1/title", message: "contains a lone surrogate (not Unicode text)" }]);
    expect(error.message).toBe("1 of 3 credentials are invalid");
  });

  // Issue 11: forms every verifier read as NaN ("expired" forever) are refused at issuance.
  it.each(["2031-06-30T23:59:59+01", "2031-06-30T23:59:60Z", "2031-06-30T23:59:60z"])(
    "refuses validUntil %s with INVALID_CREDENTIAL, naming row and field",
    (validUntil) => {
      const error = expectCode(
        () => prepareBatch([samples[0], sampleCredential(1, { validUntil })], TEST_CONTEXT),
        "INVALID_CREDENTIAL",
      );
      expect(detailPaths(error)).toEqual(["/1/validUntil"]);
      expect(error.details[0]!.message).toContain("a date-time with a time zone (2031-06-30T23:59:59Z");
    },
  );

  it("prefixes a bad row 0 with /0, not with an empty index", () => {
    const error = expectCode(
      () => prepareBatch([{ ...loose(0), workload: {} }, samples[1]], TEST_CONTEXT),
      "INVALID_CREDENTIAL",
    );
    expect(detailPaths(error)).toEqual(["/0/workload"]);
    expect(error.message).toBe("1 of 2 credentials are invalid");
  });

  it("rejects an empty batch with INVALID_ARGUMENT", () => {
    expectCode(() => prepareBatch([], TEST_CONTEXT), "INVALID_ARGUMENT");
    expectCode(() => assembleBatch(TEST_CONTEXT, []), "INVALID_ARGUMENT");
  });

  it("rejects a bad context with INVALID_ARGUMENT", () => {
    expectCode(() => prepareBatch([samples[0]], { ...TEST_CONTEXT, batchId: "not-a-uuid" }), "INVALID_ARGUMENT");
    expectCode(() => prepareBatch([samples[0]], { ...TEST_CONTEXT, issuerId: 0 }), "INVALID_ARGUMENT");
  });

  it("reports progress once per credential, counting up to the total", () => {
    const onProgress = vi.fn();
    const prepared = prepareBatch(samples.slice(0, 7), TEST_CONTEXT, { onProgress });
    expect(onProgress).toHaveBeenCalledTimes(prepared.count);
    expect(onProgress.mock.calls).toEqual([1, 2, 3, 4, 5, 6, 7].map((done) => [done, 7]));
  });
});

describe("assembleBatch", () => {
  it("builds the same batch from credentials committed one by one", () => {
    const secret = secretSequence("assemble");
    const committed = samples.slice(0, 9).map((s) => commitCredential(parseCredential(s), TEST_CONTEXT, { secret }));
    const prepared = prepareBatch(samples.slice(0, 9), TEST_CONTEXT, { secret: secretSequence("assemble") });
    const assembled = assembleBatch(TEST_CONTEXT, committed);
    expect(assembled.root).toBe(prepared.root);
    expect(assembled.credentials).toEqual(prepared.credentials);
  });
});

describe("bundleFor", () => {
  const batch = prepareBatch(samples, TEST_CONTEXT, { secret: secretSequence("bundleFor") });

  it("gives bundles whose fields rebuild the leaf and whose path reaches the root, for all 50 credentials", () => {
    for (let i = 0; i < batch.count; i++) {
      const bundle = bundleFor(batch, i, 7);
      const leaf = toHex(leafOf(bundle.anchor, digestOfOpening(openBundle(bundle))));
      expect(leaf).toBe(batch.credentials[i]!.leaf);
      expect(processProof(leaf, bundlePath(bundle))).toBe(batch.root);
    }
  });

  it("gives bundles that parse as version 2 and carry the context and block, the secret and the values", () => {
    const bundle = bundleFor(batch, 17, TEST_ANCHOR.block);
    expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
    expect(bundle.version).toBe(2);
    expect(bundle.anchor).toEqual(TEST_ANCHOR);
    expect(bundle.secret).toBe(batch.credentials[17]!.secret);
    expect(bundle.credential).toEqual(batch.credentials[17]!.credential);
    expect(bundle).not.toHaveProperty("salts");
    expect(bundle).not.toHaveProperty("hidden");
  });

  it("gives a copy of the values: changing a bundle changes neither the batch nor the next bundle", () => {
    const before = structuredClone(batch.credentials[3]!.credential);
    const bundle = bundleFor(batch, 3, 7) as unknown as { credential: Loose & { learner: Loose; skills: string[] } };
    bundle.credential.learner.name = "Mallory";
    bundle.credential.skills.push("http://example.org/forged");
    bundle.credential.title = "Forged";
    expect(batch.credentials[3]!.credential).toEqual(before);
    expect(bundleFor(batch, 3, 7).credential).toEqual(before);
  });

  it.each([-1, 50, 1.5, Number.NaN])("rejects the index %s with INVALID_ARGUMENT", (index) => {
    const error = expectCode(() => bundleFor(batch, index, 7), "INVALID_ARGUMENT");
    expect(error.message).toContain(`no credential ${index}`);
  });
});
