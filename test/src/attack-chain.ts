/**
 * The local chain the attack tests (test/src/attacks*.test.ts) run on: a Hardhat chain with the v2
 * CredentialRegistry, an accreditor, and helpers that register issuers, issue and anchor
 * batches, re-anchor leaves, and verify through the library's verifier. Each test file calls
 * {@link useAttackChain} to start the chain before its tests and stop it after.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import { afterAll, beforeAll } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  buildTree,
  type CommittedCredential,
  fromHex32,
  type Hex32,
  joinBase64url,
  leafOfDigest,
  type MerkleTree,
  newBatchId,
  prepareBatch,
  proofOf,
  RegistryClient,
  toBase64url,
  toHex,
  treeRoot,
  type Verdict,
  verifyBundle,
  type VerificationResult,
} from "../../src";
import { type RegistryFixture, startRegistry } from "../../harness/registry";

export const VICTIM = "Universiteit van Voorbeeld";
export const MILL = "Diploma Mill";
export const HUNDRED_ETH = "0x56bc75e2d63100000";

export let fx: RegistryFixture;
/** A provider that polls fast: tests here send many transactions back to back. */
export let fast: JsonRpcProvider;
export let accreditor: RegistryClient;

/** An accredited issuer on the fixture's registry, with a signer of its own. */
export interface Issuer {
  id: number;
  name: string;
  client: RegistryClient;
  address: string;
}

export async function newIssuer(name: string): Promise<Issuer> {
  const wallet = Wallet.createRandom().connect(fast);
  await fast.send("hardhat_setBalance", [wallet.address, HUNDRED_ETH]);
  const { issuerId } = await accreditor.registerIssuer(
    name,
    `https://${name.replace(/\W/g, "").toLowerCase()}.test`,
    wallet.address,
  );
  return { id: issuerId, name, client: new RegistryClient(fx.registry, wallet), address: wallet.address };
}

export const contextOf = (issuer: Issuer, batchId = newBatchId()): AnchorContext => ({
  chainId: fx.chain.chainId,
  registry: fx.registry,
  issuerId: issuer.id,
  batchId,
});

/** An anchored batch: what the issuer anchored, and the bundles of its credentials. */
export interface Issued {
  context: AnchorContext;
  root: Hex32;
  credentials: CommittedCredential[];
  tree: MerkleTree;
  anchoredAt: number;
  bundle(index: number): Bundle;
}

export async function timestampOf(block: number): Promise<number> {
  return (await fast.getBlock(block))!.timestamp;
}

/** `issuer` issues the sample credentials `samples` in a new batch and anchors it. */
export async function issue(issuer: Issuer, samples: readonly number[], batchId = newBatchId()): Promise<Issued> {
  const batch = prepareBatch(
    samples.map((i) => sampleCredential(i)),
    contextOf(issuer, batchId),
  );
  const { blockNumber } = await issuer.client.anchor(batchId, batch.root, batch.count);
  return {
    context: batch.context,
    root: batch.root,
    credentials: batch.credentials,
    tree: batch.tree,
    anchoredAt: await timestampOf(blockNumber),
    bundle: (index) => bundleFor(batch, index, blockNumber),
  };
}

/** A re-anchoring of `leaves` by `issuer`: a root of its own whose tree holds them. */
export interface Reanchored {
  issuerId: number;
  batchId: string;
  root: Hex32;
  /** The path of `leaf` to `root` ([] when the root is the leaf itself). */
  path(leaf: Hex32): Hex32[];
}

/**
 * `issuer` anchors `leaves` it did not issue (or issued under another batch): as a one-leaf batch
 * (`root = leaf`, empty path) or inside a new tree with leaves of its own.
 */
export async function reanchor(
  issuer: Issuer,
  leaves: readonly Hex32[],
  shape: "one-leaf" | "tree",
  batchId = newBatchId(),
): Promise<Reanchored> {
  if (shape === "one-leaf") {
    await issuer.client.anchor(batchId, leaves[0]!, 1);
    return { issuerId: issuer.id, batchId, root: leaves[0]!, path: () => [] };
  }
  const own = [0, 1, 2].map((i) => leafOfDigest(contextOf(issuer, batchId), toHex(new Uint8Array(32).fill(i + 1))));
  const all = [...own.slice(0, 1), ...leaves, ...own.slice(1)];
  const tree = buildTree(all.map(fromHex32));
  const root = treeRoot(tree);
  await issuer.client.anchor(batchId, root, all.length);
  return { issuerId: issuer.id, batchId, root, path: (leaf) => proofOf(tree, all.indexOf(leaf)) };
}

export const rootText = (root: Hex32) => toBase64url(fromHex32(root));
export const pathText = (path: readonly Hex32[]) => joinBase64url(path.map(fromHex32));

/**
 * Every way a holder can point `bundle` at the re-anchored root: naming its issuer, its batch id,
 * both or neither, with its root and path, or with the bundle's own. Edits that change nothing
 * (the same issuer, the same batch id) are left out: they are the bundle itself.
 */
export function editsOf(bundle: Bundle, target: Reanchored, leaf: Hex32): Bundle[] {
  const moved = { root: rootText(target.root), proof: pathText(target.path(leaf)) };
  const own = { root: bundle.root, proof: bundle.proof };
  const anchors = [
    { issuerId: target.issuerId, batchId: target.batchId },
    { issuerId: target.issuerId, batchId: bundle.anchor.batchId },
    { issuerId: bundle.anchor.issuerId, batchId: target.batchId },
    { issuerId: bundle.anchor.issuerId, batchId: bundle.anchor.batchId },
  ];
  const edits = anchors.flatMap((a) =>
    [moved, own].map((p): Bundle => ({ ...structuredClone(bundle), anchor: { ...bundle.anchor, ...a }, ...p })),
  );
  const key = (b: Bundle) => JSON.stringify([b.anchor, b.root, b.proof]);
  return edits.filter((b) => key(b) !== key(bundle));
}

export const verify = (bundle: Bundle): Promise<VerificationResult> => verifyBundle(bundle, { chains: fx.trusted });

export async function verdictsOf(bundles: readonly Bundle[]): Promise<Verdict[]> {
  return Promise.all(bundles.map(async (b) => (await verify(b)).verdict));
}

/** Starts the chain, the registry and the fast provider before the calling file's tests; stops them after. */
export function useAttackChain(): void {
  beforeAll(async () => {
    fx = await startRegistry();
    fast = new JsonRpcProvider(fx.chain.url, fx.chain.chainId, {
      staticNetwork: true,
      pollingInterval: 5,
      cacheTimeout: -1,
      batchMaxCount: 1,
      batchStallTime: 0,
    });
    accreditor = new RegistryClient(fx.registry, new Wallet(fx.chain.privateKey(0), fast));
  });
  afterAll(async () => {
    fast.destroy();
    await fx.chain.close();
  });
}
