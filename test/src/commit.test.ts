import canonicalize from "canonicalize";
import { AbiCoder, keccak256 as ethersKeccak256 } from "ethers";
import fc from "fast-check";
import keccakPackage from "keccak256";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  commitCredential,
  digestOf,
  digestOfFields,
  type Fields,
  fieldCommitmentHash,
  fieldHash,
  hideField,
  isHidden,
  leafOf,
  valueHash,
} from "../../src/commit";
import { fromHex32, keccak256, toHex, utf8Bytes } from "../../src/hash";
import { flatten, type JsonValue } from "../../src/pointer";
import { expectCode, jsonValue, saltSequence } from "./helpers";

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });

const text = (v: unknown) => {
  const canonical = canonicalize(v);
  if (canonical === undefined) throw new Error("not canonicalisable");
  return Buffer.from(canonical, "utf8");
};

/** The field hash recomputed without the library: keccak256(JCS(pointer) ‖ keccak256(salt ‖ JCS(value))). */
function independentFieldHash(pointer: string, salt: Uint8Array, value: JsonValue): string {
  const hashedValue = keccakPackage(Buffer.concat([Buffer.from(salt), text(value)]));
  return `0x${keccakPackage(Buffer.concat([text(pointer), hashedValue])).toString("hex")}`;
}

/** Fields with the same entries in another order. */
function reordered(fields: Fields, order: readonly string[]): Fields {
  return Object.fromEntries(order.map((p) => [p, fields[p]!]));
}

const committed = commitCredential(sampleCredential(7, { validUntil: "2031-01-31" }), { salt: saltSequence("commit") });
const pointers = Object.keys(committed.fields);

describe("fieldHash", () => {
  it("is keccak256(JSON string of the pointer ‖ keccak256(salt ‖ canonical JSON of the value))", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), bytes32, jsonValue, (pointer, salt, value) => {
        expect(toHex(fieldHash(pointer, salt, value))).toBe(independentFieldHash(pointer, salt, value));
      }),
      { numRuns: 300 },
    );
  });

  it("matches a hand-built preimage for one field", () => {
    const salt = new Uint8Array(32).fill(7);
    const hashedValue = ethersKeccak256(Buffer.concat([Buffer.from(salt), Buffer.from('{"ects":3,"hours":84}')]));
    const preimage = Buffer.concat([Buffer.from('"/workload"'), Buffer.from(hashedValue.slice(2), "hex")]);
    expect(toHex(valueHash(salt, { hours: 84, ects: 3 }))).toBe(hashedValue);
    expect(toHex(fieldHash("/workload", salt, { hours: 84, ects: 3 }))).toBe(ethersKeccak256(preimage));
  });

  it("does not depend on the key order of an object value (RFC 8785)", () => {
    const salt = keccak256(utf8Bytes("s"));
    expect(fieldHash("/v", salt, { b: [1, { y: 2, x: 1 }], a: "é" })).toEqual(
      fieldHash("/v", salt, { a: "é", b: [1, { x: 1, y: 2 }] }),
    );
  });

  it("separates pointer from value unambiguously (/a1 with 2 differs from /a with 12)", () => {
    const salt = keccak256(utf8Bytes("boundary"));
    expect(toHex(fieldHash("/a1", salt, 2))).not.toBe(toHex(fieldHash("/a", salt, 12)));
    expect(toHex(fieldHash("/a", salt, "bc"))).not.toBe(toHex(fieldHash("/ab", salt, "c")));
    expect(toHex(fieldHash("/a", salt, "1"))).not.toBe(toHex(fieldHash("/a", salt, 1)));
  });

  it("gives different hashes for the same value under different pointers or salts", () => {
    const salt = keccak256(utf8Bytes("p"));
    const other = keccak256(utf8Bytes("q"));
    expect(fieldHash("/learner/name", salt, "Ana")).not.toEqual(fieldHash("/learner/identifier", salt, "Ana"));
    expect(fieldHash("/learner/name", salt, "Ana")).not.toEqual(fieldHash("/learner/name", other, "Ana"));
  });
});

describe("fieldCommitmentHash", () => {
  it("recomputes the hash of a disclosed field", () => {
    const field = committed.fields["/learner/name"]!;
    expect(fieldCommitmentHash("/learner/name", field)).toEqual(
      fieldHash("/learner/name", fromHex32(field.salt), field.value),
    );
  });

  it("gives a hidden field the hash of its disclosed form, under the same pointer only", () => {
    const field = committed.fields["/learner/name"]!;
    const hidden = hideField(field);
    expect(hidden).toEqual({ hash: toHex(valueHash(fromHex32(field.salt), field.value)) });
    expect(fieldCommitmentHash("/learner/name", hidden)).toEqual(fieldCommitmentHash("/learner/name", field));
    expect(fieldCommitmentHash("/learner/email", hidden)).not.toEqual(fieldCommitmentHash("/learner/name", field));
  });
});

describe("isHidden", () => {
  it("tells a hidden field from a disclosed one", () => {
    expect(isHidden({ hash: toHex(keccak256(utf8Bytes("h"))) })).toBe(true);
    expect(isHidden(committed.fields["/id"]!)).toBe(false);
  });
});

describe("digestOf", () => {
  it('is keccak256("credroot/credential/v1" ‖ field hashes in ascending byte order)', () => {
    fc.assert(
      fc.property(fc.array(bytes32, { maxLength: 12 }), (hashes) => {
        const sorted = hashes.map((h) => Buffer.from(h)).sort((a, b) => Buffer.compare(a, b));
        const expected = keccakPackage(Buffer.concat([Buffer.from("credroot/credential/v1"), ...sorted]));
        expect(toHex(digestOf(hashes))).toBe(`0x${expected.toString("hex")}`);
      }),
      { numRuns: 200 },
    );
  });

  it("does not depend on the order of the field hashes", () => {
    const permuted = fc
      .array(bytes32, { minLength: 1, maxLength: 12 })
      .chain((list) => fc.tuple(fc.constant(list), fc.shuffledSubarray(list, { minLength: list.length })));
    fc.assert(
      fc.property(permuted, ([list, shuffled]) => {
        expect(digestOf(shuffled)).toEqual(digestOf(list));
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
  it("is keccak256(keccak256(digest)), as ethers computes from abi.encode(bytes32)", () => {
    const coder = AbiCoder.defaultAbiCoder();
    fc.assert(
      fc.property(bytes32, (digest) => {
        const leaf = toHex(leafOf(digest));
        expect(leaf).toBe(toHex(keccak256(keccak256(digest))));
        expect(leaf).toBe(ethersKeccak256(ethersKeccak256(coder.encode(["bytes32"], [toHex(digest)]))));
      }),
      { numRuns: 100 },
    );
  });

  it("differs from the digest and from its single hash", () => {
    const digest = keccak256(utf8Bytes("d"));
    expect(leafOf(digest)).not.toEqual(digest);
    expect(leafOf(digest)).not.toEqual(keccak256(digest));
  });
});

describe("digestOfFields", () => {
  it("equals the committed digest, whatever the order of the fields", () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(pointers, { minLength: pointers.length }), (order) => {
        expect(toHex(digestOfFields(reordered(committed.fields, order)))).toBe(committed.digest);
      }),
      { numRuns: 50 },
    );
  });

  it("is unchanged when a field is replaced by its hash", () => {
    const fields: Fields = { ...committed.fields };
    fields["/learner/email"] = {
      hash: hideField(committed.fields["/learner/email"]!).hash,
    };
    expect(toHex(digestOfFields(fields))).toBe(committed.digest);
  });

  it("changes when a field is dropped", () => {
    const { ["/learner/email"]: _dropped, ...rest } = committed.fields;
    expect(toHex(digestOfFields(rest))).not.toBe(committed.digest);
  });
});

describe("commitCredential", () => {
  it("salts every flattened field of the credential once", () => {
    const credential = sampleCredential(7, { validUntil: "2031-01-31" });
    expect(pointers).toEqual([...flatten(credential as unknown as { [key: string]: JsonValue }).keys()]);
    for (const [pointer, value] of flatten(credential as unknown as { [key: string]: JsonValue })) {
      expect(committed.fields[pointer]!.value).toEqual(value);
    }
    expect(new Set(pointers.map((p) => committed.fields[p]!.salt)).size).toBe(pointers.length);
  });

  it("gives the digest of its fields and the leaf of its digest", () => {
    expect(toHex(digestOfFields(committed.fields))).toBe(committed.digest);
    expect(toHex(leafOf(fromHex32(committed.digest)))).toBe(committed.leaf);
  });

  it("gives the same leaf for the same credential and the same salts", () => {
    const again = commitCredential(structuredClone(sampleCredential(7, { validUntil: "2031-01-31" })), {
      salt: saltSequence("commit"),
    });
    expect(again).toEqual(committed);
  });

  it("gives different leaves for the same credential with its default random salts", () => {
    const credential = sampleCredential(3);
    expect(commitCredential(credential).leaf).not.toBe(commitCredential(credential).leaf);
  });

  it("rejects a salt source that returns other than 32 bytes with INVALID_ARGUMENT", () => {
    expectCode(() => commitCredential(sampleCredential(0), { salt: () => new Uint8Array(31) }), "INVALID_ARGUMENT");
  });

  it("changes the leaf when any one field value changes", () => {
    const index = fc.nat({ max: pointers.length - 1 });
    fc.assert(
      fc.property(index, jsonValue, (i, replacement) => {
        const pointer = pointers[i]!;
        const original = committed.fields[pointer]!;
        fc.pre(canonicalize(replacement) !== canonicalize(original.value));
        const fields: Fields = { ...committed.fields, [pointer]: { salt: original.salt, value: replacement } };
        expect(toHex(leafOf(digestOfFields(fields)))).not.toBe(committed.leaf);
      }),
      { numRuns: 200 },
    );
  });

  it("changes the leaf when any bit of any salt changes", () => {
    fc.assert(
      fc.property(fc.nat({ max: pointers.length - 1 }), fc.nat({ max: 255 }), (i, bit) => {
        const pointer = pointers[i]!;
        const original = committed.fields[pointer]!;
        const salt = fromHex32(original.salt);
        salt[bit >> 3]! ^= 1 << (bit & 7);
        const fields: Fields = { ...committed.fields, [pointer]: { salt: toHex(salt), value: original.value } };
        expect(toHex(leafOf(digestOfFields(fields)))).not.toBe(committed.leaf);
      }),
      { numRuns: 200 },
    );
  });

  it("changes the leaf when a value moves to another pointer", () => {
    const fields: Fields = { ...committed.fields };
    const name = fields["/learner/name"]!;
    const identifier = fields["/learner/identifier"]!;
    fields["/learner/name"] = identifier;
    fields["/learner/identifier"] = name;
    expect(toHex(leafOf(digestOfFields(fields)))).not.toBe(committed.leaf);
  });
});
