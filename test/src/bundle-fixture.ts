/**
 * The bundle the tests of src/bundle*.ts share: the first credential of a three-credential
 * batch (fixed secrets), and helpers to break it and to rebuild what a verifier derives.
 */
import { expect } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { ALWAYS_DISCLOSED, type Bundle, bundlePath, openBundle, parseBundle } from "../../src/bundle";
import { digestOfOpening, leafOf } from "../../src/commit";
import { parseCredential } from "../../src/credential";
import { fromBase64url } from "../../src/encoding";
import { type Hex32, toHex } from "../../src/hash";
import { bundleFor, prepareBatch } from "../../src/batch";
import { processProof } from "../../src/merkle";
import { flatten, type JsonValue } from "../../src/pointer";
import { detailPaths, expectCode, secretSequence, TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

export type Loose = Record<string, unknown>;

export const credential = parseCredential(
  sampleCredential(2, {
    validUntil: "2031-06-30",
    learner: { name: "Chiara Rossi", identifier: "S100002", email: "chiara@example.org", dateOfBirth: "2002-03-04" },
  }),
);
export const batch = prepareBatch([credential, sampleCredential(3), sampleCredential(4)], TEST_CONTEXT, {
  secret: secretSequence("bundle"),
});
export const committed = batch.credentials[0]!;
export const bundle = bundleFor(batch, 0, TEST_ANCHOR.block);
export const secret = fromBase64url(bundle.secret!);
export const pointers = [...flatten(bundle.credential).keys()];
/** Pointers a holder may hide in `bundle`. */
export const hideable = pointers.filter((p) => !ALWAYS_DISCLOSED.includes(p));

/** A deep copy of `bundle` as a plain record, for breaking it on purpose. */
export function loose(b: Bundle = bundle): Loose {
  return structuredClone(b) as unknown as Loose;
}

export function part(record: Loose, key: string): Loose {
  return record[key] as Loose;
}

export function expectInvalidBundle(input: unknown, path?: string, message?: string): void {
  const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
  if (path !== undefined) expect(detailPaths(error)).toContain(path);
  if (message !== undefined) expect(error.message).toContain(message);
}

/** The digest a verifier rebuilds from `b`, the leaf of that digest at `b`'s anchor, and the root its path leads to. */
export function rebuilt(b: Bundle): { digest: Hex32; leaf: Hex32; root: Hex32 } {
  const digest = digestOfOpening(openBundle(b));
  const leaf = toHex(leafOf(b.anchor, digest));
  return { digest: toHex(digest), leaf, root: processProof(leaf, bundlePath(b)) };
}

/** `value` wrapped in `depth` arrays. */
export function nested(depth: number): JsonValue {
  let value: JsonValue = "core";
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}
