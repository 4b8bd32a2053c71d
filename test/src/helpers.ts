import fc from "fast-check";
import { expect } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { type AnchorRef, type Bundle, createBundle } from "../../src/bundle";
import { commitCredential } from "../../src/commit";
import { CredrootError, type ErrorCode } from "../../src/errors";
import { fromHex32, keccak256, toHex, utf8Bytes } from "../../src/hash";
import { buildTree, proofOf, treeRoot } from "../../src/merkle";
import type { JsonValue } from "../../src/pointer";

/** Runs `fn` and returns the `CredrootError` it throws; fails the test when it returns or throws something else. */
export function caught(fn: () => unknown): CredrootError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CredrootError) return error;
    throw error;
  }
  throw new Error("expected a CredrootError, but nothing was thrown");
}

/** Asserts that `fn` throws a `CredrootError` with `code`, and returns it for further checks. */
export function expectCode(fn: () => unknown, code: ErrorCode): CredrootError {
  const error = caught(fn);
  expect(error.code, error.message).toBe(code);
  return error;
}

/** The `details` paths of an error, in order. */
export function detailPaths(error: CredrootError): string[] {
  return error.details.map((d) => d.path);
}

/**
 * A deterministic salt source: salt n is keccak256("<seed>/<n>"). Two sources with the same seed
 * hand out the same salts in the same order.
 */
export function saltSequence(seed: string): () => Uint8Array {
  let n = 0;
  return () => keccak256(utf8Bytes(`${seed}/${n++}`));
}

/** Arbitrary JSON values (finite numbers, nested arrays and objects), typed as the library's `JsonValue`. */
export const jsonValue: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 12 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 4, noNullPrototype: true }),
  ),
})).value;

/** `count` distinct pseudo-random 32-byte leaves derived from `seed`. */
export function leavesFor(count: number, seed = 0): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => keccak256(utf8Bytes(`leaf/${seed}/${i}`)));
}

/** The anchor used in every test bundle (Hardhat's default chain id and first deployment address). */
export const TEST_ANCHOR: AnchorRef = {
  chainId: 31337,
  registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  issuerId: 1,
  txHash: toHex(keccak256(utf8Bytes("credroot test anchor tx"))),
  blockNumber: 2,
};

/**
 * The recipe of `test/fixtures/bundle-v1.json`: credential 1 of a batch of three samples, with fixed
 * salts. Never change it: the fixture was generated from it once, and the test compares the two.
 */
export function fixtureBundle(): Bundle {
  const salt = saltSequence("credroot fixture v1");
  const credentials = [0, 1, 2].map((i) =>
    commitCredential(
      sampleCredential(i, {
        validUntil: "2031-06-30",
        learner: {
          name: `Learner ${i}`,
          identifier: `S${i}`,
          email: `learner${i}@example.org`,
          dateOfBirth: "2001-02-03",
        },
      }),
      { salt },
    ),
  );
  const tree = buildTree(credentials.map((c) => fromHex32(c.leaf)));
  const committed = credentials[1]!;
  return createBundle(committed, { path: proofOf(tree, 1), root: treeRoot(tree) }, TEST_ANCHOR);
}
