import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  buildTree,
  bundlePath,
  type CallProvider,
  digestOfOpening,
  discloseBundle,
  fromHex32,
  initHasher,
  isCredrootError,
  joinBase64url,
  leafOf,
  openBundle,
  parseBundle,
  prepareBatch,
  processProof,
  proofOf,
  toBase64url,
  toHex,
  treeRoot,
  type TrustedChain,
  verifyBundle,
  type VerificationResult,
} from "../../src";
import { anchorKey, answerCall, type FakeRegistryState, fakeState } from "../src/fake-registry";
import {
  hideablePointers,
  hostileBundles,
  isGenuineOrDisclosure,
  type MutationContext,
} from "../support/bundle-mutations";

/**
 * Issue 6, item 8 and issue 11: `parseBundle` and `verifyBundle` under hostile input, against fake
 * registries that answer as the v2 contract does (the leaf derived from the request, batches per
 * issuer). Another issuer has anchored the genuine batch id and root (front-running) and the
 * genuine leaf as a one-leaf batch (re-anchoring); another trusted registry and another trusted
 * chain hold the same batch under the same issuer id and batch id; any untrusted address is a
 * look-alike that answers "valid" to everything. A false "valid" can therefore only come from the
 * verifier: the oracle says which inputs may legitimately verify.
 */

const CHAIN_ID = 31337;
const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
/** Trusted too, on the same chain: the same batch under the same ids is anchored there. */
const OTHER_REGISTRY = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
/** A second trusted chain, likewise. */
const OTHER_CHAIN = { chainId: 11155111, registry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0" };
const ISSUER_ID = 1;
const MILL_ID = 2;
const NOW = Date.parse("2027-01-01T00:00:00Z");
const context: AnchorContext = {
  chainId: CHAIN_ID,
  registry: REGISTRY,
  issuerId: ISSUER_ID,
  batchId: "6b1f3c5e-0d4a-4e2b-8c7d-9a0b1c2d3e4f",
};
const REANCHORED = "00000000-0000-4000-8000-00000000abcd";
const OTHER_BATCH = "11111111-2222-4333-8444-555555555555";

const batch = prepareBatch(
  Array.from({ length: 11 }, (_, i) => sampleCredential(i, { validUntil: "2099-12-31" })),
  context,
);
const other = prepareBatch([sampleCredential(20), sampleCredential(21)], { ...context, batchId: OTHER_BATCH });
const genuine: Bundle = bundleFor(batch, 6, 7);
/** The mill's own tree holding the genuine leaf, and that leaf's path in it. */
const millTree = (() => {
  const tree = buildTree([batch.credentials[6]!.leaf, other.credentials[0]!.leaf].map(fromHex32));
  return { root: treeRoot(tree), path: proofOf(tree, 0) };
})();
const HIDEABLE = hideablePointers(genuine);

const mutationContext: MutationContext = {
  genuine,
  sibling: bundleFor(batch, 7, 7),
  otherBatches: [
    { issuerId: MILL_ID, batchId: context.batchId, root: batch.root, proof: proofOf(batch.tree, 6) },
    { issuerId: MILL_ID, batchId: REANCHORED, root: batch.credentials[6]!.leaf, proof: [] },
    { issuerId: MILL_ID, batchId: REANCHORED, root: millTree.root, proof: millTree.path },
    { issuerId: ISSUER_ID, batchId: OTHER_BATCH, root: other.root },
    { issuerId: ISSUER_ID, batchId: REANCHORED, root: batch.credentials[6]!.leaf, proof: [] },
    { issuerId: 3, batchId: context.batchId, root: batch.root, proof: proofOf(batch.tree, 6) },
  ],
  otherTrusted: [{ chainId: CHAIN_ID, registry: OTHER_REGISTRY }, OTHER_CHAIN],
};

/** A registry holding the genuine batch (and, at home, the attacks on it). */
function registryState(chainId: number, address: string, home: boolean): FakeRegistryState {
  const state = fakeState(chainId, address);
  state.anchors.set(anchorKey(ISSUER_ID, context.batchId, batch.root), {});
  if (!home) return state;
  state.issuers.set(MILL_ID, { name: "Diploma Mill" });
  state.anchors.set(anchorKey(ISSUER_ID, OTHER_BATCH, other.root), {});
  state.anchors.set(anchorKey(MILL_ID, context.batchId, batch.root), {});
  state.anchors.set(anchorKey(MILL_ID, REANCHORED, batch.credentials[6]!.leaf), {});
  state.anchors.set(anchorKey(MILL_ID, REANCHORED, millTree.root), {});
  return state;
}

/** Routes calls to the fake registries of one chain; any other address is a look-alike that anchors everything. */
function fakeChain(chainId: number, states: FakeRegistryState[]): CallProvider & { calls: number } {
  const chain = {
    calls: 0,
    call({ to, data }: { to: string; data: string }): Promise<string> {
      chain.calls += 1;
      const state = states.find((s) => s.address === to.toLowerCase()) ?? {
        ...fakeState(chainId, to),
        anchorsEverything: true,
      };
      return Promise.resolve(answerCall(state, data));
    },
  };
  return chain;
}

const home = fakeChain(CHAIN_ID, [
  registryState(CHAIN_ID, REGISTRY, true),
  registryState(CHAIN_ID, OTHER_REGISTRY, false),
]);
const elsewhere = fakeChain(OTHER_CHAIN.chainId, [registryState(OTHER_CHAIN.chainId, OTHER_CHAIN.registry, false)]);
const chains: TrustedChain[] = [
  { chainId: CHAIN_ID, registries: [REGISTRY, OTHER_REGISTRY], provider: home },
  { chainId: OTHER_CHAIN.chainId, registries: [OTHER_CHAIN.registry], provider: elsewhere },
];

/** Nothing polluted Object.prototype (a `__proto__` or `constructor.prototype` key reaching it). */
function expectPrototypeClean(): void {
  expect(Object.prototype).not.toHaveProperty("polluted");
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** Runs `fn`; a throw must be a CredrootError INVALID_BUNDLE, and is returned as `null`. */
async function outcome<T>(fn: () => T | Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    return null;
  }
}

const report = (what: string, runs: number, extra = "") =>
  console.log(`bundle-fuzz | ${what} | ${runs} cases${extra ? ` (${extra})` : ""}`);

describe("parseBundle and verifyBundle under hostile input (fake v2 registries)", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  beforeAll(async () => {
    // The WebAssembly keccak, as the service and the CLI use it: thousands of cases in seconds.
    await initHasher();
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(async () => {
    // Let any stray rejection surface before looking.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
    expectPrototypeClean();
  });
  afterAll(() => {
    process.off("unhandledRejection", onUnhandled);
  });

  /** Verifies `input`; asserts "valid" only for the genuine bundle or a disclosure of it. */
  async function verifyHostile(input: unknown): Promise<VerificationResult | null> {
    const calls = home.calls + elsewhere.calls;
    const result = await outcome(() => verifyBundle(input, { chains, now: NOW }));
    expect(home.calls + elsewhere.calls - calls).toBeLessThanOrEqual(1);
    if (result?.verdict === "valid") {
      expect(isGenuineOrDisclosure(parseBundle(input), genuine), "a false valid").toBe(true);
      expect(result.issuer?.id).toBe(ISSUER_ID);
    }
    return result;
  }

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

  describe("with a misbehaving chain", () => {
    // A hostile or broken provider rejects with anything at all, not only Errors.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const rejectWith = (reason: unknown): Promise<string> => Promise.reject(reason);
    /**
     * How late a late answer comes, against a 5 ms timeout. Far later, not just later: when the
     * event loop stalls (a loaded machine), Node may run a due 15 ms timer before a due 5 ms one.
     */
    const LATE_MS = 150;
    const validAnswer = (data: string) => answerCall(registryState(CHAIN_ID, REGISTRY, true), data);
    const misbehaviours = fc.oneof(
      fc.anything().map((reason) => ({ name: "rejects", call: () => rejectWith(reason) })),
      fc.anything().map((reason) => ({
        name: "throws synchronously",
        call: (): Promise<string> => {
          throw reason;
        },
      })),
      fc
        .oneof(
          fc.string(),
          fc.constant("0x"),
          fc.uint8Array({ maxLength: 200 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
        )
        .map((data) => ({ name: `answers ${data.slice(0, 20)}`, call: () => Promise.resolve(data) })),
      fc.integer({ min: 6, max: 255 }).map((status) => ({
        name: `answers an unknown status ${status}`,
        call: (data: string) =>
          Promise.resolve(validAnswer(data).replace(/^0x0{64}/, `0x${status.toString(16).padStart(64, "0")}`)),
      })),
      fc.constant({
        name: "answers valid about another leaf",
        call: (data: string) => Promise.resolve(answerCall(registryState(1, REGISTRY, true), data)),
      }),
      fc.constant({ name: "never answers", call: () => new Promise<string>(() => undefined) }),
      fc.anything().map((reason) => ({
        name: "rejects after the timeout",
        call: () => new Promise<string>((resolve) => setTimeout(() => resolve(rejectWith(reason)), LATE_MS)),
      })),
      fc.constant({
        name: "answers valid after the timeout",
        call: (data: string) => new Promise<string>((resolve) => setTimeout(() => resolve(validAnswer(data)), LATE_MS)),
      }),
    );

    it("answers chain-unavailable for the genuine bundle, never valid, never invalid, never an unhandled rejection", async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(misbehaviours, fc.subarray(HIDEABLE, { maxLength: 3 }), async (chain, hide) => {
          runs += 1;
          const provider: CallProvider = { call: ({ data }) => chain.call(data) };
          const bundle = discloseBundle(genuine, hide);
          const result = await verifyBundle(bundle, {
            chains: [{ chainId: CHAIN_ID, registries: [REGISTRY], provider }],
            now: NOW,
            timeoutMs: 5,
          });
          expect(result.verdict, chain.name).toBe("chain-unavailable");
          expect(result.checks.at(-1)).toMatchObject({ name: "anchor", ok: null });
        }),
        { numRuns: 600 },
      );
      report("misbehaving chains", runs);
    });
  });
});
