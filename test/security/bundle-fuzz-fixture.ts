/**
 * The setting of the bundle fuzz tests (test/security/bundle-fuzz*.test.ts). Issue 6, item 8 and
 * issue 11: `parseBundle` and `verifyBundle` under hostile input, against fake registries that
 * answer as the v2 contract does (the leaf derived from the request, batches per issuer). Another
 * issuer has anchored the genuine batch id and root (front-running) and the genuine leaf as a
 * one-leaf batch (re-anchoring); another trusted registry and another trusted chain hold the same
 * batch under the same issuer id and batch id; any untrusted address is a look-alike that answers
 * "valid" to everything. A false "valid" can therefore only come from the verifier: the oracle
 * says which inputs may legitimately verify.
 */
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  buildTree,
  type CallProvider,
  fromHex32,
  initHasher,
  isCredrootError,
  parseBundle,
  prepareBatch,
  proofOf,
  treeRoot,
  type TrustedChain,
  verifyBundle,
  type VerificationResult,
} from "../../src";
import { anchorKey, answerCall, type FakeRegistryState, fakeState } from "../src/fake-registry";
import { hideablePointers, isGenuineOrDisclosure, type MutationContext } from "../support/bundle-mutations";

export const CHAIN_ID = 31337;
export const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
/** Trusted too, on the same chain: the same batch under the same ids is anchored there. */
export const OTHER_REGISTRY = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";
/** A second trusted chain, likewise. */
export const OTHER_CHAIN = { chainId: 11155111, registry: "0x9fe46736679d2d9a65f0992f2272de9f3c7fa6e0" };
export const ISSUER_ID = 1;
export const MILL_ID = 2;
export const NOW = Date.parse("2027-01-01T00:00:00Z");
export const context: AnchorContext = {
  chainId: CHAIN_ID,
  registry: REGISTRY,
  issuerId: ISSUER_ID,
  batchId: "6b1f3c5e-0d4a-4e2b-8c7d-9a0b1c2d3e4f",
};
export const REANCHORED = "00000000-0000-4000-8000-00000000abcd";
export const OTHER_BATCH = "11111111-2222-4333-8444-555555555555";

export const batch = prepareBatch(
  Array.from({ length: 11 }, (_, i) => sampleCredential(i, { validUntil: "2099-12-31" })),
  context,
);
export const other = prepareBatch([sampleCredential(20), sampleCredential(21)], { ...context, batchId: OTHER_BATCH });
export const genuine: Bundle = bundleFor(batch, 6, 7);
/** The mill's own tree holding the genuine leaf, and that leaf's path in it. */
export const millTree = (() => {
  const tree = buildTree([batch.credentials[6]!.leaf, other.credentials[0]!.leaf].map(fromHex32));
  return { root: treeRoot(tree), path: proofOf(tree, 0) };
})();
export const HIDEABLE = hideablePointers(genuine);

export const mutationContext: MutationContext = {
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
export function registryState(chainId: number, address: string, home: boolean): FakeRegistryState {
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
export function fakeChain(chainId: number, states: FakeRegistryState[]): CallProvider & { calls: number } {
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

export const home = fakeChain(CHAIN_ID, [
  registryState(CHAIN_ID, REGISTRY, true),
  registryState(CHAIN_ID, OTHER_REGISTRY, false),
]);
export const elsewhere = fakeChain(OTHER_CHAIN.chainId, [
  registryState(OTHER_CHAIN.chainId, OTHER_CHAIN.registry, false),
]);
export const chains: TrustedChain[] = [
  { chainId: CHAIN_ID, registries: [REGISTRY, OTHER_REGISTRY], provider: home },
  { chainId: OTHER_CHAIN.chainId, registries: [OTHER_CHAIN.registry], provider: elsewhere },
];

/** Nothing polluted Object.prototype (a `__proto__` or `constructor.prototype` key reaching it). */
export function expectPrototypeClean(): void {
  expect(Object.prototype).not.toHaveProperty("polluted");
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
}

/** Runs `fn`; a throw must be a CredrootError INVALID_BUNDLE, and is returned as `null`. */
export async function outcome<T>(fn: () => T | Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    return null;
  }
}

export const report = (what: string, runs: number, extra = "") =>
  console.log(`bundle-fuzz | ${what} | ${runs} cases${extra ? ` (${extra})` : ""}`);

// Unhandled rejections seen during a test of a file that called useHostileChecks().
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

/** Verifies `input`; asserts "valid" only for the genuine bundle or a disclosure of it. */
export async function verifyHostile(input: unknown): Promise<VerificationResult | null> {
  const calls = home.calls + elsewhere.calls;
  const result = await outcome(() => verifyBundle(input, { chains, now: NOW }));
  expect(home.calls + elsewhere.calls - calls).toBeLessThanOrEqual(1);
  if (result?.verdict === "valid") {
    expect(isGenuineOrDisclosure(parseBundle(input), genuine), "a false valid").toBe(true);
    expect(result.issuer?.id).toBe(ISSUER_ID);
  }
  return result;
}

/**
 * Inside the calling file's describe: the WebAssembly hasher before its tests, and after each
 * test no unhandled rejection and a clean Object.prototype.
 */
export function useHostileChecks(): void {
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
}
