import canonicalize from "canonicalize";
import { AbiCoder, keccak256 as ethersKeccak256 } from "ethers";
import fc from "fast-check";
import keccakPackage from "keccak256";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type AnchorContext,
  commitCredential,
  digestOf,
  digestOfOpening,
  fieldHashOf,
  type FieldOpening,
  leafOf,
  leafOfDigest,
  SALT_BYTES,
  saltOf,
  SECRET_BYTES,
  valueHash,
} from "../../src/commit";
import { type Credential, parseCredential } from "../../src/credential";
import { batchIdToBytes16, fromBase64url } from "../../src/encoding";
import { fromHex32, keccak256, toHex, utf8Bytes } from "../../src/hash";
import { flatten, type JsonValue } from "../../src/pointer";
import { expectCode, jsonValue, secretSequence, TEST_CONTEXT } from "./helpers";

/*
 * The v2 hashing, recomputed without the library (keccak256 package, ethers' ABI coder, the
 * canonicalize package) as a reimplementer would from the spec in src/commit.ts.
 */

const bytes16 = fc.uint8Array({ minLength: 16, maxLength: 16 });
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const coder = AbiCoder.defaultAbiCoder();

const jcs = (v: unknown) => {
  const text = canonicalize(v);
  if (text === undefined) throw new Error("not canonicalisable");
  return Buffer.from(text, "utf8");
};
const k = (...parts: Uint8Array[]) => keccakPackage(Buffer.concat(parts.map((p) => Buffer.from(p))));

function independentSalt(secret: Uint8Array, pointer: string): Buffer {
  return k(Buffer.from("credroot/salt/v2"), secret, Buffer.from(pointer, "utf8")).subarray(0, 16);
}

function independentFieldHash(secret: Uint8Array, pointer: string, value: JsonValue): Buffer {
  return k(Buffer.from(pointer, "utf8"), k(independentSalt(secret, pointer), jcs(value)));
}

function independentDigest(secret: Uint8Array, credential: { [key: string]: JsonValue }): string {
  const hashes = [...flatten(credential)].map(([p, v]) => independentFieldHash(secret, p, v));
  hashes.sort((a, b) => Buffer.compare(a, b));
  return `0x${k(Buffer.from("credroot/credential/v2"), ...hashes).toString("hex")}`;
}

function independentLeaf(context: AnchorContext, digest: string): string {
  const { chainId, registry, issuerId, batchId } = context;
  const encoded = coder.encode(
    ["uint256", "address", "uint64", "bytes16", "bytes32"],
    [chainId, registry, issuerId, batchIdToBytes16(batchId), digest],
  );
  return ethersKeccak256(ethersKeccak256(encoded));
}

const credential = parseCredential(sampleCredential(7, { validUntil: "2031-01-31" }));
const values = credential as unknown as { [key: string]: JsonValue };
const committed = commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("commit") });
const secret = fromBase64url(committed.secret);

const context: fc.Arbitrary<AnchorContext> = fc.record({
  chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  registry: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
  issuerId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  batchId: fc.uuid().map((u) => u.toLowerCase()),
});

function openingOf(
  s: Uint8Array,
  credentialValues: { [key: string]: JsonValue },
): FieldOpening & { shown: Map<string, { salt: Uint8Array; value: JsonValue }>; hidden: Map<string, Uint8Array> } {
  const shown = new Map([...flatten(credentialValues)].map(([p, value]) => [p, { salt: saltOf(s, p), value }]));
  return { shown, hidden: new Map() };
}

describe("saltOf", () => {
  it('is the first 16 bytes of keccak256("credroot/salt/v2" ‖ secret ‖ UTF-8 pointer)', () => {
    fc.assert(
      fc.property(bytes16, fc.string({ maxLength: 30 }), (s, pointer) => {
        fc.pre(!/[\ud800-\udfff]/.test(pointer));
        expect(Buffer.from(saltOf(s, pointer))).toEqual(independentSalt(s, pointer));
      }),
      { numRuns: 200 },
    );
    expect(SECRET_BYTES).toBe(16);
    expect(SALT_BYTES).toBe(16);
  });

  it("gives every pointer of a credential its own salt", () => {
    const pointers = [...flatten(values).keys()];
    expect(new Set(pointers.map((p) => toHex(saltOf(secret, p)))).size).toBe(pointers.length);
  });

  it("refuses a secret that is not 16 bytes", () => {
    expectCode(() => saltOf(new Uint8Array(32), "/id"), "INVALID_ARGUMENT");
  });
});

describe("valueHash and fieldHashOf", () => {
  it("are keccak256(salt ‖ JCS(value)) and keccak256(UTF-8 pointer ‖ value hash)", () => {
    fc.assert(
      fc.property(bytes16, fc.string({ maxLength: 30 }), jsonValue, (salt, pointer, value) => {
        fc.pre(!/[\ud800-\udfff]/.test(pointer + JSON.stringify(value)));
        const hashed = valueHash(salt, value);
        expect(Buffer.from(hashed)).toEqual(k(salt, jcs(value)));
        expect(Buffer.from(fieldHashOf(pointer, hashed))).toEqual(k(Buffer.from(pointer, "utf8"), hashed));
      }),
      { numRuns: 300 },
    );
  });

  it("matches a hand-built preimage for one field", () => {
    const salt = new Uint8Array(16).fill(7);
    const hashed = ethersKeccak256(Buffer.concat([Buffer.from(salt), Buffer.from('{"ects":3,"hours":84}')]));
    expect(toHex(valueHash(salt, { hours: 84, ects: 3 }))).toBe(hashed);
    const preimage = Buffer.concat([Buffer.from("/workload"), Buffer.from(hashed.slice(2), "hex")]);
    expect(toHex(fieldHashOf("/workload", fromHex32(hashed)))).toBe(ethersKeccak256(preimage));
  });

  it("does not depend on the key order of an object value (RFC 8785)", () => {
    const salt = new Uint8Array(16).fill(1);
    expect(valueHash(salt, { b: [1, { y: 2, x: 1 }], a: "é" })).toEqual(
      valueHash(salt, { a: "é", b: [1, { x: 1, y: 2 }] }),
    );
  });

  it("tells the string 1 from the number 1, and a value moved to another pointer", () => {
    const salt = new Uint8Array(16).fill(2);
    expect(valueHash(salt, "1")).not.toEqual(valueHash(salt, 1));
    const hashed = valueHash(salt, "Ana");
    expect(fieldHashOf("/learner/name", hashed)).not.toEqual(fieldHashOf("/learner/identifier", hashed));
  });

  it("refuses a salt that is not 16 bytes, and a value with a lone surrogate (which has no JCS form)", () => {
    expectCode(() => valueHash(new Uint8Array(32), "x"), "INVALID_ARGUMENT");
    const error = expectCode(() => valueHash(new Uint8Array(16), { title: "a\ud800" }), "INVALID_ARGUMENT");
    expect(error.message).toContain("lone surrogate at /title");
  });
});

describe("digestOf", () => {
  it('is keccak256("credroot/credential/v2" ‖ field hashes in ascending byte order)', () => {
    fc.assert(
      fc.property(fc.array(bytes32, { maxLength: 12 }), (hashes) => {
        const sorted = hashes.map((h) => Buffer.from(h)).sort((a, b) => Buffer.compare(a, b));
        expect(Buffer.from(digestOf(hashes))).toEqual(k(Buffer.from("credroot/credential/v2"), ...sorted));
      }),
      { numRuns: 200 },
    );
  });

  it("does not reorder the caller's array", () => {
    const hashes = [keccak256(utf8Bytes("b")), keccak256(utf8Bytes("a"))];
    const before = hashes.map(toHex);
    digestOf(hashes);
    expect(hashes.map(toHex)).toEqual(before);
  });
});

describe("leafOf", () => {
  it("is keccak256(keccak256(abi.encode(uint256 chainId, address registry, uint64 issuerId, bytes16 batchId, bytes32 digest)))", () => {
    fc.assert(
      fc.property(context, bytes32, (ctx, digest) => {
        expect(toHex(leafOf(ctx, digest))).toBe(independentLeaf(ctx, toHex(digest)));
        expect(leafOfDigest(ctx, toHex(digest))).toBe(independentLeaf(ctx, toHex(digest)));
      }),
      { numRuns: 200 },
    );
  });

  it("changes with each of chain, registry, issuer and batch: the leaf names where and by whom it is anchored", () => {
    const digest = fromHex32(committed.digest);
    const base = toHex(leafOf(TEST_CONTEXT, digest));
    const variants: AnchorContext[] = [
      { ...TEST_CONTEXT, chainId: 1 },
      { ...TEST_CONTEXT, registry: `0x${"11".repeat(20)}` },
      { ...TEST_CONTEXT, issuerId: 2 },
      { ...TEST_CONTEXT, batchId: "00000000-0000-4000-8000-000000000000" },
    ];
    const leaves = variants.map((v) => toHex(leafOf(v, digest)));
    expect(new Set([base, ...leaves]).size).toBe(5);
  });

  it("hashes the registry as 20 bytes, whatever its letter case", () => {
    const digest = fromHex32(committed.digest);
    const upper = { ...TEST_CONTEXT, registry: `0x${TEST_CONTEXT.registry.slice(2).toUpperCase()}` };
    expect(leafOf(upper, digest)).toEqual(leafOf(TEST_CONTEXT, digest));
  });

  it.each([
    ["chain id 0", { chainId: 0 }],
    ["a fractional issuer id", { issuerId: 1.5 }],
    ["issuer id 0", { issuerId: 0 }],
    ["a short registry", { registry: "0x1234" }],
    ["an uppercase batch id", { batchId: TEST_CONTEXT.batchId.toUpperCase() }],
  ])("refuses %s with INVALID_ARGUMENT", (_, change) => {
    expectCode(() => leafOf({ ...TEST_CONTEXT, ...change }, new Uint8Array(32)), "INVALID_ARGUMENT");
  });

  it("refuses a digest that is not 32 bytes", () => {
    expectCode(() => leafOf(TEST_CONTEXT, new Uint8Array(31)), "INVALID_ARGUMENT");
  });
});

describe("commitCredential", () => {
  it("gives the digest and leaf a reimplementation computes from the secret and the values", () => {
    expect(committed.digest).toBe(independentDigest(secret, values));
    expect(committed.leaf).toBe(independentLeaf(TEST_CONTEXT, committed.digest));
  });

  it("keeps the credential's values as given, nested, and a 16-byte base64url secret", () => {
    expect(committed.credential).toEqual(values);
    expect(committed.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(secret).toHaveLength(16);
  });

  it("gives the same commitment for the same credential and secret, and another with another secret", () => {
    const again = commitCredential(structuredClone(credential), TEST_CONTEXT, { secret: secretSequence("commit") });
    expect(again).toEqual(committed);
    const random = [0, 1].map(() => commitCredential(credential, TEST_CONTEXT));
    expect(random[0]!.secret).not.toBe(random[1]!.secret);
    expect(random[0]!.leaf).not.toBe(random[1]!.leaf);
  });

  it("rebuilds its digest from the opening a verifier sees (digestOfOpening), a hidden field included", () => {
    const opening = openingOf(secret, values);
    expect(toHex(digestOfOpening(opening))).toBe(committed.digest);
    const email = opening.shown.get("/learner/email")!;
    const shown = new Map(opening.shown);
    shown.delete("/learner/email");
    const hidden = new Map([["/learner/email", valueHash(email.salt, email.value)]]);
    expect(toHex(digestOfOpening({ shown, hidden }))).toBe(committed.digest);
    // The same value hash filed under another pointer is another field.
    const moved = new Map([["/learner/phone", hidden.get("/learner/email")!]]);
    expect(toHex(digestOfOpening({ shown, hidden: moved }))).not.toBe(committed.digest);
  });

  it("changes the digest when any one value changes, or any bit of the secret", () => {
    const pointers = [...flatten(values).keys()];
    fc.assert(
      fc.property(fc.nat({ max: pointers.length - 1 }), jsonValue, fc.nat({ max: 127 }), (i, replacement, bit) => {
        const pointer = pointers[i]!;
        const opening = openingOf(secret, values);
        const field = opening.shown.get(pointer)!;
        fc.pre(
          canonicalize(replacement) !== canonicalize(field.value) &&
            !/[\ud800-\udfff]/.test(JSON.stringify(replacement)),
        );
        opening.shown.set(pointer, { ...field, value: replacement });
        expect(toHex(digestOfOpening(opening))).not.toBe(committed.digest);
        const flipped = Uint8Array.from(secret);
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        expect(toHex(digestOfOpening(openingOf(flipped, values)))).not.toBe(committed.digest);
      }),
      { numRuns: 200 },
    );
  });

  it("changes the digest when a field is dropped or two values swap pointers", () => {
    const opening = openingOf(secret, values);
    const dropped = new Map(opening.shown);
    dropped.delete("/learner/email");
    expect(toHex(digestOfOpening({ shown: dropped, hidden: new Map() }))).not.toBe(committed.digest);
    const swapped = new Map(opening.shown);
    const name = swapped.get("/learner/name")!;
    swapped.set("/learner/name", { ...name, value: swapped.get("/learner/identifier")!.value });
    swapped.set("/learner/identifier", { ...swapped.get("/learner/identifier")!, value: name.value });
    expect(toHex(digestOfOpening({ shown: swapped, hidden: new Map() }))).not.toBe(committed.digest);
  });

  it("gives a reimplementation's digest for any JSON object, nested, keys with ~ and / included", () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("a/b", "~", "~1", "", "é", "😀"));
    const object = fc.dictionary(key, fc.oneof(jsonValue, fc.dictionary(key, jsonValue, { maxKeys: 3 })), {
      maxKeys: 6,
      noNullPrototype: true,
    });
    fc.assert(
      fc.property(object, (values) => {
        fc.pre(!/[\ud800-\udfff]/.test(JSON.stringify(values).replace(/😀/g, "")));
        const c = commitCredential(values as unknown as Credential, TEST_CONTEXT, { secret: secretSequence("any") });
        expect(c.digest).toBe(independentDigest(fromBase64url(c.secret), values));
        expect(c.leaf).toBe(independentLeaf(TEST_CONTEXT, c.digest));
      }),
      { numRuns: 200 },
    );
  });

  it("hashes values longer than the hasher's 16 KiB buffer, and a pointer that long", () => {
    const outcomes = Array.from({ length: 20 }, (_, i) => `${i} ${"é€😀".repeat(400)}`);
    const long = parseCredential(sampleCredential(2, { learningOutcomes: outcomes }));
    const c = commitCredential(long, TEST_CONTEXT, { secret: secretSequence("long") });
    expect(c.digest).toBe(independentDigest(fromBase64url(c.secret), long as unknown as { [key: string]: JsonValue }));
    const deep = { ["k".repeat(20_000)]: { x: "v" } } as unknown as Credential;
    const d = commitCredential(deep, TEST_CONTEXT, { secret: secretSequence("deep") });
    expect(d.digest).toBe(independentDigest(fromBase64url(d.secret), deep as unknown as { [key: string]: JsonValue }));
  });

  it("skips undefined properties, as JSON would, and commits an empty object as a value", () => {
    const values = { a: 1, b: undefined, c: {}, d: { e: undefined } } as unknown as Credential;
    const c = commitCredential(values, TEST_CONTEXT, { secret: secretSequence("undefined") });
    expect(c.digest).toBe(independentDigest(fromBase64url(c.secret), { a: 1, c: {} }));
  });

  it("refuses a key with a lone surrogate, naming its pointer", () => {
    const values = { learner: { ["n\udc00"]: "x" } } as unknown as Credential;
    const error = expectCode(() => commitCredential(values, TEST_CONTEXT), "INVALID_ARGUMENT");
    expect(error.message).toBe("a lone surrogate at /learner/n\udc00 has no canonical form");
  });

  it("refuses a value that is not JSON (NaN) with INVALID_ARGUMENT, naming its pointer", () => {
    const error = expectCode(
      () => commitCredential({ ...credential, eqfLevel: Number.NaN }, TEST_CONTEXT),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toContain("/eqfLevel");
  });

  it("commits the next credential correctly after one was refused midway", () => {
    expectCode(
      () => commitCredential({ ...credential, title: `${"x".repeat(20_000)}\ud800` }, TEST_CONTEXT),
      "INVALID_ARGUMENT",
    );
    expect(commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("commit") })).toEqual(committed);
  });

  it("gives the right digest when a value's getter hashes, and refuses one that commits meanwhile", () => {
    const hashing = { ...values };
    Object.defineProperty(hashing, "title", {
      enumerable: true,
      get: () => (keccak256(utf8Bytes("side effect")), values.title),
    });
    const c = commitCredential(hashing as unknown as Credential, TEST_CONTEXT, { secret: secretSequence("commit") });
    expect(c.digest).toBe(committed.digest);
    const nested = { ...values };
    Object.defineProperty(nested, "title", {
      enumerable: true,
      get: () => commitCredential(credential, TEST_CONTEXT).digest,
    });
    const error = expectCode(() => commitCredential(nested as unknown as Credential, TEST_CONTEXT), "INVALID_ARGUMENT");
    expect(error.message).toContain("plain JSON data");
    expect(commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("commit") })).toEqual(committed);
  });

  it("refuses a secret source that returns other than 16 bytes", () => {
    expectCode(
      () => commitCredential(credential, TEST_CONTEXT, { secret: () => new Uint8Array(32) }),
      "INVALID_ARGUMENT",
    );
  });

  // Issue 11: RFC 8785 has no canonical form for a lone surrogate, so no strict reimplementation
  // could reproduce such a leaf; the library refuses to commit one rather than anchor it.
  it("refuses a credential with a lone surrogate (a caller skipping parseCredential)", () => {
    const error = expectCode(
      () => commitCredential({ ...credential, title: "Data\ud800" }, TEST_CONTEXT),
      "INVALID_ARGUMENT",
    );
    expect(error.message).toBe("a lone surrogate at /title has no canonical form");
  });
});

describe("digestOfOpening, hashed in place", () => {
  const pointer = fc.string({ maxLength: 10 }).map((key) => `/${key.replace(/[\ud800-\udfff]/g, "x")}`);
  const salt = fc.uint8Array({ minLength: 16, maxLength: 16 });

  it("equals digestOf the field hashes that valueHash and fieldHashOf give one by one", () => {
    fc.assert(
      fc.property(
        fc.dictionary(pointer, fc.record({ salt, value: jsonValue }), { maxKeys: 8 }),
        fc.dictionary(pointer, fc.uint8Array({ minLength: 0, maxLength: 40 }), { maxKeys: 4 }),
        (shownRecord, hiddenRecord) => {
          const shown = new Map(Object.entries(shownRecord));
          const hidden = new Map(Object.entries(hiddenRecord));
          const hashes = [
            ...[...shown].map(([p, { salt: s, value }]) => fieldHashOf(p, valueHash(s, value))),
            ...[...hidden].map(([p, hashed]) => fieldHashOf(p, hashed)),
          ];
          expect(toHex(digestOfOpening({ shown, hidden }))).toBe(toHex(digestOf(hashes)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a salt that is not 16 bytes, and a value with no canonical form, as valueHash does", () => {
    const hidden = new Map<string, Uint8Array>();
    const short = new Map([["/a", { salt: new Uint8Array(15), value: 1 }]]);
    expect(expectCode(() => digestOfOpening({ shown: short, hidden }), "INVALID_ARGUMENT").message).toBe(
      "a salt must be 16 bytes",
    );
    const lone = new Map([["/a", { salt: new Uint8Array(16), value: { k: "x\ud800" } }]]);
    const error = expectCode(() => digestOfOpening({ shown: lone, hidden }), "INVALID_ARGUMENT");
    expect(error.message).toBe(
      expectCode(() => valueHash(new Uint8Array(16), { k: "x\ud800" }), "INVALID_ARGUMENT").message,
    );
    expect(toHex(digestOfOpening({ shown: new Map(), hidden }))).toBe(toHex(digestOf([])));
  });
});

describe("a value's getter that hashes and swallows the refusal", () => {
  /** `{ k: "x" }` whose getter first tries valueHash (refused mid-hash) and ignores the error. */
  function sneaky(): JsonValue {
    const value = {};
    Object.defineProperty(value, "k", {
      enumerable: true,
      get() {
        try {
          valueHash(new Uint8Array(16), 1);
        } catch {
          // swallowed: the outer hash must still come out right
        }
        return "x";
      },
    });
    return value;
  }

  it("leaves the outer valueHash as it would be without the getter", () => {
    const salt = new Uint8Array(16).fill(7);
    expect(toHex(valueHash(salt, sneaky()))).toBe(toHex(valueHash(salt, { k: "x" })));
  });

  it("leaves the outer commitment as it would be without the getter (in an array: hashed as one value)", () => {
    const plain = commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("getter") });
    const withGetter = { ...(credential as unknown as { [key: string]: JsonValue }), title: [sneaky()] };
    const expected = { ...(credential as unknown as { [key: string]: JsonValue }), title: [{ k: "x" }] };
    const a = commitCredential(withGetter as unknown as Credential, TEST_CONTEXT, { secret: secretSequence("g2") });
    const b = commitCredential(expected as unknown as Credential, TEST_CONTEXT, { secret: secretSequence("g2") });
    expect(a.digest).toBe(b.digest);
    expect(plain.digest).not.toBe(b.digest);
  });
});
