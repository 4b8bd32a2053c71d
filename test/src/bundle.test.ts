import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  bundlePath,
  bundleRoot,
  createBundle,
  disclosedCredential,
  discloseBundle,
  MAX_BUNDLE_TEXT,
  openBundle,
  parseBundle,
} from "../../src/bundle";
import { type AnchorContext, digestOfOpening, leafOf, saltOf, valueHash } from "../../src/commit";
import { parseCredential } from "../../src/credential";
import { batchIdToBytes16, fromBase64url, joinBase64url, toBase64url } from "../../src/encoding";
import { type Hex32, keccak256, toHex, utf8Bytes } from "../../src/hash";
import { bundleFor, prepareBatch } from "../../src/batch";
import { processProof, proofOf } from "../../src/merkle";
import { flatten, type JsonValue } from "../../src/pointer";
import { detailPaths, expectCode, secretSequence, TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

type Loose = Record<string, unknown>;

const credential = parseCredential(
  sampleCredential(2, {
    validUntil: "2031-06-30",
    learner: { name: "Chiara Rossi", identifier: "S100002", email: "chiara@example.org", dateOfBirth: "2002-03-04" },
  }),
);
const batch = prepareBatch([credential, sampleCredential(3), sampleCredential(4)], TEST_CONTEXT, {
  secret: secretSequence("bundle"),
});
const committed = batch.credentials[0]!;
const bundle = bundleFor(batch, 0, TEST_ANCHOR.block);
const secret = fromBase64url(bundle.secret!);
const pointers = [...flatten(bundle.credential).keys()];
/** Pointers a holder may hide in `bundle`. */
const hideable = pointers.filter((p) => !ALWAYS_DISCLOSED.includes(p));

/** A deep copy of `bundle` as a plain record, for breaking it on purpose. */
function loose(b: Bundle = bundle): Loose {
  return structuredClone(b) as unknown as Loose;
}

function part(record: Loose, key: string): Loose {
  return record[key] as Loose;
}

function expectInvalidBundle(input: unknown, path?: string, message?: string): void {
  const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
  if (path !== undefined) expect(detailPaths(error)).toContain(path);
  if (message !== undefined) expect(error.message).toContain(message);
}

/** The digest a verifier rebuilds from `b`, the leaf of that digest at `b`'s anchor, and the root its path leads to. */
function rebuilt(b: Bundle): { digest: Hex32; leaf: Hex32; root: Hex32 } {
  const digest = digestOfOpening(openBundle(b));
  const leaf = toHex(leafOf(b.anchor, digest));
  return { digest: toHex(digest), leaf, root: processProof(leaf, bundlePath(b)) };
}

/** `value` wrapped in `depth` arrays. */
function nested(depth: number): JsonValue {
  let value: JsonValue = "core";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

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

describe("parseBundle", () => {
  it("returns a valid bundle unchanged, from a value or from its JSON text", () => {
    expect(parseBundle(structuredClone(bundle))).toEqual(bundle);
    expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
    expect(parseBundle(JSON.stringify(bundle, null, 2))).toEqual(bundle);
  });

  it("rejects text that is not JSON with INVALID_BUNDLE, keeping the parse error as cause", () => {
    const error = expectCode(() => parseBundle("{ not json"), "INVALID_BUNDLE");
    expect(error.message).toContain("not JSON");
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([null, 42, "42", [], "[]"])("rejects %j, which is no object", (input) => {
    expectInvalidBundle(input, "/");
  });

  it("rejects another type, naming /type", () => {
    expectInvalidBundle({ ...loose(), type: "openattestation/bundle" }, "/type");
  });

  it.each([0, 3, "2"])("rejects version %j, naming /version", (version) => {
    expectInvalidBundle({ ...loose(), version }, "/version");
  });

  it.each(["signature", "leaf", "digest", "txHash"])("rejects an extra top-level property %s, naming it", (key) => {
    expectInvalidBundle({ ...loose(), [key]: committed.leaf }, `/${key}`, "is not a known field");
  });

  it.each(["txHash", "blockNumber", "leaf"])("rejects an extra anchor property %s, naming it", (key) => {
    const input = loose();
    part(input, "anchor")[key] = 1;
    expectInvalidBundle(input, `/anchor/${key}`);
  });

  it.each(["type", "version", "anchor", "credential", "root", "proof"])(
    "rejects a bundle without %s, naming /%s",
    (key) => {
      const input = loose();
      Reflect.deleteProperty(input, key);
      expectInvalidBundle(input, `/${key}`);
    },
  );

  it.each(["chainId", "registry", "issuerId", "batchId", "block"])(
    "rejects an anchor without %s, naming /anchor/%s",
    (key) => {
      const input = loose();
      Reflect.deleteProperty(part(input, "anchor"), key);
      expectInvalidBundle(input, `/anchor/${key}`);
    },
  );

  it.each([
    ["chainId", 0],
    ["chainId", -1],
    ["chainId", 1.5],
    ["chainId", "31337"],
    ["chainId", 2 ** 53],
    ["issuerId", 0],
    ["issuerId", 2.5],
    ["block", -1],
    ["registry", "0x1234"],
    // Hex case rule: a bundle writes the registry in lowercase, batch ids as lowercase UUIDs.
    ["registry", "0x5FbDB2315678afecb367f032d93F642f64180aa3"],
    ["batchId", TEST_CONTEXT.batchId.toUpperCase()],
    ["batchId", batchIdToBytes16(TEST_CONTEXT.batchId)],
    ["batchId", TEST_CONTEXT.batchId.replace(/-/g, "")],
  ])("rejects anchor.%s = %j, naming it", (key, value) => {
    const input = loose();
    part(input, "anchor")[key] = value;
    expectInvalidBundle(input, `/anchor/${key}`);
  });

  it.each(["id", "title", "issuedOn"])("rejects a credential without /%s", (key) => {
    const input = loose();
    Reflect.deleteProperty(part(input, "credential"), key);
    expectInvalidBundle(input, `/credential/${key}`);
  });

  it("rejects a bundle with both a secret and salts, or with neither", () => {
    const both = { ...loose(), salts: discloseBundle(bundle, []).salts };
    expectInvalidBundle(both, undefined, "either its secret (full) or the salts");
    const neither = loose();
    delete neither.secret;
    expectInvalidBundle(neither, undefined, "either its secret (full) or the salts");
  });

  it("rejects a full bundle that hides a field", () => {
    const input = loose();
    input.hidden = { "/note": toBase64url(new Uint8Array(32)) };
    expectInvalidBundle(input, "/hidden", "a full bundle hides no field");
  });

  it("rejects salts that are not 16 bytes for each shown field, naming /salts", () => {
    const shared = loose(discloseBundle(bundle, ["learner.email"]));
    shared.salts = joinBase64url(Array.from({ length: pointers.length }, () => new Uint8Array(16)));
    expectInvalidBundle(shared, "/salts", `each of the ${pointers.length - 1} shown fields`);
  });

  it.each(ALWAYS_DISCLOSED)("rejects a disclosed copy in which %s is hidden", (pointer) => {
    const input = loose(discloseBundle(bundle, ["learner.email"]));
    part(input, "hidden")[pointer] = toBase64url(new Uint8Array(32));
    expectInvalidBundle(input, "/hidden", `${pointer} must not be hidden`);
  });

  it("rejects a field that is both shown and hidden, or hidden under a shown parent", () => {
    for (const p of ["/learner/name", "/learner", "/title/x"]) {
      const input = loose(discloseBundle(bundle, ["learner.email"]));
      part(input, "hidden")[p] = toBase64url(new Uint8Array(32));
      expectInvalidBundle(input, "/hidden", "is both shown and hidden");
    }
  });

  // One byte string, one text: a bad encoding is a malformed bundle, not a failed digest.
  it.each([
    ["secret", "/secret", (b: Loose) => (b.secret = `${String(b.secret).slice(0, 21)}R`), "unused bits are set"],
    ["secret", "/secret", (b: Loose) => (b.secret = `${String(b.secret).slice(0, 20)}+A`), "must match pattern"],
    ["proof", "/proof", (b: Loose) => (b.proof = `${String(b.proof)}AAA`), "impossible length"],
    ["proof", "/proof", (b: Loose) => (b.proof = `${String(b.proof)}AAAA`), "multiple of 32 bytes"],
    ["proof", "/proof", (b: Loose) => (b.proof = `${String(b.proof).slice(0, -1)}=`), "must match pattern"],
    ["root", "/root", (b: Loose) => (b.root = `${String(b.root).slice(0, 42)}B`), "unused bits are set"],
    ["root", "/root", (b: Loose) => (b.root = String(b.root).slice(0, 42)), "must match pattern"],
    ["root", "/root", (b: Loose) => (b.root = `0x${batch.root.slice(2)}`), "must match pattern"],
  ])("rejects a non-canonical or mis-sized %s, naming %s", (_, path, mutate, message) => {
    const input = loose();
    mutate(input);
    expectInvalidBundle(input, path, message);
  });

  it("rejects hidden value hashes and salts that are not canonical base64url", () => {
    const shared = loose(discloseBundle(bundle, ["learner.email"]));
    const hash = String(part(shared, "hidden")["/learner/email"]);
    part(shared, "hidden")["/learner/email"] = `${hash.slice(0, 42)}${hash.endsWith("B") ? "C" : "B"}`;
    expectInvalidBundle(shared, "/hidden/~1learner~1email", "unused bits are set");
    // 17 salts are 272 bytes: the last of 363 characters has 2 unused bits.
    const salted = loose(discloseBundle(bundle, ["learner.email", "assessment.grade"]));
    salted.salts = `${String(salted.salts).slice(0, -1)}${String(salted.salts).endsWith("B") ? "C" : "B"}`;
    expectInvalidBundle(salted, "/salts", "unused bits are set");
  });

  it("accepts a proof of 64 hashes and rejects one of 65", () => {
    const withPath = (length: number) => ({
      ...loose(),
      proof: joinBase64url(Array.from({ length }, () => new Uint8Array(32).fill(1))),
    });
    expect(bundlePath(parseBundle(withPath(64)))).toHaveLength(64);
    expectInvalidBundle(withPath(65), "/proof");
  });

  it("accepts a value nested 8 deep and rejects one nested 9 deep", () => {
    const withSkills = (value: JsonValue) => {
      const input = loose();
      part(input, "credential").skills = value;
      return input;
    };
    expect(parseBundle(withSkills(nested(8))).credential.skills).toEqual(nested(8));
    expectInvalidBundle(withSkills(nested(9)), undefined, "nested deeper than 8");
  });

  it("rejects hostile values 100,000 arrays or 12,000 objects deep without overflowing the stack", () => {
    const text = JSON.stringify(bundle);
    const arrays = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const objects = `${'{"a":'.repeat(12_000)}1${"}".repeat(12_000)}`;
    for (const deep of [arrays, objects]) {
      const input = text.replace('"credential":{', () => `"credential":{"deep":${deep},`);
      expect(input.length).toBeLessThan(MAX_BUNDLE_TEXT);
      expectInvalidBundle(input, undefined, "nested deeper than 8");
      expectInvalidBundle(JSON.parse(input), undefined, "nested deeper than 8");
    }
  });

  it("accepts text of exactly 256 KiB and rejects text one character longer", () => {
    const text = JSON.stringify(bundle);
    const padded = (length: number) => text + " ".repeat(length - text.length);
    expect(MAX_BUNDLE_TEXT).toBe(256 * 1024);
    expect(parseBundle(padded(MAX_BUNDLE_TEXT))).toEqual(bundle);
    expectInvalidBundle(padded(MAX_BUNDLE_TEXT + 1), undefined, "larger than");
  });

  it("lists every problem of a bundle at once", () => {
    const input = loose();
    part(input, "anchor").chainId = 0;
    part(input, "anchor").batchId = "x";
    input.extra = 1;
    const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
    expect(detailPaths(error)).toEqual(expect.arrayContaining(["/anchor/chainId", "/anchor/batchId", "/extra"]));
  });

  // Issue 11: JSON.parse keeps the last of two equal keys, other readers the first: a file could
  // show one title (or issuer) to a person and have another verified.
  it.each([
    ["title", '"title":"Forged",', '"credential":{'],
    ["title", '"t\\u0069tle":"Forged",', '"credential":{'],
    ["issuerId", '"issuerId":2,', '"anchor":{'],
    ["version", '"version":2,', "{"],
    ["secret", `"secret":"${toBase64url(new Uint8Array(16))}",`, "{"],
  ])("refuses a duplicate key %s (written %s) with INVALID_BUNDLE, naming it", (key, extra, after) => {
    const text = JSON.stringify(bundle).replace(after, () => after + extra);
    expect(() => JSON.parse(text) as unknown).not.toThrow();
    expectInvalidBundle(text, undefined, `the bundle repeats the key "${key}"`);
  });

  // Issue 11: a lone surrogate has no RFC 8785 form: refused at verification as at issuance.
  it("refuses a lone surrogate in the JSON text (\\ud800) or in a value, with INVALID_BUNDLE", () => {
    const text = JSON.stringify(bundle).replace(/"title":"[^"]*"/, '"title":"Data \\ud800 Science"');
    expect((JSON.parse(text) as Bundle).credential.title).toBe("Data \ud800 Science");
    expectInvalidBundle(text, undefined, "lone surrogate (not Unicode text) at /credential/title");
    const value = loose();
    part(part(value, "credential"), "learner").name = "\udc00";
    expectInvalidBundle(value, "/credential/learner/name", "lone surrogate");
    const key = JSON.stringify(bundle).replace('"credential":{', '"credential":{"\\ud800":1,');
    expectInvalidBundle(key, undefined, "lone surrogate");
  });

  // Issue 11: a validUntil no verifier can read made a genuine credential "expired" forever; a
  // bundle may carry only the forms issuance produces.
  it.each([
    "2031-06-30T23:59:59Z",
    "2031-06-30T23:59:59+02:00",
    "2031-06-30T23:59:59.000+00:00",
    "2031-06-30T23:59:60.000Z",
    "2031-06-30T23:59:60z",
    "2031-06-30T24:00:00.000Z",
    "2031-06-30T23:59:59.000z",
    "2031-02-30",
    "2031-13-01",
    "2031-6-30",
    "",
    20310630,
    null,
  ])("refuses a bundle carrying the non-canonical validUntil %j, naming /credential/validUntil", (validUntil) => {
    const input = loose();
    part(input, "credential").validUntil = validUntil;
    expectInvalidBundle(input, "/credential/validUntil", "validUntil must be a calendar date");
  });

  it.each(["2031-06-30", "2031-06-30T21:59:59.000Z", "2028-02-29"])("accepts the canonical validUntil %s", (v) => {
    const input = loose();
    part(input, "credential").validUntil = v;
    expect(parseBundle(input).credential.validUntil).toBe(v);
  });
});

describe("discloseBundle", () => {
  it("hides a field named with dots, keeping its value hash, and carries the shown fields' salts instead of the secret", () => {
    const shared = discloseBundle(bundle, ["learner.email"]);
    expect(shared).not.toHaveProperty("secret");
    const salt = saltOf(secret, "/learner/email");
    expect(shared.hidden).toEqual({ "/learner/email": toBase64url(valueHash(salt, "chiara@example.org")) });
    const shown = pointers.filter((p) => p !== "/learner/email").sort();
    expect(shared.salts).toBe(joinBase64url(shown.map((p) => saltOf(secret, p))));
    expect(shared.credential.learner).toEqual({
      name: "Chiara Rossi",
      identifier: "S100002",
      dateOfBirth: "2002-03-04",
    });
    expect(shared.anchor).toEqual(bundle.anchor);
    expect(shared.proof).toBe(bundle.proof);
  });

  it("hides a field named by its JSON Pointer the same way", () => {
    expect(discloseBundle(bundle, ["/learner/email"])).toEqual(discloseBundle(bundle, ["learner.email"]));
  });

  it("hides every field below a parent such as learner, and drops the emptied parent", () => {
    const shared = discloseBundle(bundle, ["learner"]);
    expect(Object.keys(shared.hidden!)).toEqual([
      "/learner/dateOfBirth",
      "/learner/email",
      "/learner/identifier",
      "/learner/name",
    ]);
    expect(shared.credential).not.toHaveProperty("learner");
  });

  it("hides /workload/ects and /workload/hours for workload, but matches nothing for the mere prefix learn", () => {
    expect(Object.keys(discloseBundle(bundle, ["workload"]).hidden!)).toEqual(["/workload/ects", "/workload/hours"]);
    const error = expectCode(() => discloseBundle(bundle, ["learn"]), "INVALID_ARGUMENT");
    expect(error.message).toContain("no field /learn");
  });

  it("keeps the digest, leaf and root for any subset of hideable fields, and parses back", () => {
    fc.assert(
      fc.property(fc.subarray(hideable), fc.boolean(), (hide, dotted) => {
        const names = dotted ? hide.map((p) => p.slice(1).split("/").join(".")) : hide;
        const shared = discloseBundle(bundle, names);
        expect(rebuilt(shared)).toEqual({ digest: committed.digest, leaf: committed.leaf, root: batch.root });
        expect(Object.keys(shared.hidden ?? {})).toEqual([...hide].sort());
        expect(parseBundle(JSON.stringify(shared))).toEqual(shared);
      }),
      { numRuns: 100 },
    );
  });

  it("hides more from a disclosed copy as it would from the full bundle, and is idempotent", () => {
    fc.assert(
      fc.property(fc.subarray(hideable), fc.subarray(hideable), (first, second) => {
        const once = discloseBundle(bundle, first);
        expect(discloseBundle(once, first)).toEqual(once);
        expect(discloseBundle(once, second)).toEqual(discloseBundle(bundle, [...first, ...second]));
      }),
      { numRuns: 50 },
    );
  });

  it("with nothing hidden, gives a copy with every field shown and salted", () => {
    const shared = discloseBundle(bundle, []);
    expect(shared.hidden).toEqual({});
    expect(shared.credential).toEqual(bundle.credential);
    expect(fromBase64url(shared.salts!)).toHaveLength(16 * pointers.length);
    expect(rebuilt(shared).leaf).toBe(committed.leaf);
  });

  it("rejects an unknown field with INVALID_ARGUMENT, naming it", () => {
    const error = expectCode(() => discloseBundle(bundle, ["learner.phone"]), "INVALID_ARGUMENT");
    expect(error.message).toContain("/learner/phone");
    // v1 carried an awarding body; v2 credentials have none to hide.
    expectCode(() => discloseBundle(bundle, ["awardingBody"]), "INVALID_ARGUMENT");
  });

  it.each([...ALWAYS_DISCLOSED, "id", "title", "validUntil"])(
    "refuses to hide %s, which must stay disclosed, with INVALID_ARGUMENT",
    (name) => {
      const error = expectCode(() => discloseBundle(bundle, ["learner.email", name]), "INVALID_ARGUMENT");
      expect(error.message).toContain("cannot be hidden");
    },
  );

  it("does not mutate the bundle it is given, even when it fails half-way", () => {
    const before = structuredClone(bundle);
    discloseBundle(bundle, ["learner", "assessment.grade", "skills"]);
    expectCode(() => discloseBundle(bundle, ["learner.email", "title"]), "INVALID_ARGUMENT");
    expect(bundle).toEqual(before);
  });
});

describe("disclosedCredential", () => {
  it("gives the full credential of a bundle with nothing hidden", () => {
    expect(disclosedCredential(bundle)).toEqual({ credential, hidden: [] });
  });

  it("leaves out hidden fields and lists their pointers sorted", () => {
    const shared = discloseBundle(bundle, ["skills", "learner.email", "assessment.grade", "/learner/dateOfBirth"]);
    const { credential: shown, hidden } = disclosedCredential(shared);
    expect(hidden).toEqual(["/assessment/grade", "/learner/dateOfBirth", "/learner/email", "/skills"]);
    const expected = structuredClone(credential) as unknown as Loose;
    delete expected.skills;
    delete part(expected, "learner").email;
    delete part(expected, "learner").dateOfBirth;
    delete part(expected, "assessment").grade;
    expect(shown).toEqual(expected);
  });

  // Regression: a "/__proto__/x" pointer once reached Object.prototype through unflatten.
  it("does not let a hostile bundle write to Object.prototype", () => {
    const probe = "credrootBundlePolluted";
    const hostile = JSON.stringify(bundle).replace('"credential":{', `"credential":{"__proto__":{"${probe}":true},`);
    try {
      const parsed = parseBundle(hostile);
      disclosedCredential(parsed);
      discloseBundle(parsed, ["learner.email"]);
      expect(Object.prototype).not.toHaveProperty(probe);
    } finally {
      Reflect.deleteProperty(Object.prototype, probe);
    }
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
