import { describe, expect, it } from "vitest";
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  bundlePath,
  discloseBundle,
  MAX_BUNDLE_TEXT,
  parseBundle,
} from "../../src/bundle";
import { batchIdToBytes16, joinBase64url, toBase64url } from "../../src/encoding";
import type { JsonValue } from "../../src/pointer";
import { detailPaths, expectCode, TEST_CONTEXT } from "./helpers";
import {
  batch,
  bundle,
  committed,
  expectInvalidBundle,
  type Loose,
  loose,
  nested,
  part,
  pointers,
} from "./bundle-fixture";

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
