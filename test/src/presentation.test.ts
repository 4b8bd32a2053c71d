import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bundle,
  bundleFor,
  type CallProvider,
  type Hex32,
  isCredrootError,
  prepareBatch,
  registryInterface,
  verifyBundle,
  type VerifyOptions,
} from "../../src";
import {
  createPresentation,
  parsePresentation,
  type PresentationResult,
  verifyPresentation,
} from "../../src/presentation";
import { holds, totalEcts } from "../../src/presentation-questions";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../support/registry";

/** A provider passing calls to `inner` and recording each. */
function counting(inner: CallProvider): CallProvider & { calls: { to: string; data: string }[] } {
  const calls: { to: string; data: string }[] = [];
  return {
    calls,
    call(tx) {
      calls.push(tx);
      return inner.call(tx);
    },
  };
}

const NOW = Date.parse("2027-01-01");
const ESCO = "http://data.europa.eu/esco/skill/";

describe("verifyPresentation (local chain)", () => {
  let fx: RegistryFixture;
  /** 11 of batch A (credential 4 revoked), 8 of batch B, 1 never anchored: 20 bundles. */
  let bundles: Bundle[];
  let revokedLeaf: Hex32;
  let absentLeaf: Hex32;
  const options = (provider: CallProvider): VerifyOptions => ({
    chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], provider }],
    now: NOW,
  });

  beforeAll(async () => {
    fx = await startRegistry();
    const anchorRef = async (root: Hex32, count: number) => {
      const { txHash, blockNumber } = await fx.issuer.anchor(root, count);
      return { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, txHash, blockNumber };
    };
    const batchA = prepareBatch(Array.from({ length: 12 }, (_, i) => sampleCredential(i)));
    const refA = await anchorRef(batchA.root, batchA.count);
    revokedLeaf = batchA.credentials[4]!.leaf;
    absentLeaf = batchA.credentials[11]!.leaf;
    await fx.issuer.revokeCredential(batchA.root, revokedLeaf, "issued in error");
    const buildsOn = [batchA.credentials[0]!.leaf, revokedLeaf, absentLeaf];
    const batchB = prepareBatch(
      Array.from({ length: 8 }, (_, i) => sampleCredential(20 + i, i === 0 ? { stackability: { buildsOn } } : {})),
    );
    const refB = await anchorRef(batchB.root, batchB.count);
    const stray = prepareBatch([sampleCredential(40)]);
    bundles = [
      ...Array.from({ length: 11 }, (_, i) => bundleFor(batchA, i, refA)),
      ...Array.from({ length: 8 }, (_, i) => bundleFor(batchB, i, refB)),
      bundleFor(stray, 0, refB),
    ];
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("verifies 20 bundles of two batches with exactly one eth_call, each as verifyBundle does", async () => {
    const provider = counting(fx.chain.provider);
    const result = await verifyPresentation(createPresentation(bundles), options(provider));
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.to).toBe(fx.registry);
    expect(registryInterface.parseTransaction({ data: provider.calls[0]!.data })?.name).toBe("verifyMany");
    const one = await Promise.all(bundles.map((b) => verifyBundle(b, options(fx.chain.provider))));
    expect(result.credentials.map(({ leaf: _leaf, stack: _stack, ...rest }) => rest)).toEqual(one);
    expect(result.credentials.map((c) => c.verdict)).toEqual([
      ...Array.from({ length: 11 }, (_, i) => (i === 4 ? "revoked" : "valid")),
      ...Array.from({ length: 8 }, () => "valid"),
      "not-anchored",
    ]);
    expect(result.allValid).toBe(false);
  });

  it("reports which credentials a credential builds on are shown and valid, missing or not valid", async () => {
    const result = await verifyPresentation(createPresentation(bundles), options(fx.chain.provider));
    expect(result.credentials[11]!.stack).toEqual([
      { leaf: bundles[0]!.proof.leaf, status: "valid" },
      { leaf: revokedLeaf, status: "not-valid" },
      { leaf: absentLeaf, status: "missing" },
    ]);
    expect(result.credentials[0]!.stack).toEqual([]);
  });

  it("makes every bundle of an unreachable registry chain-unavailable, never invalid", async () => {
    const down = counting({ call: () => Promise.reject(new Error("connect ECONNREFUSED")) });
    const result = await verifyPresentation(createPresentation(bundles.slice(0, 3)), options(down));
    expect(down.calls).toHaveLength(1);
    expect(result.credentials.map((c) => c.verdict)).toEqual(Array(3).fill("chain-unavailable"));
  });

  it("asks nothing about a bundle that fails off chain, and one call per trusted registry", async () => {
    const forged = structuredClone(bundles[0]!);
    forged.proof.path = forged.proof.path.slice(1);
    const foreign = structuredClone(bundles[1]!);
    foreign.anchor.registry = "0x000000000000000000000000000000000000dEaD";
    const provider = counting(fx.chain.provider);
    const result = await verifyPresentation(createPresentation([forged, foreign, bundles[2]!]), options(provider));
    expect(result.credentials.map((c) => c.verdict)).toEqual(["tampered", "wrong-chain", "valid"]);
    expect(provider.calls).toHaveLength(1);
  });

  describe("questions", () => {
    let result: PresentationResult;
    beforeAll(async () => {
      result = await verifyPresentation(createPresentation([...bundles, bundles[1]!]), options(fx.chain.provider));
    });

    it("holds: finds valid credentials with a skill and a minimum EQF level", () => {
      const solidity = holds(result, { skill: `${ESCO}S1.13.4`, minEqf: 5 });
      expect(solidity.holds).toBe(true);
      // Samples 1, 5, 9 (batch A) and 21, 25 (batch B) teach Solidity; 1 is presented twice.
      expect(solidity.credentials.map((c) => c.leaf)).toEqual([1, 5, 9, 12, 16].map((i) => bundles[i]!.proof.leaf));
      expect(holds(result, { skill: `${ESCO}S1.13.4`, minEqf: 6 })).toEqual({ holds: false, credentials: [] });
      // Sample 4 (revoked) and 40 (not anchored) teach GDPR / are not valid: not counted.
      expect(holds(result, { minEqf: 7 }).credentials.map((c) => c.leaf)).toEqual(
        [3, 7, 14, 18].map((i) => bundles[i]!.proof.leaf),
      );
    });

    it("totalEcts: sums valid credentials once each, optionally those whose title contains a field or skills list it", () => {
      // Valid samples: 0–10 but 4 (batch A), 20–27 (batch B); ECTS of sample i: [3, 4, 2, 5][i % 4].
      const ects = (i: number) => [3, 4, 2, 5][i % 4]!;
      const valid = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 20, 21, 22, 23, 24, 25, 26, 27];
      const sum = (of: number[]) => of.reduce((total, i) => total + ects(i), 0);
      const all = totalEcts(result);
      expect(all.credentials).toHaveLength(18);
      expect(all.ects).toBe(sum(valid));
      // "Applied Data Protection" (i % 4 = 0) and "Clinical Data Management" (i % 4 = 3).
      const data = totalEcts(result, { field: "DATA" });
      expect(data.ects).toBe(sum(valid.filter((i) => i % 4 === 0 || i % 4 === 3)));
      expect(data.credentials).toHaveLength(8);
      expect(totalEcts(result, { field: `${ESCO}S6.4.0` }).ects).toBe(sum(valid.filter((i) => i % 4 === 2)));
    });
  });
});

describe("parsePresentation", () => {
  it.each([
    ["not JSON", "{"],
    ["a bundle", { type: "credroot/bundle", version: 1 }],
    ["no bundle", { type: "credroot/presentation", version: 1, bundles: [] }],
    ["a later version", { type: "credroot/presentation", version: 2, bundles: [] }],
    ["a broken bundle", { type: "credroot/presentation", version: 1, bundles: [{ type: "credroot/bundle" }] }],
    ["an unknown field", { type: "credroot/presentation", version: 1, bundles: [], extra: 1 }],
  ])("rejects %s with INVALID_BUNDLE", (_, input) => {
    let error: unknown;
    try {
      parsePresentation(input);
    } catch (e) {
      error = e;
    }
    expect(isCredrootError(error, "INVALID_BUNDLE")).toBe(true);
  });

  it("names the bundle at fault", () => {
    const bundle = bundleFor(prepareBatch([sampleCredential(0)]), 0, {
      chainId: 1,
      registry: `0x${"11".repeat(20)}`,
      issuerId: 1,
      txHash: `0x${"ab".repeat(32)}`,
      blockNumber: 1,
    });
    const hidden = structuredClone(bundle);
    hidden.credential.fields["/title"] = { hash: `0x${"cd".repeat(32)}` };
    expect(() => createPresentation([bundle, hidden])).toThrow(/bundle 1: .*\/title must not be hidden/);
    expect(parsePresentation(JSON.stringify(createPresentation([bundle]))).bundles).toEqual([bundle]);
  });
});
