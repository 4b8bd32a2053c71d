import { type AnyNode, parse as parseAst } from "@humanwhocodes/momoa";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findDuplicateKey, findLoneSurrogate, isWellFormedText, parseStrictJson } from "../../src/json";
import { expectCode } from "./helpers";

/*
 * src/json.ts finds duplicate keys with a hand-written scan of the text. Its oracle here is a real
 * JSON parser that keeps every member (@humanwhocodes/momoa), on random JSON texts written the way
 * an attacker would: keys repeated, or written once plainly and once escaped ("a" and "\u0061"),
 * strings full of braces, quotes, commas and backslashes, and random whitespace between tokens.
 */

/** A JSON tree whose objects are member lists, so that a key may repeat. */
type Tree = string | number | boolean | null | Tree[] | { members: [string, Tree][] };

const keyUnit = fc.constantFrom("a", "b", "c", '"', "\\", "/", "{", "}", "[", "]", ",", ":", "é", "😀", "\u0000", " ");
const key = fc.string({ unit: keyUnit, maxLength: 3 });
const scalar: fc.Arbitrary<Tree> = fc.oneof(
  fc.string({ unit: keyUnit, maxLength: 5 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.boolean(),
  fc.constant(null),
);
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("tree"), { maxLength: 4 }),
    // Keys from a small pool so that duplicates are common, not a rarity.
    fc
      .array(fc.tuple(fc.oneof(key, fc.constantFrom("a", "id", "title")), tie("tree")), { maxLength: 5 })
      .map((members) => ({ members })),
  ),
}));

/** How each string is written: plainly (JSON.stringify) or with every character as a \u escape. */
function writeString(text: string, escapeAll: boolean): string {
  if (!escapeAll) return JSON.stringify(text);
  const units = Array.from({ length: text.length }, (_, i) => text.charCodeAt(i));
  return `"${units.map((u) => `\\u${u.toString(16).padStart(4, "0")}`).join("")}"`;
}

/** Writes `t` as JSON text, drawing from `choices` for escaping and whitespace. */
function write(t: Tree, choices: () => number): string {
  const ws = () => [" ", "", "\n", "\t", "\r\n  "][choices() % 5]!;
  if (typeof t === "string") return writeString(t, choices() % 3 === 0);
  if (typeof t !== "object" || t === null) return JSON.stringify(t);
  if (Array.isArray(t)) return `[${ws()}${t.map((v) => write(v, choices) + ws()).join(`,${ws()}`)}]`;
  const members = t.members.map(
    ([k, v]) => `${ws()}${writeString(k, choices() % 3 === 0)}${ws()}:${ws()}${write(v, choices)}`,
  );
  return `{${members.join(`${ws()},`)}${ws()}}`;
}

const jsonText = fc.tuple(tree, fc.array(fc.nat(), { minLength: 1, maxLength: 64 })).map(([t, seeds]) => {
  let i = 0;
  return write(t, () => seeds[i++ % seeds.length]!);
});

/** The oracle: the key whose second occurrence in one object comes first in the text, or null. */
function firstDuplicateByAst(text: string): string | null {
  let best: { offset: number; key: string } | null = null;
  const visit = (node: AnyNode): void => {
    if (node.type === "Object") {
      const seen = new Set<string>();
      for (const member of node.members) {
        const name = member.name.type === "String" ? member.name.value : member.name.name;
        const offset = member.name.loc.start.offset;
        if (seen.has(name) && (best === null || offset < best.offset)) best = { offset, key: name };
        seen.add(name);
        visit(member.value);
      }
    } else if (node.type === "Array") {
      for (const element of node.elements) visit(element.value);
    }
  };
  visit(parseAst(text).body);
  return (best as { key: string } | null)?.key ?? null;
}

describe("findDuplicateKey", () => {
  it("agrees with a full JSON parser (momoa) on random JSON texts, with and without duplicate keys", () => {
    let withDuplicates = 0;
    let runs = 0;
    fc.assert(
      fc.property(jsonText, (text) => {
        runs += 1;
        expect(JSON.parse(text)).toBeDefined();
        const expected = firstDuplicateByAst(text);
        if (expected !== null) withDuplicates += 1;
        expect(findDuplicateKey(text)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
    // Both kinds must be common, or the property says little.
    expect(withDuplicates).toBeGreaterThan(runs / 10);
    expect(withDuplicates).toBeLessThan(runs * 0.9);
  });

  it.each([
    ['{"a":1,"a":2}', "a"],
    ['{"a":1,"\\u0061":2}', "a"],
    ['{"\\u0061":1,"a":2}', "a"],
    ['{"t\\u0069tle":"A","title":"B"}', "title"],
    ['{"\\"":1,"\\u0022":2}', '"'],
    ['{"\\/":1,"/":2}', "/"],
    ['{"x":{"a":1},"y":{"a":2}}', null],
    ['[{"a":1},{"a":2}]', null],
    ['{"a":"\\"a\\":","b":["a","a"]}', null],
    ['{"a":{"b":1,"b":2}}', "b"],
    ['{"a":[1,{"c":1}],"a":0}', "a"],
    ['{"a":[{"k":1,"k":2}]}', "k"],
    ['"a"', null],
    ["{}", null],
  ])("finds the duplicate in %s: %j", (text, expected) => {
    expect(findDuplicateKey(text)).toBe(expected);
    expect(firstDuplicateByAst(text)).toBe(expected);
  });
});

describe("parseStrictJson", () => {
  it("parses JSON like JSON.parse when no key repeats", () => {
    expect(parseStrictJson('{"a":[1,{"b":null}],"c":"\\u00e9"}')).toEqual({ a: [1, { b: null }], c: "é" });
  });

  it("refuses a duplicate key with the code asked for, naming the key, even when one is escaped", () => {
    const error = expectCode(
      () => parseStrictJson('{"title":"Real","t\\u0069tle":"Forged"}', "INVALID_BUNDLE", "the bundle"),
      "INVALID_BUNDLE",
    );
    expect(error.message).toBe('the bundle repeats the key "title"');
  });

  it("refuses text that is not JSON, keeping the SyntaxError as cause", () => {
    const error = expectCode(() => parseStrictJson("{", "INVALID_ARGUMENT", "the import"), "INVALID_ARGUMENT");
    expect(error.message).toMatch(/^the import is not JSON: /);
    expect(error.cause).toBeInstanceOf(SyntaxError);
  });

  it.each([
    ['"\\ud800"', "/"],
    ['{"title":"a\\udfffb"}', "/title"],
    ['{"a":["ok","\\ud83d"]}', "/a/1"],
    ['{"k\\ud800":1}', "/k\ud800"],
  ])("refuses the lone surrogate in %s, naming %s", (text, pointer) => {
    const error = expectCode(() => parseStrictJson(text), "INVALID_ARGUMENT");
    expect(error.message).toBe(`input has a lone surrogate (not Unicode text) at ${pointer}`);
  });

  it("accepts a surrogate pair, escaped or not", () => {
    expect(parseStrictJson('"\\ud83d\\ude00"')).toBe("😀");
    expect(parseStrictJson('"😀"')).toBe("😀");
  });
});

describe("lone surrogates", () => {
  it("tells well-formed text from text with a lone surrogate", () => {
    expect(isWellFormedText("a😀é")).toBe(true);
    for (const bad of ["\ud800", "a\udc00", "\ude00\ud83d", "x\ud83d"]) expect(isWellFormedText(bad)).toBe(false);
  });

  it("agrees with String.prototype.isWellFormed on any UTF-16 text", () => {
    const nearSurrogates = fc.integer({ min: 0xd7f0, max: 0xe010 }).map((c) => String.fromCharCode(c));
    const isWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed;
    expect(typeof isWellFormed).toBe("function");
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 8 }),
        fc.string({ unit: nearSurrogates, maxLength: 6 }),
        (a, b) => {
          expect(isWellFormedText(a + b)).toBe(isWellFormed!.call(a + b));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("points at the first string, key or value, that has one", () => {
    expect(findLoneSurrogate({ a: ["x", { b: "\ud800" }] })).toBe("/a/1/b");
    expect(findLoneSurrogate({ "a/b~": "\udc00" })).toBe("/a~1b~0");
    expect(findLoneSurrogate({ ok: "😀", n: 1, z: null })).toBeNull();
  });
});
