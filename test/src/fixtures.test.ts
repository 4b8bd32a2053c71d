import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AbiCoder, keccak256 as ethersKeccak256 } from "ethers";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { bundlePath, bundleRoot, disclosedCredential, discloseBundle, openBundle, parseBundle } from "../../src/bundle";
import { digestOfOpening, leafOf } from "../../src/commit";
import { batchIdToBytes16 } from "../../src/encoding";
import { keccak256, toHex } from "../../src/hash";
import { processProof } from "../../src/merkle";
import { expectCode, fixtureBundleV2, TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

/*
 * The bundles kept forever (house style: formats are versioned, old samples stay in
 * test/fixtures/). docs/format.md points here: the v2 fixture's digest, leaf and root are pinned, so
 * any change to the v2 hashing fails these tests; the v1 fixture must stay refused.
 */

const FIXTURES = join(__dirname, "..", "fixtures");

/** Of test/fixtures/bundle-v2.json, recomputed by the library from the file on every run. */
const V2_DIGEST = "0x1b592d54f8ee39e0436c5d229ce8a7bebbcddfef28c5f676d27966e84a09fce4";
const V2_LEAF = "0x5ed5297e471257ef7cccb7ef4007bb07baf9b01df0ff77cf0c61c2bfc3004e10";
const V2_ROOT = "0x0c71e9a57e32ee218e6f5a9a380ebeac0c14c259acb9220c50335c8ed90a2d99";
/** keccak256 of the bytes of test/fixtures/bundle-v1.json, which must never change. */
const V1_FILE_HASH = "0x6acedf50bea9e2054344b947a5111b0fd129026bd227ffff6e3d07466432cabe";
const V1_MESSAGE =
  "this is a version 1 credroot bundle, which is not bound to its issuer and is no longer accepted: ask the issuer to re-issue it";

describe("version-2 fixture (test/fixtures/bundle-v2.json), kept forever", () => {
  const text = readFileSync(join(FIXTURES, "bundle-v2.json"), "utf8");

  it("parses, and is sample credential 1 of a batch of three, anchored at the test context", () => {
    const parsed = parseBundle(text);
    expect(parsed.version).toBe(2);
    expect(parsed.anchor).toEqual(TEST_ANCHOR);
    expect(parsed.credential).toEqual(sampleCredential(1));
    expect(bundlePath(parsed)).toHaveLength(2);
  });

  it("recomputes its pinned digest and leaf from its fields, and its pinned root from its path", () => {
    const parsed = parseBundle(text);
    const digest = digestOfOpening(openBundle(parsed));
    const leaf = toHex(leafOf(parsed.anchor, digest));
    expect(toHex(digest)).toBe(V2_DIGEST);
    expect(leaf).toBe(V2_LEAF);
    expect(processProof(leaf, bundlePath(parsed))).toBe(V2_ROOT);
    expect(bundleRoot(parsed)).toBe(V2_ROOT);
  });

  it("has the leaf ethers computes from abi.encode(chainId, registry, issuerId, batchId, digest)", () => {
    const encoded = AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "uint64", "bytes16", "bytes32"],
      [
        TEST_CONTEXT.chainId,
        TEST_CONTEXT.registry,
        TEST_CONTEXT.issuerId,
        batchIdToBytes16(TEST_CONTEXT.batchId),
        V2_DIGEST,
      ],
    );
    expect(ethersKeccak256(ethersKeccak256(encoded))).toBe(V2_LEAF);
  });

  it("is what the library still builds from the same credentials and secrets", () => {
    expect(fixtureBundleV2()).toEqual(JSON.parse(text));
  });

  it("keeps its digest when the learner is hidden", () => {
    const shared = discloseBundle(parseBundle(text), ["learner"]);
    expect(toHex(digestOfOpening(openBundle(shared)))).toBe(V2_DIGEST);
    expect(disclosedCredential(shared).hidden).toEqual(["/learner/email", "/learner/identifier", "/learner/name"]);
  });
});

describe("version-1 fixture (test/fixtures/bundle-v1.json), kept forever", () => {
  const bytes = readFileSync(join(FIXTURES, "bundle-v1.json"));

  it("is byte for byte the file of format v1", () => {
    expect(toHex(keccak256(bytes))).toBe(V1_FILE_HASH);
  });

  // Issue 11, item 10: a v1 bundle is not bound to its issuer: it is never plain "valid" again.
  it("is refused with INVALID_BUNDLE and the one-line re-issue message, as text and as a value", () => {
    for (const input of [bytes.toString("utf8"), JSON.parse(bytes.toString("utf8")) as unknown]) {
      const error = expectCode(() => parseBundle(input), "INVALID_BUNDLE");
      expect(error.message).toBe(V1_MESSAGE);
      expect(error.message).not.toContain("\n");
      expect(error.details).toEqual([{ path: "/version", message: V1_MESSAGE }]);
    }
  });
});
