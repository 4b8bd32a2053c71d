/**
 * The hostile values the bundle mutations (bundle-mutations.ts) put into a bundle: flipped bits,
 * numbers and dates a parser may mishandle, wrong types, and raw JSON fragments.
 */
import fc from "fast-check";
import { fromBase64url, type Hex32, type JsonValue, toBase64url, toHex } from "../../src";

/** A random 32-byte value, 0x-hex. */
export const hex32: fc.Arbitrary<Hex32> = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => toHex(b));
/** 32 random bytes. */
export const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** A random 20-byte address, 0x-hex. */
export const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b));

/** Flips bit `bit` of a 32-byte lowercase hex string. */
export function flipBit(hex: string, bit: number): string {
  const at = 2 + Math.floor((bit % 256) / 4);
  const nibble = Number.parseInt(hex[at] ?? "0", 16) ^ (1 << (bit % 4));
  return `${hex.slice(0, at)}${nibble.toString(16)}${hex.slice(at + 1)}`;
}

/** Flips bit `bit` of the bytes that canonical base64url `text` encodes, and re-encodes them. */
export function flipBase64urlBit(text: string, bit: number): string {
  const bytes = fromBase64url(text);
  if (bytes.length === 0) return text;
  const i = Math.floor(bit / 8) % bytes.length;
  bytes[i]! ^= 1 << (bit % 8);
  return toBase64url(bytes);
}

/** A JSON Pointer, of the bundle's fields or made up. */
export const pointer = fc.oneof(
  fc.constantFrom("/learner/name", "/learner/email", "/validUntil", "/extra", "/id", "/learner", "/a~1b", "/__proto__"),
  fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }).map((t) => `/${t.join("/")}`),
);
/** An object key, of the format's fields, prototype names or made up. */
export const key = fc.oneof(
  fc.constantFrom("extra", "awardingBody", "__proto__", "constructor", "validUntil", "title", "a/b", "~"),
  fc.string({ minLength: 1, maxLength: 8 }),
);

/** Numbers a JSON parser or a schema may mishandle. */
export const AWKWARD_NUMBERS = [1e308, 2 ** 53 + 1, 2 ** 53, -1, 0, 1.5, -0, Number.NaN, Infinity, Number.MIN_VALUE];
/** The same, and worse, as JSON text. */
export const AWKWARD_NUMBER_TEXT = [
  "1e308",
  "-1e308",
  "1e400",
  "-1e400",
  "9007199254740993",
  "-0",
  "1e-400",
  "123456789012345678901234567890123456789",
  "0.10000000000000000000001",
];

/** `validUntil` forms a verifier could not read, and canonical ones of other days. */
export const VALID_UNTIL = [
  "2099-12-31T23:59:60.000Z",
  "2099-12-31T23:59:59+01",
  "2099-12-31T23:59:59Z",
  "2099-12-31T23:59:59.000z",
  "2099-02-30",
  "2099-13-01",
  "2099-12-31T24:00:00.000Z",
  "2100-01-01",
  "2099-12-30",
  "2099-12-31T23:59:59.999Z",
];

/** A value to put where something else belongs: JSON of every type, and the non-JSON numbers. */
export const wrongValue: fc.Arbitrary<JsonValue> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>,
  fc.constantFrom<JsonValue>(
    ...AWKWARD_NUMBERS,
    "",
    "0x",
    "\ud800",
    `0x${"g".repeat(64)}`,
    "AAAAAAAAAAAAAAAAAAAAAA",
    "A".repeat(43),
    [],
    {},
  ),
);

/** Raw JSON text spliced in place of a value: deep nesting, huge numbers, prototype keys, lone surrogates. */
export const rawFragment: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(fc.oneof(fc.constant(10_000), fc.integer({ min: 1, max: 12_000 })), fc.boolean())
    .map(([depth, arrays]) =>
      arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`,
    ),
  fc.constantFrom(...AWKWARD_NUMBER_TEXT),
  fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '"\\ud800"',
    '"\\udfff\\ud800"',
    '"\\u0000"',
    `"${"x".repeat(300_000)}"`,
  ),
  fc.json({ maxDepth: 3 }),
);
