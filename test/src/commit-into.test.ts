import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { commitCredential } from "../../src/commit";
import { commitInto, randomSecret } from "../../src/commit-into";
import { parseCredential } from "../../src/credential";
import { fromBase64url } from "../../src/encoding";
import { toHex } from "../../src/hash";
import { expectCode, secretSequence, TEST_CONTEXT } from "./helpers";

describe("randomSecret", () => {
  it("never repeats a secret over 20,000 draws (five refills of its pool)", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const secret = randomSecret();
      expect(secret.length).toBe(16);
      seen.add(toHex(secret));
    }
    expect(seen.size).toBe(20_000);
  });

  it("hands out a copy: changing one secret changes no other", () => {
    const a = randomSecret();
    const b = randomSecret();
    const before = toHex(b);
    a.fill(0);
    expect(toHex(b)).toBe(before);
    expect(a.buffer).not.toBe(b.buffer);
  });
});

describe("commitInto", () => {
  const credential = parseCredential(sampleCredential(3));

  it("commits as commitCredential does and writes the leaf's bytes where it is told", () => {
    const leaves = new Uint8Array(96);
    const committed = commitInto(credential, TEST_CONTEXT, { secret: secretSequence("into") }, leaves, 32);
    expect(committed).toEqual(commitCredential(credential, TEST_CONTEXT, { secret: secretSequence("into") }));
    expect(toHex(leaves.subarray(32, 64))).toBe(committed.leaf);
    expect(leaves.subarray(0, 32).every((b) => b === 0) && leaves.subarray(64).every((b) => b === 0)).toBe(true);
  });

  it("draws a new secret per credential when none is given", () => {
    const a = commitInto(credential, TEST_CONTEXT, {});
    const b = commitInto(credential, TEST_CONTEXT, {});
    expect(fromBase64url(a.secret).length).toBe(16);
    expect(a.secret).not.toBe(b.secret);
    expect(a.leaf).not.toBe(b.leaf);
  });

  it("refuses a secret that is not 16 bytes with INVALID_ARGUMENT", () => {
    expectCode(() => commitInto(credential, TEST_CONTEXT, { secret: () => new Uint8Array(15) }), "INVALID_ARGUMENT");
  });
});
