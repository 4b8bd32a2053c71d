import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  bundlePath,
  type CallProvider,
  credentialRegistryInterface,
  fromHex32,
  type Hex32,
  isCredrootError,
  joinBase64url,
  newBatchId,
  prepareBatch,
  verifyBundle,
  type VerifyOptions,
} from "../../src";
import {
  createPresentation,
  learnerWarnings,
  parsePresentation,
  type PresentationResult,
  verifyPresentation,
} from "../../src/presentation";
import { askQuestions, holds, totalEcts } from "../../src/presentation-questions";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

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

/** A copy of `bundle` whose title and ECTS were changed: it no longer verifies. */
function tampered(bundle: Bundle, title: string): Bundle {
  const copy = structuredClone(bundle);
  copy.credential.title = title;
  copy.credential.workload = { ects: 60 };
  copy.credential.skills = [`${ESCO}S1.13.4`];
  return copy;
}

/** A copy of `bundle` with its own credential but a broken path: same leaf, not valid. */
function brokenPath(bundle: Bundle): Bundle {
  const copy = structuredClone(bundle);
  copy.proof = joinBase64url(bundlePath(bundle).slice(1).map(fromHex32));
  return copy;
}

describe("verifyPresentation (local chain)", () => {
  let fx: RegistryFixture;
  /** 11 of batch A (credential 4 revoked), 8 of batch B, 1 never anchored: 20 bundles. */
  let bundles: Bundle[];
  let revokedLeaf: Hex32;
  let absentLeaf: Hex32;
  let genuineLeaf: Hex32;
  const options = (provider: CallProvider): VerifyOptions => ({
    chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], provider }],
    now: NOW,
  });

  beforeAll(async () => {
    fx = await startRegistry();
    const context = (): AnchorContext => ({
      chainId: fx.chain.chainId,
      registry: fx.registry,
      issuerId: fx.issuerId,
      batchId: newBatchId(),
    });
    const batchA = prepareBatch(
      Array.from({ length: 12 }, (_, i) => sampleCredential(i)),
      context(),
    );
    const a = await fx.issuer.anchor(batchA.context.batchId, batchA.root, batchA.count);
    revokedLeaf = batchA.credentials[4]!.leaf;
    absentLeaf = batchA.credentials[11]!.leaf;
    genuineLeaf = batchA.credentials[0]!.leaf;
    await fx.issuer.revokeCredential(batchA.credentials[4]!.digest, "issued in error");
    const buildsOn = [genuineLeaf, revokedLeaf, absentLeaf];
    const batchB = prepareBatch(
      Array.from({ length: 8 }, (_, i) => sampleCredential(20 + i, i === 0 ? { stackability: { buildsOn } } : {})),
      context(),
    );
    const b = await fx.issuer.anchor(batchB.context.batchId, batchB.root, batchB.count);
    const stray = prepareBatch([sampleCredential(40)], context());
    bundles = [
      ...Array.from({ length: 11 }, (_, i) => bundleFor(batchA, i, a.blockNumber)),
      ...Array.from({ length: 8 }, (_, i) => bundleFor(batchB, i, b.blockNumber)),
      bundleFor(stray, 0, b.blockNumber),
    ];
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("verifies 20 bundles of three batches with exactly one eth_call, each as verifyBundle does", async () => {
    const provider = counting(fx.chain.provider);
    const result = await verifyPresentation(createPresentation(bundles), options(provider));
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.to).toBe(fx.registry.toLowerCase());
    expect(credentialRegistryInterface.parseTransaction({ data: provider.calls[0]!.data })?.name).toBe("verifyMany");
    const one = await Promise.all(bundles.map((b) => verifyBundle(b, options(fx.chain.provider))));
    expect(result.credentials.map(({ stack: _stack, ...rest }) => rest)).toEqual(one);
    expect(result.credentials.map((c) => c.verdict)).toEqual([
      ...Array.from({ length: 11 }, (_, i) => (i === 4 ? "revoked" : "valid")),
      ...Array.from({ length: 8 }, () => "valid"),
      "not-anchored",
    ]);
    expect(result.credentials[0]!.issuer?.name).toBe("Test University");
    expect(result.allValid).toBe(false);
  });

  it("reports which credentials a credential builds on are shown and valid, missing or not valid", async () => {
    const result = await verifyPresentation(createPresentation(bundles), options(fx.chain.provider));
    expect(result.credentials[11]!.stack).toEqual([
      { leaf: genuineLeaf, status: "valid", valid: { index: 0, title: bundles[0]!.credential.title } },
      { leaf: revokedLeaf, status: "not-valid" },
      { leaf: absentLeaf, status: "missing" },
    ]);
    expect(result.credentials[0]!.stack).toEqual([]);
  });

  // Issue 11: the web page put a tampered copy's title on a valid credential's "builds on … shown
  // here, and valid" line. A link names only a bundle that itself verified valid.
  it("never names a tampered copy as the valid link of a stack, nor shows its title", async () => {
    const forged = tampered(bundles[0]!, "PhD in Everything");
    const sameLeaf = brokenPath(bundles[0]!);
    const presentation = createPresentation([forged, sameLeaf, bundles[11]!, bundles[0]!]);
    const result = await verifyPresentation(presentation, options(fx.chain.provider));
    expect(result.credentials.map((c) => c.verdict)).toEqual(["tampered", "tampered", "valid", "valid"]);
    // The copy with a broken path hashes to the genuine leaf, yet is not the one named.
    expect(result.credentials[1]!.leaf).toBe(genuineLeaf);
    expect(result.credentials[2]!.stack[0]).toEqual({
      leaf: genuineLeaf,
      status: "valid",
      valid: { index: 3, title: bundles[0]!.credential.title },
    });
    const withoutGenuine = await verifyPresentation(
      createPresentation([forged, sameLeaf, bundles[11]!]),
      options(fx.chain.provider),
    );
    expect(withoutGenuine.credentials[2]!.stack[0]).toEqual({ leaf: genuineLeaf, status: "not-valid" });
    expect(JSON.stringify(withoutGenuine.credentials[2]!.stack)).not.toContain("PhD in Everything");
  });

  it("makes every bundle of an unreachable registry chain-unavailable, never invalid", async () => {
    const down = counting({ call: () => Promise.reject(new Error("connect ECONNREFUSED")) });
    const result = await verifyPresentation(createPresentation(bundles.slice(0, 3)), options(down));
    expect(down.calls).toHaveLength(1);
    expect(result.credentials.map((c) => c.verdict)).toEqual(Array(3).fill("chain-unavailable"));
  });

  it("asks nothing about a bundle of an untrusted registry, and one call per trusted registry", async () => {
    const foreign = structuredClone(bundles[1]!);
    foreign.anchor.registry = "0x000000000000000000000000000000000000dead";
    const provider = counting(fx.chain.provider);
    const result = await verifyPresentation(
      createPresentation([brokenPath(bundles[0]!), foreign, bundles[2]!]),
      options(provider),
    );
    expect(result.credentials.map((c) => c.verdict)).toEqual(["tampered", "wrong-chain", "valid"]);
    expect(provider.calls).toHaveLength(1);
  });

  // Issue 15, point 22: three learners' credentials answered "holds skill: YES" with no warning.
  it("warns when the valid credentials name different learners, and only then", async () => {
    const mixed = await verifyPresentation(createPresentation([bundles[0]!, bundles[1]!]), options(fx.chain.provider));
    expect(mixed.warnings).toEqual([
      { code: "different-learners", message: expect.stringContaining('"S100000", "S100001"') as unknown },
    ]);
    const one = await verifyPresentation(createPresentation([bundles[0]!, bundles[0]!]), options(fx.chain.provider));
    expect(one.warnings).toEqual([]);
    // A not-valid credential (revoked: bundle 4) of someone else does not count.
    const revoked = await verifyPresentation(
      createPresentation([bundles[0]!, bundles[4]!]),
      options(fx.chain.provider),
    );
    expect(revoked.warnings).toEqual([]);
  });

  describe("questions", () => {
    let result: PresentationResult;
    beforeAll(async () => {
      // Bundle 1 twice, and tampered copies claiming Solidity, EQF 8 and 60 ECTS.
      const forged = [tampered(bundles[0]!, "Solidity Masterclass"), brokenPath(bundles[3]!)];
      forged[0]!.credential.eqfLevel = 8;
      result = await verifyPresentation(
        createPresentation([...bundles, bundles[1]!, ...forged]),
        options(fx.chain.provider),
      );
    });

    it("holds: finds valid credentials with a skill and a minimum EQF level, never a tampered one", () => {
      const solidity = holds(result, { skill: `${ESCO}S1.13.4`, minEqf: 5 });
      expect(solidity.holds).toBe(true);
      // Samples 1, 5, 9 (batch A) and 21, 25 (batch B) teach Solidity; 1 is presented twice.
      expect(solidity.credentials.map((c) => c.leaf)).toEqual(
        [1, 5, 9, 12, 16].map((i) => result.credentials[i]!.leaf),
      );
      expect(holds(result, { skill: `${ESCO}S1.13.4`, minEqf: 6 })).toEqual({ holds: false, credentials: [] });
      // The tampered copy at EQF 8 does not count.
      expect(holds(result, { minEqf: 8 })).toEqual({ holds: false, credentials: [] });
      // Sample 4 (revoked) and 40 (not anchored) are not valid: not counted.
      expect(holds(result, { minEqf: 7 }).credentials.map((c) => c.leaf)).toEqual(
        [3, 7, 14, 18].map((i) => result.credentials[i]!.leaf),
      );
    });

    it("totalEcts: sums valid credentials once each, optionally those whose title contains a field or skills list it", () => {
      // Valid samples: 0–10 but 4 (batch A), 20–27 (batch B); ECTS of sample i: [3, 4, 2, 5][i % 4].
      const ects = (i: number) => [3, 4, 2, 5][i % 4]!;
      const valid = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 20, 21, 22, 23, 24, 25, 26, 27];
      const sum = (of: number[]) => of.reduce((total, i) => total + ects(i), 0);
      const all = totalEcts(result);
      expect(all.credentials).toHaveLength(18);
      expect(all.credentials.every((c) => c.verdict === "valid")).toBe(true);
      expect(all.ects).toBe(sum(valid));
      // "Applied Data Protection" (i % 4 = 0) and "Clinical Data Management" (i % 4 = 3).
      const data = totalEcts(result, { field: "DATA" });
      expect(data.ects).toBe(sum(valid.filter((i) => i % 4 === 0 || i % 4 === 3)));
      expect(data.credentials).toHaveLength(8);
      expect(totalEcts(result, { field: `${ESCO}S6.4.0` }).ects).toBe(sum(valid.filter((i) => i % 4 === 2)));
      expect(totalEcts(result, { field: "Masterclass" })).toEqual({ ects: 0, credentials: [] });
    });

    it("askQuestions names only valid credentials as the evidence behind an answer", () => {
      const answers = askQuestions(result, { skill: `${ESCO}S1.13.4`, totalEcts: "solidity" });
      expect(answers.map((a) => a.question)).toEqual([
        `holds a valid credential with skill ${ESCO}S1.13.4`,
        'total valid ECTS in "solidity"',
      ]);
      for (const answer of answers) {
        expect(answer.credentials.length).toBeGreaterThan(0);
        expect(answer.credentials.every((c) => c.verdict === "valid")).toBe(true);
        expect(answer.credentials.map((c) => c.credential.title)).not.toContain("Solidity Masterclass");
      }
    });
  });
});

describe("parsePresentation", () => {
  const bundle = bundleFor(prepareBatch([sampleCredential(0)], TEST_CONTEXT), 0, TEST_ANCHOR.block);
  const presentation = createPresentation([bundle]);

  it.each([
    ["not JSON", "{"],
    ["a bundle", bundle],
    ["no bundle", { type: "credroot/presentation", version: 2, bundles: [] }],
    ["a later version", { type: "credroot/presentation", version: 3, bundles: [bundle] }],
    ["a broken bundle", { type: "credroot/presentation", version: 2, bundles: [{ type: "credroot/bundle" }] }],
    ["an unknown field", { type: "credroot/presentation", version: 2, bundles: [bundle], extra: 1 }],
  ])("rejects %s with INVALID_BUNDLE", (_, input) => {
    let error: unknown;
    try {
      parsePresentation(input);
    } catch (e) {
      error = e;
    }
    expect(isCredrootError(error, "INVALID_BUNDLE")).toBe(true);
  });

  it("parses its JSON text back, and names the bundle at fault", () => {
    expect(parsePresentation(JSON.stringify(presentation))).toEqual(presentation);
    const hidden = structuredClone(bundle);
    hidden.credential.validUntil = "2031-06-30T23:59:60Z";
    expect(() => createPresentation([bundle, hidden])).toThrow(/bundle 1: .*validUntil must be a calendar date/);
  });

  // Issue 11: duplicate keys refused by every parser, the presentation's included.
  it("refuses a duplicate key anywhere in the text, even escaped", () => {
    const text = JSON.stringify(presentation);
    for (const forged of [
      text.replace('"credential":{', '"credential":{"title":"Forged",'),
      text.replace('"credential":{', '"credential":{"t\\u0069tle":"Forged",'),
      text.replace('{"type":"credroot/presentation"', '{"bundles":[],"type":"credroot/presentation"'),
    ]) {
      expect(() => parsePresentation(forged)).toThrow(/the presentation repeats the key "(title|bundles)"/);
    }
  });

  it("refuses a lone surrogate in the text", () => {
    const text = JSON.stringify(presentation).replace(/"title":"[^"]*"/, '"title":"\\ud800"');
    expect(() => parsePresentation(text)).toThrow(/lone surrogate/);
  });

  it("tells a version-1 presentation, or a v2 one holding a v1 bundle, to have them re-issued", () => {
    const v1 = JSON.parse(readFileSync(join(__dirname, "..", "fixtures", "bundle-v1.json"), "utf8")) as unknown;
    expect(() => parsePresentation({ type: "credroot/presentation", version: 1, bundles: [v1] })).toThrow(
      /version 1 presentation.*re-issue/,
    );
    expect(() => parsePresentation({ type: "credroot/presentation", version: 2, bundles: [bundle, v1] })).toThrow(
      "bundle 1 of the presentation is a version 1 bundle, which is no longer accepted: ask its issuer to re-issue it",
    );
  });
});

describe("learnerWarnings", () => {
  const of = (...learners: (Record<string, string> | undefined)[]) =>
    learnerWarnings(learners.map((learner, index) => ({ index, credential: learner ? { learner } : {} })));

  it("compares identifiers first, then names (ignoring case and spacing), and says nothing when they agree", () => {
    expect(of({ identifier: "S1", name: "Ana" }, { identifier: "S1", name: "Ana Novak" })).toEqual([]);
    expect(of({ name: "Ana  Novak" }, { name: "ana novak" })).toEqual([]);
    expect(of({ identifier: "S1" }, { identifier: "S2" })[0]?.code).toBe("different-learners");
    expect(of({ identifier: "S1", name: "Ana" }, { name: "Bo" })[0]?.message).toMatch(/"S1", "Bo"/);
  });

  it("cannot tell a hidden learner apart: says so only when some others differ", () => {
    expect(of({ identifier: "S1" }, undefined)).toEqual([]);
    expect(of({ identifier: "S1" }, { identifier: "S2" }, undefined)[0]?.message).toMatch(
      /credential 2 hides the learner, so whose it is cannot be told/,
    );
  });
});
