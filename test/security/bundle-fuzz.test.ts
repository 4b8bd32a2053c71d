import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  bundlePath,
  digestOfOpening,
  discloseBundle,
  fromHex32,
  joinBase64url,
  leafOf,
  openBundle,
  parseBundle,
  processProof,
  toBase64url,
  toHex,
  type TrustedChain,
  verifyBundle,
} from "../../src";
import { hostileBundles, isGenuineOrDisclosure } from "../support/bundle-mutations";
import {
  batch,
  CHAIN_ID,
  chains,
  expectPrototypeClean,
  fakeChain,
  genuine,
  HIDEABLE,
  home,
  MILL_ID,
  mutationContext,
  NOW,
  outcome,
  report,
  useHostileChecks,
  verifyHostile,
} from "./bundle-fuzz-fixture";

/**
 * Issue 6, item 8 and issue 11: `parseBundle` and `verifyBundle` under hostile input, against fake
 * registries that answer as the v2 contract does (the leaf derived from the request, batches per
 * issuer). Another issuer has anchored the genuine batch id and root (front-running) and the
 * genuine leaf as a one-leaf batch (re-anchoring); another trusted registry and another trusted
 * chain hold the same batch under the same issuer id and batch id; any untrusted address is a
 * look-alike that answers "valid" to everything. A false "valid" can therefore only come from the
 * verifier: the oracle says which inputs may legitimately verify.
 */

describe("parseBundle and verifyBundle under hostile input (fake v2 registries)", () => {
  useHostileChecks();

  it("verifies the genuine bundle valid with one call, as text and as a value", async () => {
    expect((await verifyBundle(genuine, { chains, now: NOW })).verdict).toBe("valid");
    const calls = home.calls;
    expect((await verifyBundle(JSON.stringify(genuine), { chains, now: NOW })).verdict).toBe("valid");
    expect(home.calls).toBe(calls + 1);
  });

  it("has fakes that would say valid to a verifier that trusted the wrong things (the fakes are not vacuous)", async () => {
    // The look-alike answers valid about any root: a forged credential with a root of its own passes
    // every off-chain check, so only trusting the registry stops it.
    const lookAlike = fakeChain(CHAIN_ID, []);
    const address = `0x${"de".repeat(20)}`;
    const trustsAnything: TrustedChain[] = [{ chainId: CHAIN_ID, registries: [address], provider: lookAlike }];
    const forged = structuredClone(genuine);
    forged.anchor.registry = address;
    forged.credential.title = "Forged";
    const leaf = toHex(leafOf(forged.anchor, digestOfOpening(openBundle(forged))));
    forged.root = toBase64url(fromHex32(processProof(leaf, bundlePath(forged))));
    expect((await verifyBundle(forged, { chains: trustsAnything, now: NOW })).verdict).toBe("valid");
    expect((await verifyBundle(forged, { chains, now: NOW })).verdict).toBe("wrong-chain");
    // The mill's batch holds the genuine root: naming it with the genuine anchor is refused only because it is the mill's.
    const mill = { ...genuine, anchor: { ...genuine.anchor, issuerId: MILL_ID } };
    const milled = {
      ...mill,
      root: toBase64url(
        fromHex32(processProof(toHex(leafOf(mill.anchor, digestOfOpening(openBundle(mill)))), bundlePath(mill))),
      ),
    };
    expect((await verifyHostile(milled))?.verdict).toBe("not-anchored");
  });

  it("verifies every legitimate disclosure valid, and the oracle accepts it (the oracle is not vacuous)", async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.subarray(HIDEABLE), fc.boolean(), async (hide, asText) => {
        runs += 1;
        const shared = discloseBundle(genuine, hide);
        expect(isGenuineOrDisclosure(shared, genuine)).toBe(true);
        const result = await verifyBundle(asText ? JSON.stringify(shared) : shared, { chains, now: NOW });
        expect(result.verdict).toBe("valid");
        expect(result.hidden).toEqual([...hide].sort());
      }),
      { numRuns: 300 },
    );
    report("legitimate disclosures", runs);
  });

  it("never crashes on any JavaScript value, and never finds it a bundle", async () => {
    let runs = 0;
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      stringUnit: "grapheme",
    });
    await fc.assert(
      fc.asyncProperty(anything, async (value) => {
        runs += 1;
        expect(await outcome(() => parseBundle(value))).toBeNull();
        expect(await verifyHostile(value)).toBeNull();
      }),
      { numRuns: 3000 },
    );
    report("fc.anything values", runs);
  });

  it("never crashes on any JSON value or text, or any string", async () => {
    let runs = 0;
    const input = fc.oneof(fc.jsonValue(), fc.json(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }));
    await fc.assert(
      fc.asyncProperty(input, async (value) => {
        runs += 1;
        expect(await verifyHostile(value)).toBeNull();
      }),
      { numRuns: 3000 },
    );
    report("JSON values, JSON texts and strings", runs);
  });

  it("never verifies a mutated bundle valid unless it is the genuine one or a disclosure of it", async () => {
    let runs = 0;
    let rejected = 0;
    let valid = 0;
    const verdicts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileBundles(mutationContext), async ({ value }) => {
        runs += 1;
        const result = await verifyHostile(value);
        if (result === null) rejected += 1;
        else verdicts.set(result.verdict, (verdicts.get(result.verdict) ?? 0) + 1);
        if (result?.verdict === "valid") valid += 1;
      }),
      { numRuns: 6000 },
    );
    report(
      "mutated bundles",
      runs,
      `${rejected} INVALID_BUNDLE, ${valid} legitimately valid, ${JSON.stringify(Object.fromEntries(verdicts))}`,
    );
    // Both outcomes must occur, or the mutations are not reaching the verifier.
    expect(rejected).toBeGreaterThan(runs / 10);
    expect(valid).toBeGreaterThan(0);
    expect(verdicts.get("tampered") ?? 0).toBeGreaterThan(runs / 10);
  });

  // Issue 11: re-anchoring, front-running and look-alike copies, one by one.
  it.each(mutationContext.otherBatches.map((b, i) => [i, b.issuerId, b.batchId, b] as const))(
    "never verifies the genuine credential valid when it names root %i: issuer %i's batch %s",
    async (_, issuerId, batchId, other) => {
      const root = toBase64url(fromHex32(other.root ?? batch.root));
      const path = joinBase64url((other.proof ?? []).map(fromHex32));
      for (const anchor of [
        { ...genuine.anchor, issuerId, batchId },
        { ...genuine.anchor, issuerId },
        { ...genuine.anchor, batchId },
        genuine.anchor,
      ]) {
        for (const moved of [
          { root, proof: path },
          { root, proof: genuine.proof },
          { root: genuine.root, proof: path },
        ]) {
          const candidate = { ...genuine, anchor, ...moved };
          const result = await verifyHostile(candidate);
          // Naming what the genuine bundle names is the genuine bundle (the oracle in verifyHostile).
          const same =
            JSON.stringify([anchor, moved.root, moved.proof]) ===
            JSON.stringify([genuine.anchor, genuine.root, genuine.proof]);
          if (!same) expect(result?.verdict).not.toBe("valid");
        }
      }
    },
  );

  it("never verifies the genuine credential valid on another trusted registry or chain holding the same batch", async () => {
    for (const elsewhereAnchor of mutationContext.otherTrusted) {
      const result = await verifyHostile({ ...genuine, anchor: { ...genuine.anchor, ...elsewhereAnchor } });
      expect(result?.verdict).toBe("tampered");
    }
  });

  it("rejects deep nesting (10 000 levels as raw JSON text) anywhere, without a stack overflow", async () => {
    const text = JSON.stringify(genuine);
    const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;
    const places = [
      deep(10_000),
      text.replace(/"title":("[^"]*")/, () => `"title":${deep(10_000)}`),
      text.replace(/"skills":\[/, () => `"skills":[${deep(10_000)},`),
      text.replace(/"learner":\{/, () => `"learner":{"deep":${`{"a":`.repeat(10_000)}1${"}".repeat(10_000)},`),
      text.replace(/"chainId":\d+/, () => `"chainId":${`{"a":`.repeat(10_000)}1${"}".repeat(10_000)}`),
      text.replace(/}$/, () => `,"extra":${deep(10_000)}}`),
    ];
    for (const input of places) {
      const result = await verifyHostile(input);
      expect(result?.verdict ?? "rejected").not.toBe("valid");
    }
  });

  it("rejects huge and unsafe numbers as chain, issuer or block", async () => {
    const text = JSON.stringify(genuine);
    for (const key of ["chainId", "issuerId", "block"]) {
      for (const n of ["1e308", "9007199254740993", "9007199254740992", "1e400", "-1", "0.5", "1e-400"]) {
        const input = text.replace(new RegExp(`"${key}":\\d+`), () => `"${key}":${n}`);
        // 1e-400 parses as 0, a valid block number: the bundle then still verifies.
        if (key === "block" && n === "1e-400") continue;
        expect(await outcome(() => parseBundle(input)), `${key} ${n}`).toBeNull();
      }
    }
  });

  it("keeps __proto__ and constructor keys from reaching Object.prototype", async () => {
    const text = JSON.stringify(genuine);
    const inputs = [
      text.replace(/^{/, '{"__proto__":{"polluted":"yes"},'),
      text.replace('"credential":{', '"credential":{"__proto__":{"polluted":"yes"},'),
      text.replace('"credential":{', '"credential":{"constructor":{"prototype":{"polluted":"yes"}},'),
      text.replace('"anchor":{', '"anchor":{"__proto__":{"polluted":"yes"},'),
    ];
    for (const input of inputs) {
      const result = await verifyHostile(input);
      expect(result?.verdict ?? "rejected").not.toBe("valid");
      // A "__proto__" key is shown as a plain key, never as a prototype.
      if (result) expect(Object.getPrototypeOf(result.credential)).toBe(Object.prototype);
      expectPrototypeClean();
    }
    const shared = discloseBundle(genuine, ["learner.email"]);
    const hidden = JSON.stringify(shared).replace('"hidden":{', `"hidden":{"/__proto__/polluted":"${"A".repeat(43)}",`);
    expect((await verifyHostile(hidden))?.verdict ?? "rejected").not.toBe("valid");
  });

  it("does not vouch for anchor.block: it is a locator, and a changed one still verifies", async () => {
    // The oracle's one exception, documented: the verdict covers the credential, its path, the chain,
    // the registry, the issuer and the batch, not where the anchoring transaction is said to be.
    const moved = { ...structuredClone(genuine), anchor: { ...genuine.anchor, block: 123_456 } };
    const result = await verifyBundle(moved, { chains, now: NOW });
    expect(result.verdict).toBe("valid");
    expect(result.anchoredAt).toBe(1_780_000_000);
  });
});
