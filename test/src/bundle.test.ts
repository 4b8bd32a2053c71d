import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  assembleBundle,
  type Bundle,
  bundlePath,
  bundleRoot,
  createBundle,
  discloseBundle,
  openBundle,
  parseBundle,
} from "../../src/bundle";
import { type AnchorContext, digestOfOpening, saltOf, valueHash } from "../../src/commit";
import { parseCredential } from "../../src/credential";
import { joinBase64url, toBase64url } from "../../src/encoding";
import { keccak256, toHex, utf8Bytes } from "../../src/hash";
import { prepareBatch } from "../../src/batch";
import { processProof, proofOf } from "../../src/merkle";
import { flatten, type JsonValue } from "../../src/pointer";
import { TEST_ANCHOR, TEST_CONTEXT } from "./helpers";
import { batch, bundle, committed, credential, type Loose, pointers, rebuilt, secret } from "./bundle-fixture";

describe("createBundle", () => {
  it("builds a version-2 bundle: anchor, nested values, the secret, the root and the path as base64url", () => {
    expect(Object.keys(bundle)).toEqual(["type", "version", "anchor", "credential", "secret", "root", "proof"]);
    expect(bundle.type).toBe("credroot/bundle");
    expect(bundle.version).toBe(2);
    expect(bundle.anchor).toEqual(TEST_ANCHOR);
    expect(bundle.credential).toEqual(credential);
    expect(bundle.secret).toBe(committed.secret);
    expect(bundlePath(bundle)).toEqual(proofOf(batch.tree, 0));
    expect(bundle.proof).toBe(joinBase64url(proofOf(batch.tree, 0).map((h) => Buffer.from(h.slice(2), "hex"))));
    expect(bundle.root).toBe(toBase64url(Buffer.from(batch.root.slice(2), "hex")));
    expect(bundleRoot(bundle)).toBe(batch.root);
    expect(rebuilt(bundle)).toEqual({ digest: committed.digest, leaf: committed.leaf, root: batch.root });
  });

  it("carries no leaf, digest or transaction hash: the verifier derives the leaf itself", () => {
    expect(Object.keys(bundle.anchor)).toEqual(["chainId", "registry", "issuerId", "batchId", "block"]);
    const text = JSON.stringify(bundle);
    for (const hash of [committed.leaf, committed.digest]) {
      expect(text).not.toContain(hash.slice(2));
      expect(text).not.toContain(toBase64url(Buffer.from(hash.slice(2), "hex")));
    }
  });

  it("writes the registry in lowercase, the only form a bundle may carry", () => {
    const upper = { ...TEST_ANCHOR, registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
    expect(createBundle(committed, { path: [], root: committed.leaf }, upper).anchor.registry).toBe(
      TEST_CONTEXT.registry,
    );
  });

  it("copies the values, path and anchor instead of sharing them", () => {
    const path = proofOf(batch.tree, 1);
    const anchor = { ...TEST_ANCHOR };
    const built = createBundle(batch.credentials[1]!, { path, root: batch.root }, anchor);
    path.push(toHex(keccak256(utf8Bytes("extra"))));
    anchor.block = 99;
    (built.credential.learner as Loose).name = "Someone else";
    expect(bundlePath(built)).toHaveLength(path.length - 1);
    expect(built.anchor.block).toBe(TEST_ANCHOR.block);
    expect((batch.credentials[1]!.credential.learner as Loose).name).toBe(sampleCredential(3).learner.name);
  });
});

describe("assembleBundle", () => {
  it("builds what createBundle builds from the same values, taking the parts as given", () => {
    const path = proofOf(batch.tree, 1);
    const values = structuredClone(batch.credentials[1]!.credential);
    const parts = {
      credential: values,
      secret: batch.credentials[1]!.secret,
      root: toBase64url(Buffer.from(batch.root.slice(2), "hex")),
      proof: Buffer.from(path.map((h) => h.slice(2)).join(""), "hex").toString("base64url"),
    };
    const upper = { ...TEST_ANCHOR, registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
    const assembled = assembleBundle(parts, upper);
    expect(JSON.stringify(assembled)).toBe(
      JSON.stringify(createBundle(batch.credentials[1]!, { path, root: batch.root }, upper)),
    );
    expect(assembled.credential).toBe(values); // uncopied: the caller owns it
    expect(assembled.anchor).not.toBe(upper);
    expect(rebuilt(assembled)).toEqual({
      digest: batch.credentials[1]!.digest,
      leaf: batch.credentials[1]!.leaf,
      root: batch.root,
    });
  });
});

describe("bundle integrity", () => {
  it("cannot present an internal node as its leaf: the leaf is derived from the fields", () => {
    // The node above leaves 0 and 1, with the rest of leaf 0's path, reaches the root…
    const internal = toHex(batch.tree.layers[1]!.subarray(0, 32));
    const suffix = bundlePath(bundle).slice(1);
    expect(processProof(internal, suffix)).toBe(batch.root);
    // …but a bundle carries no leaf: the verifier derives it from the digest, and that misses.
    const forged = { ...bundle, proof: joinBase64url(suffix.map((h) => Buffer.from(h.slice(2), "hex"))) };
    expect(rebuilt(forged).leaf).toBe(committed.leaf);
    expect(rebuilt(forged).root).not.toBe(batch.root);
  });

  it("changes the digest when any disclosed value is changed", () => {
    fc.assert(
      fc.property(fc.constantFrom(...pointers), fc.string({ minLength: 1, maxLength: 10 }), (pointer, value) => {
        const opening = openBundle(bundle);
        const field = opening.shown.get(pointer)!;
        fc.pre(JSON.stringify(field.value) !== JSON.stringify(value));
        const shown = new Map(opening.shown).set(pointer, { ...field, value });
        expect(toHex(digestOfOpening({ shown, hidden: opening.hidden }))).not.toBe(committed.digest);
      }),
      { numRuns: 100 },
    );
  });

  // Issue 11: the leaf commits to chain, registry, issuer and batch, so a copy that names another
  // anchor (another issuer re-anchoring the leaf, the same issuer under a new batch) has another leaf.
  it.each([
    ["chainId", 1],
    ["registry", `0x${"12".repeat(20)}`],
    ["issuerId", 2],
    ["batchId", "00000000-0000-4000-8000-000000000009"],
  ] as const)("derives another leaf when anchor.%s is edited", (key, value) => {
    const moved: Bundle = { ...bundle, anchor: { ...bundle.anchor, [key]: value } };
    expect(rebuilt(moved).digest).toBe(committed.digest);
    expect(rebuilt(moved).leaf).not.toBe(committed.leaf);
  });

  it("keeps the leaf when only anchor.block, a locator, is edited", () => {
    expect(rebuilt({ ...bundle, anchor: { ...bundle.anchor, block: 123_456 } }).leaf).toBe(committed.leaf);
  });

  // Regression: a hidden field's hash was once not bound to its pointer, so a holder could drop
  // /validUntil, file its hash under another name, and escape expiry.
  it("does not verify a bundle whose /validUntil was re-filed as a hidden field under another name", () => {
    const shared = discloseBundle(bundle, ["learner.email"]);
    const hash = toBase64url(valueHash(saltOf(secret, "/validUntil"), "2031-06-30"));
    const { validUntil: _dropped, ...rest } = shared.credential;
    const shownPointers = [...flatten(rest).keys()].sort();
    const forged: Bundle = {
      ...shared,
      credential: rest,
      salts: joinBase64url(shownPointers.map((p) => saltOf(secret, p))),
      hidden: { ...shared.hidden, "/note": hash },
    };
    expect(rebuilt(parseBundle(JSON.stringify(forged))).digest).not.toBe(committed.digest);
  });
});

describe("bundle size (issue 11, item 9)", () => {
  it("fits the full bundle of the sample credential with a 20-level path in 2,500 bytes, a disclosed copy in one QR code (2,331 bytes)", () => {
    // The longest sample title (i ≡ 0 mod 4) and the longest learner name and number of a batch of 1,000,000.
    const index = 999_996;
    const sample = parseCredential(sampleCredential(index));
    const fields = flatten(sample as unknown as { [key: string]: JsonValue }).size;
    const context: AnchorContext = { ...TEST_CONTEXT, batchId: "e3b0c442-98fc-4c14-9afb-f4c8996fb924" };
    const [one] = prepareBatch([sample], context).credentials;
    const path = Array.from({ length: 20 }, (_, i) => toHex(keccak256(utf8Bytes(`sibling ${i}`))));
    const root = processProof(one!.leaf, path);
    const full = createBundle(one!, { path, root }, { ...context, block: 21_000_000 });
    const everyField = discloseBundle(full, []);
    const hidden = discloseBundle(full, ["learner.email", "assessment.grade"]);
    const sizes = [full, everyField, hidden].map((b) => {
      expect(rebuilt(parseBundle(JSON.stringify(b))).root).toBe(root);
      return Buffer.byteLength(JSON.stringify(b));
    });
    console.log(
      `bundle size | sample credential ${index}, ${fields} fields, 20-level path | ` +
        `full ${sizes[0]} B | disclosed, every field shown ${sizes[1]} B | ` +
        `disclosed, learner.email and assessment.grade hidden ${sizes[2]} B`,
    );
    expect(sizes[0]).toBeLessThanOrEqual(2_500);
    expect(sizes[1]).toBeLessThanOrEqual(2_331);
    expect(sizes[2]).toBeLessThanOrEqual(2_331);
  });
});
