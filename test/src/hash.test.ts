import { keccak256 as ethersKeccak256 } from "ethers";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { commitCredential } from "../../src/commit";
import { parseCredential } from "../../src/credential";
import { MODULE_BASE64 } from "../../src/keccak-wasm";
import { buildTree, proofOf, treeRoot } from "../../src/merkle";
import {
  compareBytes,
  fromHex32,
  isHex32,
  keccak256,
  keccak256Concat,
  randomSalt,
  toHex,
  utf8Bytes,
} from "../../src/hash";
import { expectCode, secretSequence, TEST_CONTEXT } from "./helpers";

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const concat = (parts: readonly Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

/** keccak-256 of the empty string, as published for Ethereum (`keccak256("")`). */
const KECCAK_EMPTY = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470";
/** keccak-256 of "abc". */
const KECCAK_ABC = "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45";

describe("toHex", () => {
  it("writes each byte as two lowercase hex digits after 0x", () => {
    expect(toHex(Uint8Array.from([0, 1, 15, 16, 171, 255]))).toBe("0x00010f10abff");
  });

  it("writes no bytes as a bare 0x", () => {
    expect(toHex(new Uint8Array(0))).toBe("0x");
  });

  it("agrees with Buffer's hex for any length, one call after another", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 5 }), (list) => {
        const hex = list.map(toHex);
        expect(hex).toEqual(list.map((b) => `0x${Buffer.from(b).toString("hex")}`));
      }),
      { numRuns: 200 },
    );
  });
});

describe("fromHex32", () => {
  it("round-trips any 32 bytes through toHex", () => {
    fc.assert(
      fc.property(bytes32, (bytes) => {
        const hex = toHex(bytes);
        expect(isHex32(hex)).toBe(true);
        expect(fromHex32(hex)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it("accepts uppercase hex digits and reads them as the same bytes", () => {
    const hex = toHex(keccak256(utf8Bytes("x")));
    expect(fromHex32(`0x${hex.slice(2).toUpperCase()}`)).toEqual(fromHex32(hex));
  });

  it.each([
    ["31 bytes", `0x${"ab".repeat(31)}`],
    ["33 bytes", `0x${"ab".repeat(33)}`],
    ["an odd number of digits", `0x${"a".repeat(63)}`],
    ["no 0x prefix", "ab".repeat(32)],
    ["a non-hex digit", `0x${"ab".repeat(31)}zz`],
    ["the empty string", ""],
    ["whitespace around the hex", ` 0x${"ab".repeat(32)}`],
    ["a digit outside ASCII", `0x${"ab".repeat(31)}a\u0660`],
    ["a digit whose char code is a hex digit's plus 256", `0x${"ab".repeat(31)}a\u0161`],
    ["0x after the digits", `${"ab".repeat(32)}0x`],
  ])("rejects %s with INVALID_ARGUMENT", (_, input) => {
    const error = expectCode(() => fromHex32(input), "INVALID_ARGUMENT");
    expect(error.message).toContain(JSON.stringify(input.slice(0, 80)));
  });
});

describe("isHex32", () => {
  it("accepts only 0x-prefixed lowercase 32-byte hex strings", () => {
    const hex = toHex(keccak256(utf8Bytes("y")));
    expect(isHex32(hex)).toBe(true);
    expect(isHex32(hex.toUpperCase())).toBe(false);
    expect(isHex32(`0x${hex.slice(2).toUpperCase()}`)).toBe(false);
    expect(isHex32(hex.slice(0, -2))).toBe(false);
    expect(isHex32(42)).toBe(false);
  });
});

describe("keccak256", () => {
  it("hashes the empty input to the known Ethereum constant", () => {
    expect(toHex(keccak256(new Uint8Array(0)))).toBe(KECCAK_EMPTY);
  });

  it('hashes "abc" to the known constant', () => {
    expect(toHex(keccak256(utf8Bytes("abc")))).toBe(KECCAK_ABC);
  });

  it("agrees with ethers' keccak256 on inputs around the rate (136 bytes) and the 16 KiB buffer", () => {
    for (const input of SAMPLE_INPUTS) expect(toHex(keccak256(input))).toBe(ethersKeccak256(input));
  });

  it("agrees with ethers' keccak256 on arbitrary input", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        expect(toHex(keccak256(data))).toBe(ethersKeccak256(data));
      }),
      { numRuns: 100 },
    );
  });
});

describe("keccak256Concat", () => {
  it("equals keccak256 of the concatenated parts", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 6 }), (parts) => {
        expect(keccak256Concat(...parts)).toEqual(keccak256(concat(parts)));
      }),
      { numRuns: 200 },
    );
  });

  it("equals keccak256 of the concatenation when the parts cross the 16 KiB buffer", () => {
    const parts = [SAMPLE_INPUTS[9]!, SAMPLE_INPUTS[7]!, SAMPLE_INPUTS[11]!, SAMPLE_INPUTS[2]!];
    expect(toHex(keccak256Concat(...parts))).toBe(ethersKeccak256(concat(parts)));
  });

  it("of no parts is keccak256 of the empty input", () => {
    expect(toHex(keccak256Concat())).toBe(KECCAK_EMPTY);
  });
});

describe("utf8Bytes", () => {
  it("encodes text as UTF-8", () => {
    expect([...utf8Bytes("aé€")]).toEqual([0x61, 0xc3, 0xa9, 0xe2, 0x82, 0xac]);
  });
});

describe("compareBytes", () => {
  it("orders byte strings of equal length lexicographically, first byte most significant", () => {
    const a = Uint8Array.from([1, 255, 255]);
    const b = Uint8Array.from([2, 0, 0]);
    expect(compareBytes(a, b)).toBeLessThan(0);
    expect(compareBytes(b, a)).toBeGreaterThan(0);
    expect(compareBytes(a, Uint8Array.from(a))).toBe(0);
  });

  it("compares bytes as unsigned numbers (0x80 sorts after 0x7f)", () => {
    expect(compareBytes(Uint8Array.from([0x80]), Uint8Array.from([0x7f]))).toBeGreaterThan(0);
  });

  it("has the sign of Buffer.compare for any two 32-byte strings", () => {
    fc.assert(
      fc.property(bytes32, bytes32, (a, b) => {
        expect(Math.sign(compareBytes(a, b))).toBe(Buffer.compare(Buffer.from(a), Buffer.from(b)));
      }),
      { numRuns: 300 },
    );
  });

  it("sorts 32-byte hashes in the order of their hex strings", () => {
    fc.assert(
      fc.property(fc.array(bytes32, { maxLength: 20 }), (list) => {
        const byBytes = [...list].sort(compareBytes).map(toHex);
        const byHex = list.map(toHex).sort();
        expect(byBytes).toEqual(byHex);
      }),
      { numRuns: 100 },
    );
  });
});

describe("randomSalt", () => {
  it("returns 32 bytes", () => {
    const salt = randomSalt();
    expect(salt).toBeInstanceOf(Uint8Array);
    expect(salt.length).toBe(32);
  });

  it("returns a different salt on every call", () => {
    const salts = new Set(Array.from({ length: 100 }, () => toHex(randomSalt())));
    expect(salts.size).toBe(100);
  });
});

describe("the WebAssembly keccak module", () => {
  it("is hash-wasm's sha3 module, byte for byte, and small enough to compile synchronously in a browser", () => {
    const dist = readFileSync(require.resolve("hash-wasm/dist/index.umd.js"), "utf8");
    const shipped = /var name\$\w+ = "sha3";\s*var data\$\w+ = "([^"]+)"/.exec(dist)?.[1];
    expect(shipped).toBe(MODULE_BASE64);
    expect(Buffer.from(MODULE_BASE64, "base64").length).toBeLessThanOrEqual(4096);
  });
});

/** Fresh copies of the library's modules, so that which keccak is loaded starts anew. */
async function freshLibrary() {
  vi.resetModules();
  const hash = await import("../../src/hash");
  const commit = await import("../../src/commit");
  const merkle = await import("../../src/merkle");
  return { ...hash, ...commit, ...merkle };
}

const SAMPLE_INPUTS = [0, 1, 31, 32, 135, 136, 137, 1000, 16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 50_000].map(
  (length) => Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 255),
);

describe("initHasher", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it("switches to the WebAssembly keccak, which agrees with the JavaScript one on every input", async () => {
    const { hasherKind, initHasher, keccak256: hash, keccak256Concat: hashConcat } = await freshLibrary();
    expect(hasherKind()).toBe("js");
    const before = SAMPLE_INPUTS.map((i) => toHex(hash(i)));
    const concatBefore = toHex(hashConcat(...SAMPLE_INPUTS));
    await initHasher();
    await initHasher(); // idempotent
    expect(hasherKind()).toBe("wasm");
    expect(SAMPLE_INPUTS.map((i) => toHex(hash(i)))).toEqual(before);
    expect(toHex(hashConcat(...SAMPLE_INPUTS))).toBe(concatBefore);
    expect(before).toEqual(SAMPLE_INPUTS.map((i) => ethersKeccak256(i)));
    expect(before[0]).toBe(KECCAK_EMPTY);
  });

  it("is not needed for issuance: the first commitment loads the WebAssembly keccak by itself", async () => {
    const lib = await freshLibrary();
    expect(lib.hasherKind()).toBe("js");
    const committed = lib.commitCredential(parseCredential(sampleCredential(3)), TEST_CONTEXT, {
      secret: secretSequence("lazy"),
    });
    expect(lib.hasherKind()).toBe("wasm");
    const again = commitCredential(parseCredential(sampleCredential(3)), TEST_CONTEXT, {
      secret: secretSequence("lazy"),
    });
    expect(committed).toEqual(again);
  });

  it("is not needed for a tree either", async () => {
    const lib = await freshLibrary();
    const leaves = SAMPLE_INPUTS.slice(0, 5).map((i) => lib.keccak256(i));
    expect(lib.hasherKind()).toBe("js");
    const tree = lib.buildTree(leaves);
    expect(lib.hasherKind()).toBe("wasm");
    expect(lib.treeRoot(tree)).toBe(treeRoot(buildTree(leaves)));
  });

  it("leaves verification on the JavaScript keccak until loaded, so a page that refuses WebAssembly never tries", async () => {
    const lib = await freshLibrary();
    const leaves = SAMPLE_INPUTS.slice(0, 4).map((i) => keccak256(i));
    const tree = buildTree(leaves);
    expect(lib.processProof(toHex(leaves[1]!), proofOf(tree, 1))).toBe(treeRoot(tree));
    expect(lib.hasherKind()).toBe("js");
  });

  it("falls back to the JavaScript keccak, same digests, where WebAssembly is refused", async () => {
    vi.stubGlobal("WebAssembly", {
      ...WebAssembly,
      Module: function refused() {
        throw new Error("Refused to compile or instantiate WebAssembly module");
      },
    });
    const lib = await freshLibrary();
    const long = { learningOutcomes: Array.from({ length: 12 }, (_, i) => `${i} ${"é€𝄞".repeat(500)}`) };
    const credential = parseCredential(sampleCredential(5, long));
    const committed = lib.commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("refused") });
    expect(lib.hasherKind()).toBe("js");
    vi.unstubAllGlobals();
    expect(committed).toEqual(commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("refused") }));
    expect(SAMPLE_INPUTS.map((i) => toHex(lib.keccak256(i)))).toEqual(SAMPLE_INPUTS.map((i) => ethersKeccak256(i)));
  });

  it("rejects where WebAssembly is refused altogether, and the library keeps hashing in JavaScript", async () => {
    vi.stubGlobal("WebAssembly", undefined);
    const lib = await freshLibrary();
    await expect(lib.initHasher()).rejects.toThrow();
    expect(lib.hasherKind()).toBe("js");
    expect(toHex(lib.keccak256(new Uint8Array(0)))).toBe(KECCAK_EMPTY);
  });
});
