import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  createBundle,
  disclosedCredential,
  discloseBundle,
  MAX_BUNDLE_TEXT,
  parseBundle,
} from "../../src/bundle";
import { commitCredential, digestOfFields, type Fields, hideField, isHidden, leafOf } from "../../src/commit";
import { fromHex32, type Hex32, keccak256, toHex, utf8Bytes } from "../../src/hash";
import { buildTree, processProof, proofOf, treeRoot } from "../../src/merkle";
import type { JsonValue } from "../../src/pointer";
import { detailPaths, expectCode, fixtureBundle, saltSequence, TEST_ANCHOR } from "./helpers";

type Loose = Record<string, unknown>;

const FIXTURE_PATH = join(__dirname, "..", "fixtures", "bundle-v1.json");
/** The leaf and root of the version-1 fixture, pinned here too so that regenerating the file is noticed. */
const FIXTURE_LEAF = "0x3b7c6d84b19c89c94670d2e48ef0cb2dc44979b44760c157de02f33d45cbe766";
const FIXTURE_ROOT = "0xc0c20126ac6599552108641a67354a2ec9737caa73f2cf2c1fc82098640803ff";

const credential = sampleCredential(2, {
  validUntil: "2031-06-30",
  learner: { name: "Chiara Rossi", identifier: "S100002", email: "chiara@example.org", dateOfBirth: "2002-03-04" },
});
const salt = saltSequence("bundle");
const batch = [credential, sampleCredential(3), sampleCredential(4)].map((c) => commitCredential(c, { salt }));
const tree = buildTree(batch.map((c) => fromHex32(c.leaf)));
const committed = batch[0]!;
const bundle = createBundle(committed, { path: proofOf(tree, 0), root: treeRoot(tree) }, TEST_ANCHOR);

/** Pointers a holder may hide in `bundle`. */
const hideable = Object.keys(bundle.credential.fields).filter((p) => !ALWAYS_DISCLOSED.includes(p));

/** A deep copy of `bundle` as a plain record, for breaking it on purpose. */
function loose(): Loose {
  return structuredClone(bundle) as unknown as Loose;
}

function part(record: Loose, key: string): Loose {
  return record[key] as Loose;
}

function expectInvalidBundle(input: unknown, path?: string, message?: string): void {
  const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
  if (path !== undefined) expect(detailPaths(error)).toContain(path);
  if (message !== undefined) expect(error.message).toContain(message);
}

/** A bundle whose digest recomputes to its leaf and whose proof reaches its root. */
function expectConsistent(b: Bundle): void {
  const leaf = toHex(leafOf(digestOfFields(b.credential.fields)));
  expect(leaf).toBe(b.proof.leaf);
  expect(processProof(leaf, b.proof.path)).toBe(b.proof.root);
}

/** `value` wrapped in `depth` arrays. */
function nested(depth: number): JsonValue {
  let value: JsonValue = "core";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe("createBundle", () => {
  it("builds a version-1 bundle from the committed credential, its proof and its anchor", () => {
    expect(bundle.type).toBe("credroot/bundle");
    expect(bundle.version).toBe(1);
    expect(bundle.credential.fields).toEqual(committed.fields);
    expect(bundle.proof).toEqual({ leaf: committed.leaf, path: proofOf(tree, 0), root: treeRoot(tree) });
    expect(bundle.anchor).toEqual(TEST_ANCHOR);
    expectConsistent(bundle);
  });

  it("copies the field map, path and anchor instead of sharing them", () => {
    const path = proofOf(tree, 1);
    const anchor = { ...TEST_ANCHOR };
    const built = createBundle(batch[1]!, { path, root: treeRoot(tree) }, anchor);
    path.push(toHex(keccak256(utf8Bytes("extra"))));
    anchor.blockNumber = 99;
    delete (built.credential.fields as Loose)["/id"];
    expect(built.proof.path).toHaveLength(path.length - 1);
    expect(built.anchor.blockNumber).toBe(TEST_ANCHOR.blockNumber);
    expect(batch[1]!.fields["/id"]).toBeDefined();
  });
});

describe("parseBundle", () => {
  it("returns a valid bundle unchanged", () => {
    expect(parseBundle(structuredClone(bundle))).toEqual(bundle);
  });

  it("parses the JSON text of a bundle back to the same bundle", () => {
    expect(parseBundle(JSON.stringify(bundle))).toEqual(bundle);
    expect(parseBundle(JSON.stringify(bundle, null, 2))).toEqual(bundle);
  });

  it("accepts a registry address in EIP-55 mixed case", () => {
    expect(parseBundle(bundle).anchor.registry).toBe("0x5FbDB2315678afecb367f032d93F642f64180aa3");
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

  it.each([0, 2, "1"])("rejects version %j, naming /version", (version) => {
    expectInvalidBundle({ ...loose(), version }, "/version");
  });

  it("rejects an extra top-level property, naming it", () => {
    expectInvalidBundle({ ...loose(), signature: "0x00" }, "/signature");
  });

  it("rejects an extra property inside the proof, naming /proof/index", () => {
    const input = loose();
    part(input, "proof").index = 0;
    expectInvalidBundle(input, "/proof/index");
  });

  it.each(["type", "version", "credential", "proof", "anchor"])("rejects a bundle without %s, naming /%s", (key) => {
    const input = loose();
    Reflect.deleteProperty(input, key);
    expectInvalidBundle(input, `/${key}`);
  });

  it.each(["chainId", "registry", "issuerId", "txHash", "blockNumber"])(
    "rejects an anchor without %s, naming /anchor/%s",
    (key) => {
      const input = loose();
      Reflect.deleteProperty(part(input, "anchor"), key);
      expectInvalidBundle(input, `/anchor/${key}`);
    },
  );

  it("rejects a leaf in uppercase hex, naming /proof/leaf", () => {
    const input = loose();
    part(input, "proof").leaf = `0x${bundle.proof.leaf.slice(2).toUpperCase()}`;
    expectInvalidBundle(input, "/proof/leaf");
  });

  it("rejects a short hash in the proof path, naming /proof/path/0", () => {
    const input = loose();
    part(input, "proof").path = [bundle.proof.path[0]!.slice(0, 64), ...bundle.proof.path.slice(1)];
    expectInvalidBundle(input, "/proof/path/0");
  });

  it("rejects a root without 0x, naming /proof/root", () => {
    const input = loose();
    part(input, "proof").root = `${bundle.proof.root.slice(2)}00`;
    expectInvalidBundle(input, "/proof/root");
  });

  it("accepts a proof path of 64 elements and rejects one of 65, naming /proof/path", () => {
    const element = toHex(keccak256(utf8Bytes("sibling")));
    const withPath = (length: number) => {
      const input = loose();
      part(input, "proof").path = Array.from({ length }, () => element);
      return input;
    };
    expect(parseBundle(withPath(64)).proof.path).toHaveLength(64);
    expectInvalidBundle(withPath(65), "/proof/path", "must NOT have more than 64 items");
  });

  it.each([0, -1, 1.5, "1"])("rejects chainId %j, naming /anchor/chainId", (chainId) => {
    const input = loose();
    part(input, "anchor").chainId = chainId;
    expectInvalidBundle(input, "/anchor/chainId");
  });

  it("rejects a registry that is not a 20-byte address, naming /anchor/registry", () => {
    const input = loose();
    part(input, "anchor").registry = "0x1234";
    expectInvalidBundle(input, "/anchor/registry");
  });

  it.each([0, -1, 2.5])("rejects issuerId %j, naming /anchor/issuerId", (issuerId) => {
    const input = loose();
    part(input, "anchor").issuerId = issuerId;
    expectInvalidBundle(input, "/anchor/issuerId");
  });

  it("rejects a negative block number, naming /anchor/blockNumber", () => {
    const input = loose();
    part(input, "anchor").blockNumber = -1;
    expectInvalidBundle(input, "/anchor/blockNumber");
  });

  it("rejects a field that has both a salt and a hash, naming that field", () => {
    const input = loose();
    const fields = part(part(input, "credential"), "fields");
    fields["/learner/email"] = { ...(fields["/learner/email"] as Loose), hash: toHex(keccak256(utf8Bytes("h"))) };
    const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
    expect(detailPaths(error)).toContain("/credential/fields/~1learner~1email");
  });

  it("rejects a field with a salt but no value, naming that field", () => {
    const input = loose();
    const fields = part(part(input, "credential"), "fields");
    fields["/learner/email"] = { salt: (fields["/learner/email"] as Loose).salt };
    expectInvalidBundle(input, "/credential/fields/~1learner~1email/value");
  });

  it("rejects a field name that is not a JSON Pointer", () => {
    const input = loose();
    part(part(input, "credential"), "fields").title = { hash: toHex(keccak256(utf8Bytes("t"))) };
    const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
    expect(error.message).toContain("property name must be valid");
  });

  it("rejects a bundle without fields, naming /credential/fields", () => {
    const input = loose();
    part(input, "credential").fields = {};
    expectInvalidBundle(input, "/credential/fields");
  });

  it.each(ALWAYS_DISCLOSED)("rejects a bundle in which %s is hidden", (pointer) => {
    const input = loose();
    const fields = part(part(input, "credential"), "fields");
    expect(fields[pointer]).toBeDefined();
    fields[pointer] = hideField(bundle.credential.fields[pointer]!);
    expectInvalidBundle(input, undefined, `${pointer} must not be hidden`);
  });

  it("accepts a value nested 8 deep and rejects one nested 9 deep, naming the field", () => {
    const withValue = (value: JsonValue) => {
      const input = loose();
      part(part(input, "credential"), "fields")["/skills"] = { salt: toHex(keccak256(utf8Bytes("s"))), value };
      return input;
    };
    expect(parseBundle(withValue(nested(8))).credential.fields["/skills"]).toBeDefined();
    expectInvalidBundle(withValue(nested(9)), undefined, "/skills is nested deeper than 8");
  });

  it("rejects a hostile value nested 100,000 deep without overflowing the stack", () => {
    const depth = 100_000;
    const field = `{"salt":"${toHex(keccak256(utf8Bytes("s")))}","value":${"[".repeat(depth)}${"]".repeat(depth)}}`;
    const text = JSON.stringify(bundle).replace(/"\/skills":\{[^}]*\}/, `"/skills":${field}`);
    expect(text.length).toBeLessThan(MAX_BUNDLE_TEXT);
    expectInvalidBundle(text, undefined, "nested deeper than 8");
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
    input.version = 2;
    part(input, "anchor").chainId = 0;
    part(input, "proof").leaf = "0x00";
    const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
    expect(detailPaths(error)).toEqual(expect.arrayContaining(["/version", "/anchor/chainId", "/proof/leaf"]));
  });
});

describe("discloseBundle", () => {
  it("hides a field named with dots, keeping only its salted hash", () => {
    const shared = discloseBundle(bundle, ["learner.email"]);
    const original = bundle.credential.fields["/learner/email"]!;
    expect(shared.credential.fields["/learner/email"]).toEqual({
      hash: hideField(original).hash,
    });
    const others = Object.keys(bundle.credential.fields).filter((p) => p !== "/learner/email");
    for (const pointer of others) expect(shared.credential.fields[pointer]).toEqual(bundle.credential.fields[pointer]);
  });

  it("hides a field named by its JSON Pointer the same way", () => {
    expect(discloseBundle(bundle, ["/learner/email"])).toEqual(discloseBundle(bundle, ["learner.email"]));
  });

  it("hides every field below a parent such as learner", () => {
    const shared = discloseBundle(bundle, ["learner"]);
    const learnerFields = Object.keys(bundle.credential.fields).filter((p) => p.startsWith("/learner/"));
    expect(learnerFields).toEqual(["/learner/name", "/learner/identifier", "/learner/email", "/learner/dateOfBirth"]);
    for (const pointer of learnerFields) expect(isHidden(shared.credential.fields[pointer]!)).toBe(true);
    expect(isHidden(shared.credential.fields["/learningOutcomes"]!)).toBe(false);
  });

  it("hides /workload/ects and /workload/hours for workload, but matches nothing for the mere prefix learn", () => {
    const shared = discloseBundle(bundle, ["workload"]);
    expect(isHidden(shared.credential.fields["/workload/ects"]!)).toBe(true);
    expect(isHidden(shared.credential.fields["/workload/hours"]!)).toBe(true);
    const error = expectCode(() => discloseBundle(bundle, ["learn"]), "INVALID_ARGUMENT");
    expect(error.message).toContain("no field /learn");
  });

  it("keeps the digest, leaf and proof valid for any subset of hideable fields", () => {
    fc.assert(
      fc.property(fc.subarray(hideable), fc.boolean(), (hide, dotted) => {
        const names = dotted ? hide.map((p) => p.slice(1).split("/").join(".")) : hide;
        const shared = discloseBundle(bundle, names);
        expect(toHex(digestOfFields(shared.credential.fields))).toBe(committed.digest);
        expectConsistent(shared);
        expect(
          Object.keys(shared.credential.fields)
            .filter((p) => isHidden(shared.credential.fields[p]!))
            .sort(),
        ).toEqual([...hide].sort());
        expect(parseBundle(JSON.parse(JSON.stringify(shared)))).toEqual(shared);
      }),
      { numRuns: 100 },
    );
  });

  it("is idempotent: hiding the same fields twice gives the same bundle", () => {
    fc.assert(
      fc.property(fc.subarray(hideable), (hide) => {
        const once = discloseBundle(bundle, hide);
        expect(discloseBundle(once, hide)).toEqual(once);
      }),
      { numRuns: 50 },
    );
  });

  it("rejects an unknown field with INVALID_ARGUMENT, naming it", () => {
    const error = expectCode(() => discloseBundle(bundle, ["learner.phone"]), "INVALID_ARGUMENT");
    expect(error.message).toContain("/learner/phone");
  });

  it.each([...ALWAYS_DISCLOSED, "id", "awardingBody.name", "awardingBody", "validUntil"])(
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
  it("rebuilds the full credential from a bundle with nothing hidden", () => {
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

  // Regression: a field key "/__proto__/x" once reached Object.prototype through unflatten, which
  // verifyBundle runs on any input before checking it.
  it("does not let a hostile bundle write to Object.prototype", () => {
    const probe = "credrootBundlePolluted";
    const hostile = JSON.stringify(bundle).replace(
      '"fields":{',
      `"fields":{"/__proto__/${probe}":{"salt":"${toHex(keccak256(utf8Bytes("x")))}","value":true},`,
    );
    try {
      disclosedCredential(parseBundle(hostile));
      expect(Object.prototype).not.toHaveProperty(probe);
    } finally {
      Reflect.deleteProperty(Object.prototype, probe);
    }
  });
});

describe("bundle integrity", () => {
  it("fails the digest check for a bundle that claims an internal node as its leaf", () => {
    // The node above leaves 0 and 1, presented with the rest of leaf 0's proof, reaches the root…
    const internal = toHex(tree.layers[1]!.subarray(0, 32));
    const forged: Bundle = {
      ...bundle,
      proof: { leaf: internal, path: bundle.proof.path.slice(1), root: bundle.proof.root },
    };
    expect(processProof(forged.proof.leaf, forged.proof.path)).toBe(forged.proof.root);
    // …but no field set hashes to it: the leaf recomputed from the fields is not that node.
    const recomputed = toHex(leafOf(digestOfFields(forged.credential.fields)));
    expect(recomputed).not.toBe(internal);
    expect(processProof(recomputed, forged.proof.path)).not.toBe(forged.proof.root);
    for (const c of batch) expect(c.leaf).not.toBe(internal);
  });

  it("fails the digest check when any disclosed value is changed", () => {
    fc.assert(
      fc.property(fc.constantFrom(...hideable), fc.string({ minLength: 1, maxLength: 10 }), (pointer, value) => {
        const field = bundle.credential.fields[pointer]!;
        fc.pre(!isHidden(field) && JSON.stringify(field.value) !== JSON.stringify(value));
        const fields: Fields = { ...bundle.credential.fields, [pointer]: { ...field, value } };
        expect(toHex(leafOf(digestOfFields(fields)))).not.toBe(bundle.proof.leaf);
      }),
      { numRuns: 100 },
    );
  });

  // Regression: a hidden field's hash was once not bound to the pointer it is filed under, so a
  // holder could drop /validUntil, file its hash under another name, and escape expiry.
  it("rejects a bundle whose /validUntil was re-filed as a hidden field under another name", () => {
    const { ["/validUntil"]: validUntil, ...rest } = bundle.credential.fields;
    const forged: Bundle = {
      ...bundle,
      credential: { fields: { ...rest, "/note": hideField(validUntil!) } },
    };
    let accepted: boolean;
    try {
      const parsed = parseBundle(JSON.stringify(forged));
      accepted = toHex(leafOf(digestOfFields(parsed.credential.fields))) === parsed.proof.leaf;
    } catch {
      accepted = false;
    }
    expect(accepted).toBe(false);
  });
});

describe("version-1 fixture (test/fixtures/bundle-v1.json)", () => {
  const text = readFileSync(FIXTURE_PATH, "utf8");

  it("still parses", () => {
    const parsed = parseBundle(text);
    expect(parsed.version).toBe(1);
    expect(parsed.proof.path).toHaveLength(2);
  });

  it("still recomputes its pinned leaf from its fields and its pinned root from its proof", () => {
    const parsed = parseBundle(text);
    const leaf = toHex(leafOf(digestOfFields(parsed.credential.fields)));
    expect(leaf).toBe(FIXTURE_LEAF);
    expect(parsed.proof.leaf).toBe(FIXTURE_LEAF);
    expect(processProof(leaf, parsed.proof.path)).toBe(FIXTURE_ROOT);
    expect(parsed.proof.root).toBe(FIXTURE_ROOT);
  });

  it("is what the library still builds from the same credentials and salts", () => {
    expect(fixtureBundle()).toEqual(JSON.parse(text));
  });

  it("still verifies after hiding the learner", () => {
    const shared = discloseBundle(parseBundle(text), ["learner"]);
    expect(toHex(leafOf(digestOfFields(shared.credential.fields)))).toBe(FIXTURE_LEAF);
    expect(disclosedCredential(shared).hidden).toEqual([
      "/learner/dateOfBirth",
      "/learner/email",
      "/learner/identifier",
      "/learner/name",
    ]);
  });

  it("keeps its proof element format: lowercase 0x-hex of 32 bytes", () => {
    const parsed = parseBundle(text);
    for (const h of [parsed.proof.leaf, parsed.proof.root, ...parsed.proof.path] as Hex32[]) {
      expect(h).toMatch(/^0x[0-9a-f]{64}$/);
    }
  });
});
