import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type Bundle,
  bundleFor,
  bundlePath,
  digestOfOpening,
  discloseBundle,
  leafOfDigest,
  newBatchId,
  openBundle,
  parseBundle,
  prepareBatch,
  processProof,
  toHex,
} from "../../src";
import { hostileBundles, isGenuineOrDisclosure, type MutationContext } from "./bundle-mutations";

const context = {
  chainId: 31337,
  registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
  issuerId: 1,
  batchId: newBatchId(),
};
const batch = prepareBatch(
  Array.from({ length: 5 }, (_, i) => sampleCredential(i)),
  context,
);
const other = prepareBatch([sampleCredential(9)], { ...context, batchId: newBatchId() });
const genuine = bundleFor(batch, 2, 7);
const ctx: MutationContext = {
  genuine,
  sibling: bundleFor(batch, 3, 7),
  otherBatches: [{ issuerId: 1, batchId: other.context.batchId }],
  otherTrusted: [{ chainId: 11155111, registry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0" }],
};

/** What the off-chain checks of a verifier conclude: the root this bundle's path reaches, if any. */
function rootReached(bundle: Bundle): string | null {
  try {
    const { chainId, registry, issuerId, batchId } = bundle.anchor;
    const digest = toHex(digestOfOpening(openBundle(bundle)));
    return processProof(leafOfDigest({ chainId, registry, issuerId, batchId }, digest), bundlePath(bundle));
  } catch {
    return null;
  }
}

describe("the hostile-bundle oracle", () => {
  it("takes the genuine bundle and its disclosed copies for genuine, and a tampered one for not", () => {
    expect(isGenuineOrDisclosure(genuine, genuine)).toBe(true);
    expect(isGenuineOrDisclosure(discloseBundle(genuine, ["learner.email", "assessment"]), genuine)).toBe(true);
    expect(isGenuineOrDisclosure(discloseBundle(genuine, []), genuine)).toBe(true);
    const retitled = { ...genuine, credential: { ...genuine.credential, title: "PhD" } };
    expect(isGenuineOrDisclosure(retitled, genuine)).toBe(false);
    const elsewhere = { ...genuine, anchor: { ...genuine.anchor, issuerId: 2 } };
    expect(isGenuineOrDisclosure(elsewhere, genuine)).toBe(false);
  });

  it("is never stricter than the hashing: whatever reaches the genuine root at the genuine anchor, it calls genuine", () => {
    let reached = 0;
    fc.assert(
      fc.property(hostileBundles(ctx), ({ value, steps }) => {
        let parsed: Bundle;
        try {
          parsed = parseBundle(value);
        } catch {
          return; // refused before any hashing
        }
        const sameAnchor =
          parsed.anchor.chainId === context.chainId &&
          parsed.anchor.registry === context.registry &&
          parsed.anchor.issuerId === context.issuerId &&
          parsed.anchor.batchId === context.batchId &&
          parsed.root === genuine.root;
        if (sameAnchor && rootReached(parsed) === batch.root) {
          reached += 1;
          expect(isGenuineOrDisclosure(parsed, genuine), steps.join(" → ")).toBe(true);
        } else {
          expect(isGenuineOrDisclosure(parsed, genuine), steps.join(" → ")).toBe(false);
        }
      }),
      { numRuns: 400 },
    );
    expect(reached).toBeGreaterThan(0); // some mutations are legitimate (disclosure, locators)
  });
});
