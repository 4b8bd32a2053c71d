import canonicalize from "canonicalize";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalError, writeCanonical } from "../../src/canonical";
import { isCredrootError } from "../../src/errors";
import { KeccakSink } from "../../src/keccak-sink";
import type { KeccakKernel } from "../../src/keccak-wasm";
import type { JsonValue } from "../../src/pointer";

/*
 * writeCanonical writes UTF-8(JCS(value)) into a hash's input buffer, flushing it when full. A
 * kernel that records what it is fed (with small buffers, so that every flush path runs) must see
 * exactly the bytes of the `canonicalize` package's text.
 */

function recordingKernel(size: number): KeccakKernel & { fed: () => Buffer } {
  const buffer = new Uint8Array(size);
  let fed: Buffer[] = [];
  const take = (length: number) => fed.push(Buffer.from(buffer.subarray(0, length)));
  return {
    buffer,
    hash: take,
    init: () => {
      fed = [];
    },
    update: take,
    final: () => undefined,
    fed: () => Buffer.concat(fed),
  };
}

function written(value: JsonValue, size: number): Buffer {
  const kernel = recordingKernel(size);
  const sink = new KeccakSink();
  sink.begin(kernel);
  try {
    writeCanonical(sink, value);
  } catch (error) {
    sink.abort(); // as the library's callers do: the next hash must start afresh
    throw error;
  }
  sink.end();
  return kernel.fed();
}

const jcs = (value: unknown) => Buffer.from(canonicalize(value)!, "utf8");

/** Text with what JSON escapes (quotes, backslashes, every control) and every plane of Unicode. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({
    unit: fc.constantFrom(
      "\u0000",
      "\u001f",
      "\b",
      "\t",
      "\n",
      "\f",
      "\r",
      '"',
      "\\",
      "\u007f",
      "\u2028",
      "é",
      "€",
      "😀",
      "a",
    ),
    maxLength: 20,
  }),
);

const value: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    text,
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom(0, -0, 1e21, 1e-7, 5e-324, Number.MAX_SAFE_INTEGER + 2, 0.1 + 0.2),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(text, tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

describe("writeCanonical", () => {
  it.each([8, 13, 64, 16 * 1024])("writes the bytes of the canonicalize package, through a %i-byte buffer", (size) => {
    fc.assert(
      fc.property(value, (v) => {
        expect(written(v, size).toString("hex")).toBe(jcs(v).toString("hex"));
      }),
      { numRuns: size === 16 * 1024 ? 500 : 200 },
    );
  });

  it("writes text longer than the buffer, astral characters across its edge included", () => {
    const long = ["😀".repeat(10_000), `${"a".repeat(16 * 1024 - 3)}😀é`, `x${'"\\\n'.repeat(3000)}`];
    for (const size of [16 * 1024, 100]) {
      for (const s of long) expect(written(s, size).equals(jcs(s))).toBe(true);
      expect(written({ [long[1]!]: long }, size).equals(jcs({ [long[1]!]: long }))).toBe(true);
    }
  });

  it("sorts keys by UTF-16 code units, as RFC 8785 says (U+FFFF after an astral character)", () => {
    const object = { "\uffff": 1, "😀": 2, é: 3, a: 4, "": 5 };
    expect(written(object, 64).toString()).toBe('{"":5,"a":4,"é":3,"😀":2,"\uffff":1}');
  });

  it("drops undefined members and writes undefined array items as null, as canonicalize does", () => {
    const v = { a: undefined, b: [1, undefined] } as unknown as JsonValue;
    expect(written(v, 64).toString()).toBe('{"b":[1,null]}');
    expect(written(v, 64).equals(jcs(v))).toBe(true);
  });

  it.each([
    ["a lone high surrogate", "ab\ud800c", "/"],
    ["a lone low surrogate", "\udc00", "/"],
    ["a high surrogate at the end", "x\ud83d", "/"],
    ["a lone surrogate in a nested key", { a: [{ "k\udfff": 1 }] }, "/a/0/k\udfff"],
  ])("refuses %s, naming where it is", (_, v, pointer) => {
    let caught: unknown;
    try {
      written(v, 64);
    } catch (error) {
      caught = canonicalError(error, v, "");
    }
    expect(isCredrootError(caught, "INVALID_ARGUMENT")).toBe(true);
    expect((caught as Error).message).toBe(`a lone surrogate at ${pointer} has no canonical form`);
  });

  it.each([
    ["NaN", Number.NaN],
    ["Infinity", [Number.POSITIVE_INFINITY]],
    ["a bigint", { n: 1n }],
    ["a function", [() => 1]],
    ["a Date (toJSON is not JSON)", { d: new Date(0) }],
  ])("refuses %s with INVALID_ARGUMENT", (_, v) => {
    let caught: unknown;
    try {
      written(v as unknown as JsonValue, 64);
    } catch (error) {
      caught = canonicalError(error, v, "/field");
    }
    expect(isCredrootError(caught, "INVALID_ARGUMENT")).toBe(true);
    expect((caught as Error).message).toContain("/field");
  });
});
