import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  base64urlToHex32,
  batchIdToBytes16,
  bytes16ToBatchId,
  chunksOf,
  fixedBase64url,
  fromBase64url,
  hex32ToBase64url,
  isBatchId,
  joinBase64url,
  newBatchId,
  toBase64url,
} from "../../src/encoding";
import { toHex } from "../../src/hash";
import { expectCode } from "./helpers";

const bytes = fc.uint8Array({ maxLength: 100 });
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const uuid = fc.uuid().map((u) => u.toLowerCase());

describe("toBase64url", () => {
  it("agrees with Node's base64url (RFC 4648 §5, unpadded) on any bytes", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(toBase64url(b)).toBe(Buffer.from(b).toString("base64url"));
      }),
      { numRuns: 300 },
    );
  });

  it("writes the RFC 4648 test vectors without padding, - and _ for 62 and 63", () => {
    const vectors = ["", "f", "fo", "foo", "foob", "fooba", "foobar"].map((t) => toBase64url(Buffer.from(t)));
    expect(vectors).toEqual(["", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"]);
    expect(toBase64url(Uint8Array.from([0xfb, 0xff]))).toBe("-_8");
  });
});

describe("fromBase64url", () => {
  it("round-trips any bytes through toBase64url", () => {
    fc.assert(
      fc.property(bytes, (b) => {
        expect(fromBase64url(toBase64url(b))).toEqual(b);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["padding", "Zg==", '"=" at 2'],
    ["one pad character", "Zm8=", '"=" at 3'],
    ["the + of standard base64", "+_8", '"+" at 0'],
    ["the / of standard base64", "-/8", '"/" at 1'],
    ["whitespace", "Zm9v Yg", '" " at 4'],
    ["a non-ASCII letter", "Zm9é", '"é" at 3'],
    ["an impossible length (4n + 1)", "Zm9vY", "impossible length"],
  ])("refuses %s with INVALID_ARGUMENT", (_, text, message) => {
    expect(expectCode(() => fromBase64url(text), "INVALID_ARGUMENT").message).toContain(message);
  });

  it("refuses text whose unused low bits are set, so each byte string has one text form", () => {
    // "Zg" is the one canonical form of "f" (0x66); "Zh" … "Zv" decode to the same byte in lax decoders.
    expect(Buffer.from("Zh", "base64url")).toEqual(Buffer.from("f"));
    for (const text of ["Zh", "Zv", "Zm9", "Zm-"]) {
      const error = expectCode(() => fromBase64url(text), "INVALID_ARGUMENT");
      expect(error.message).toContain("unused bits are set");
    }
    expect(fromBase64url("Zm8")).toEqual(Uint8Array.from(Buffer.from("fo")));
  });

  it("accepts exactly one text per byte string (any text it accepts is what toBase64url writes)", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...alphabet.split("")), maxLength: 24 }), (text) => {
        let decoded: Uint8Array;
        try {
          decoded = fromBase64url(text);
        } catch {
          return;
        }
        expect(toBase64url(decoded)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe("fixedBase64url and chunksOf", () => {
  it("reads exactly the length asked for", () => {
    const text = toBase64url(new Uint8Array(16).fill(7));
    expect(fixedBase64url(text, 16, "the secret")).toEqual(new Uint8Array(16).fill(7));
    const error = expectCode(() => fixedBase64url(text, 32, "the secret"), "INVALID_ARGUMENT");
    expect(error.message).toBe("the secret must be 32 bytes, got 16");
  });

  it("splits concatenated hashes back into 32-byte pieces, and refuses a remainder", () => {
    fc.assert(
      fc.property(fc.array(bytes32, { maxLength: 20 }), (pieces) => {
        expect(chunksOf(joinBase64url(pieces), 32, "proof")).toEqual(pieces);
      }),
      { numRuns: 100 },
    );
    const error = expectCode(() => chunksOf(toBase64url(new Uint8Array(33)), 32, "the proof"), "INVALID_ARGUMENT");
    expect(error.message).toBe("the proof must be a multiple of 32 bytes, got 33");
    expect(chunksOf("", 32, "the proof")).toEqual([]);
  });

  it("converts 32-byte hashes between 0x-hex and 43 base64url characters", () => {
    fc.assert(
      fc.property(bytes32, (b) => {
        const text = hex32ToBase64url(toHex(b));
        expect(text).toHaveLength(43);
        expect(base64urlToHex32(text)).toBe(toHex(b));
      }),
      { numRuns: 100 },
    );
    expectCode(() => base64urlToHex32(toBase64url(new Uint8Array(31))), "INVALID_ARGUMENT");
  });
});

describe("batch ids (uuid ↔ bytes16)", () => {
  it("maps a lowercase UUID to 0x and its 32 hex digits, and back", () => {
    expect(batchIdToBytes16("7f3c2a10-5b6e-4d8f-9a01-23456789abcd")).toBe("0x7f3c2a105b6e4d8f9a0123456789abcd");
    expect(bytes16ToBatchId("0x7f3c2a105b6e4d8f9a0123456789abcd")).toBe("7f3c2a10-5b6e-4d8f-9a01-23456789abcd");
    fc.assert(
      fc.property(uuid, (id) => {
        expect(bytes16ToBatchId(batchIdToBytes16(id))).toBe(id);
      }),
      { numRuns: 200 },
    );
  });

  it("reads any 16 bytes of hex, in either case, as a lowercase UUID form", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.boolean(), (b, upper) => {
        const hex = Buffer.from(b).toString("hex");
        const id = bytes16ToBatchId(`0x${upper ? hex.toUpperCase() : hex}`);
        expect(isBatchId(id)).toBe(true);
        expect(batchIdToBytes16(id)).toBe(`0x${hex}`);
      }),
      { numRuns: 100 },
    );
  });

  it.each([
    ["uppercase", "7F3C2A10-5B6E-4D8F-9A01-23456789ABCD"],
    ["no dashes", "7f3c2a105b6e4d8f9a0123456789abcd"],
    ["braces", "{7f3c2a10-5b6e-4d8f-9a01-23456789abcd}"],
    ["a short group", "7f3c2a1-5b6e-4d8f-9a01-23456789abcd"],
    ["0x hex", "0x7f3c2a105b6e4d8f9a0123456789abcd"],
  ])("refuses a batch id in %s with INVALID_ARGUMENT", (_, id) => {
    expect(isBatchId(id)).toBe(false);
    expect(expectCode(() => batchIdToBytes16(id), "INVALID_ARGUMENT").message).toContain("lowercase UUID");
  });

  it("refuses bytes16 hex that is not 16 bytes", () => {
    expectCode(() => bytes16ToBatchId(`0x${"ab".repeat(15)}`), "INVALID_ARGUMENT");
    expectCode(() => bytes16ToBatchId(`0x${"ab".repeat(17)}`), "INVALID_ARGUMENT");
    expectCode(() => bytes16ToBatchId(`0x${"zz".repeat(16)}`), "INVALID_ARGUMENT");
  });

  it("makes new batch ids that are distinct lowercase RFC 4122 v4 UUIDs", () => {
    const ids = Array.from({ length: 200 }, newBatchId);
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) {
      expect(isBatchId(id)).toBe(true);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
