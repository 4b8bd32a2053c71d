import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { flatten, type JsonValue, unflatten } from "../../src/pointer";

type JsonObject = { [key: string]: JsonValue };

/** Keys built from characters that JSON Pointer must escape ("/" and "~") and their escapes' digits. */
const key = fc.string({ unit: fc.constantFrom("a", "b", "/", "~", "0", "1", " ", "é"), maxLength: 6 });
const scalar: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
);

/** Nested objects whose leaves are scalars, arrays (of anything, objects included) or empty objects. */
const { object: nestedObject } = fc.letrec<{ object: JsonObject; value: JsonValue }>((tie) => ({
  object: fc.dictionary(key, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(fc.oneof(scalar, tie("object")), { maxLength: 3 }),
    tie("object"),
  ),
}));

describe("flatten", () => {
  it("maps nested objects to JSON Pointers and keeps arrays as leaves", () => {
    const flat = flatten({ learner: { name: "A", address: { city: "Gent" } }, skills: ["x", "y"] });
    expect([...flat]).toEqual([
      ["/learner/name", "A"],
      ["/learner/address/city", "Gent"],
      ["/skills", ["x", "y"]],
    ]);
  });

  it("keeps an array of objects as one leaf instead of descending into it", () => {
    const flat = flatten({ outcomes: [{ a: 1 }, { b: 2 }] });
    expect([...flat.keys()]).toEqual(["/outcomes"]);
    expect(flat.get("/outcomes")).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("escapes ~ as ~0 and / as ~1 in keys (RFC 6901)", () => {
    const flat = flatten({ "a/b": { "c~d": 1, "~1": 2 } });
    expect([...flat.keys()]).toEqual(["/a~1b/c~0d", "/a~1b/~01"]);
  });

  it("keeps an empty object as a leaf so that it is not lost", () => {
    expect([...flatten({ workload: {}, n: 0 })]).toEqual([
      ["/workload", {}],
      ["/n", 0],
    ]);
  });

  it("keeps null, false and 0 as leaves", () => {
    expect([...flatten({ a: null, b: false, c: 0, d: "" })].map(([p]) => p)).toEqual(["/a", "/b", "/c", "/d"]);
  });

  it("produces one distinct pointer per leaf", () => {
    fc.assert(
      fc.property(nestedObject, (value) => {
        const countLeaves = (v: JsonValue): number =>
          typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length > 0
            ? Object.values(v).reduce<number>((sum, child) => sum + countLeaves(child), 0)
            : 1;
        const leaves = Object.values(value).reduce<number>((sum, child) => sum + countLeaves(child), 0);
        expect(flatten(value).size).toBe(leaves);
      }),
      { numRuns: 300 },
    );
  });
});

describe("unflatten", () => {
  it("rebuilds the nested object from pointers", () => {
    expect(
      unflatten([
        ["/learner/name", "A"],
        ["/learner/email", "a@example.org"],
        ["/skills", ["x"]],
      ]),
    ).toEqual({ learner: { name: "A", email: "a@example.org" }, skills: ["x"] });
  });

  it("unescapes ~1 to / and ~0 to ~, in that order", () => {
    expect(unflatten([["/a~1b/~01", 1]])).toEqual({ "a/b": { "~1": 1 } });
  });

  it("is the inverse of flatten for nested objects whose keys contain / and ~", () => {
    fc.assert(
      fc.property(nestedObject, (value) => {
        expect(unflatten(flatten(value))).toEqual(value);
      }),
      { numRuns: 500 },
    );
  });

  // Regression: `node["__proto__"]` once read Object.prototype, so the next token was written onto it.
  it("does not let a /__proto__/ pointer write to Object.prototype", () => {
    const probe = "credrootPolluted";
    try {
      unflatten([[`/__proto__/${probe}`, "yes"]]);
      expect(Object.prototype).not.toHaveProperty(probe);
    } finally {
      Reflect.deleteProperty(Object.prototype, probe);
    }
  });

  it("keeps a __proto__ key as an own property of the rebuilt object", () => {
    const rebuilt = unflatten([["/__proto__", { a: 1 }]]);
    expect(Object.getPrototypeOf(rebuilt)).toBe(Object.prototype);
    expect(Object.keys(rebuilt)).toEqual(["__proto__"]);
  });
});
