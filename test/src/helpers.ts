import fc from "fast-check";
import { expect } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import type { Bundle, BundleAnchor } from "../../src/bundle";
import type { AnchorContext } from "../../src/commit";
import { parseCredential } from "../../src/credential";
import { CredrootError, type ErrorCode } from "../../src/errors";
import { keccak256, utf8Bytes } from "../../src/hash";
import { bundleFor, prepareBatch } from "../../src/batch";
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
 * A deterministic source of 16-byte credential secrets: secret n is the first 16 bytes of
 * keccak256("<seed>/<n>"). Two sources with the same seed hand out the same secrets in the same order.
 */
export function secretSequence(seed: string): () => Uint8Array {
  let n = 0;
  return () => keccak256(utf8Bytes(`${seed}/${n++}`)).slice(0, 16);
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

/** Hardhat's default chain id and first deployment address: where every test bundle says it is anchored. */
export const TEST_CONTEXT: AnchorContext = {
  chainId: 31337,
  registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  issuerId: 1,
  batchId: "7f3c2a10-5b6e-4d8f-9a01-23456789abcd",
};

/** {@link TEST_CONTEXT} and the block of the anchoring transaction: the `anchor` of a test bundle. */
export const TEST_ANCHOR: BundleAnchor = { ...TEST_CONTEXT, block: 2 };

/**
 * The recipe of `test/fixtures/bundle-v2.json`: credential 1 of a batch of three samples committed
 * for {@link TEST_CONTEXT} with fixed secrets. Never change it: the fixture was generated from it
 * once, and the tests compare the two (and pin its digest, leaf and root).
 */
export function fixtureBundleV2(): Bundle {
  const batch = prepareBatch(
    [0, 1, 2].map((i) => parseCredential(sampleCredential(i))),
    TEST_CONTEXT,
    { secret: secretSequence("credroot fixture v2") },
  );
  return bundleFor(batch, 1, TEST_ANCHOR.block);
}
