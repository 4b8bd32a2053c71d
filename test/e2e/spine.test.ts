import { JsonRpcProvider } from "ethers";
import keccak256 from "keccak256";
import { MerkleTree } from "merkletreejs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnchorContext,
  batchIdToBytes16,
  type Bundle,
  bundleFor,
  bundlePath,
  buildTree,
  type CallProvider,
  credentialRegistryInterface,
  discloseBundle,
  fromHex32,
  type Hex32,
  leafOfDigest,
  newBatchId,
  type PreparedBatch,
  prepareBatch,
  processProof,
  proofOf,
  RegistryClient,
  registryStatusOf,
  treeRoot,
  type TrustedChain,
  type VerificationResult,
  verifyBundle,
  type WriteReceipt,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { type ServiceFixture, startService, waitFor } from "../support/service";
import { closedPort } from "../../harness/net";

/** Wraps a provider and counts the eth_calls that reach it. */
function counting(provider: CallProvider): CallProvider & { calls: number } {
  const counter = {
    calls: 0,
    call(tx: { to: string; data: string }) {
      counter.calls += 1;
      return provider.call(tx);
    },
  };
  return counter;
}

/** Where the fixture's issuer anchors its next batch: a fresh batch id on the fixture's registry. */
function contextOf(fx: RegistryFixture, issuerId = fx.issuerId): AnchorContext {
  return { chainId: fx.chain.chainId, registry: fx.registry, issuerId, batchId: newBatchId() };
}

const base64url = (hex: Hex32) => Buffer.from(fromHex32(hex)).toString("base64url");

/** Flips the first character of a base64url string (a changed first byte). */
const flipFirst = (text: string) => `${text.startsWith("A") ? "B" : "A"}${text.slice(1)}`;

const verdictsOf = (results: readonly VerificationResult[]) => results.map((r) => r.verdict);

describe("the spine, end to end on a local chain", () => {
  let fx: RegistryFixture;
  let batch: PreparedBatch;
  let receipt: WriteReceipt;
  let bundles: Bundle[];
  const N = 1000;
  const EXPIRING = 7; // this credential is valid until 2027-01-31

  /** Prepares `credentials` for the fixture's issuer and anchors them as a new batch. */
  const anchorNew = async (credentials: readonly unknown[], issuer = fx.issuer) => {
    const prepared = prepareBatch(credentials, contextOf(fx));
    const mined = await issuer.anchor(prepared.context.batchId, prepared.root, prepared.count, "");
    return {
      prepared,
      receipt: mined,
      bundles: prepared.credentials.map((_, i) => bundleFor(prepared, i, mined.blockNumber)),
    };
  };

  beforeAll(async () => {
    fx = await startRegistry();
    batch = prepareBatch(
      Array.from({ length: N }, (_, i) => sampleCredential(i, i === EXPIRING ? { validUntil: "2027-01-31" } : {})),
      contextOf(fx),
    );
    receipt = await fx.issuer.anchor(batch.context.batchId, batch.root, batch.count, "https://uni.test/batches/1");
    bundles = batch.credentials.map((_, i) => bundleFor(batch, i, receipt.blockNumber));
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("anchors the batch of 1,000 in one transaction that carries no credential data", async () => {
    const tx = await fx.chain.provider.getTransaction(receipt.txHash);
    const call = credentialRegistryInterface.parseTransaction({ data: tx!.data });
    expect(call?.name).toBe("anchor");
    expect(call?.args.toArray()).toEqual([
      batchIdToBytes16(batch.context.batchId),
      batch.root,
      BigInt(N),
      "https://uni.test/batches/1",
    ]);
    expect(tx!.data.toLowerCase()).not.toContain(Buffer.from("Novak").toString("hex"));
    expect(bundles[0]!.anchor).toEqual({
      chainId: fx.chain.chainId,
      registry: fx.registry.toLowerCase(),
      issuerId: fx.issuerId,
      batchId: batch.context.batchId,
      block: receipt.blockNumber,
    });
  });

  it("verifies every bundle off chain with exactly one RPC call each, naming the issuer the registry records", async () => {
    const provider = counting(fx.chain.provider);
    const chains: TrustedChain[] = [{ ...fx.trusted[0]!, provider }];
    // A thousand eth_calls at once on a shared machine: give the chain more than the default 10 s.
    const options = { chains, now: Date.parse("2026-12-01"), timeoutMs: 60_000 };
    const results = await Promise.all(bundles.map((b) => verifyBundle(b, options)));
    expect(verdictsOf(results)).toEqual(Array(N).fill("valid"));
    expect(provider.calls).toBe(N);
    expect(results.map((r) => r.leaf)).toEqual(batch.credentials.map((c) => c.leaf));
    expect(results[0]!.issuer).toMatchObject({ id: fx.issuerId, name: "Test University", active: true });
    expect(results[0]!.checks.map((c) => [c.name, c.ok])).toEqual([
      ["registry", true],
      ["digest", true],
      ["proof", true],
      ["anchor", true],
      ["revocation", true],
      ["accreditation", true],
      ["expiry", true],
    ]);
  });

  it("verifies every bundle on chain through verify(), which derives the leaf, and with merkletreejs", async () => {
    const registry = fx.issuer.contract;
    const tree = new MerkleTree([], keccak256, { sortPairs: true });
    const batchId = batchIdToBytes16(batch.context.batchId);
    const statuses = await Promise.all(
      bundles.map(async (b, i) => {
        const { leaf, digest } = batch.credentials[i]!;
        expect(tree.verify(bundlePath(b), leaf, batch.root)).toBe(true);
        const result = await registry.verify(fx.issuerId, batchId, batch.root, digest, bundlePath(b));
        return [registryStatusOf(result.status), result.leaf.toLowerCase() === leaf];
      }),
    );
    expect(statuses).toEqual(Array(N).fill(["valid", true]));
  });

  it("keeps a bundle with hidden fields valid", async () => {
    const shared = discloseBundle(bundles[3]!, ["learner", "assessment.grade", "skills"]);
    const result = await verifyBundle(shared, { chains: fx.trusted });
    expect(result.verdict).toBe("valid");
    expect(result.hidden).toEqual([
      "/assessment/grade",
      "/learner/email",
      "/learner/identifier",
      "/learner/name",
      "/skills",
    ]);
    expect(result.credential).not.toHaveProperty("learner");
    expect(shared).not.toHaveProperty("secret");
  });

  it("reports expired after validUntil and valid before", async () => {
    const bundle = bundles[EXPIRING]!;
    const before = await verifyBundle(bundle, { chains: fx.trusted, now: Date.parse("2027-01-31T23:00:00Z") });
    const after = await verifyBundle(bundle, { chains: fx.trusted, now: Date.parse("2027-02-01T00:00:01Z") });
    expect([before.verdict, after.verdict]).toEqual(["valid", "expired"]);
  });

  it("reports tampered for a changed field, secret, salt, proof element, path order or batch id", async () => {
    const mutate = (f: (b: Bundle) => void, from: Bundle = bundles[11]!) => {
      const copy = structuredClone(from);
      f(copy);
      return verifyBundle(copy, { chains: fx.trusted });
    };
    const path = bundlePath(bundles[11]!);
    // Another batch of the same issuer, anchored: the credential's leaf is bound to its own batch id.
    const other = await anchorNew([sampleCredential(5000), sampleCredential(5001)]);
    const results = await Promise.all([
      mutate((b) => {
        (b.credential.workload as { ects: number }).ects = 60;
      }),
      mutate((b) => {
        b.secret = flipFirst(b.secret!);
      }),
      mutate(
        (b) => {
          b.salts = flipFirst(b.salts!);
        },
        discloseBundle(bundles[11]!, ["learner.email"]),
      ),
      mutate((b) => {
        b.proof = flipFirst(b.proof);
      }),
      mutate((b) => {
        b.proof = Buffer.concat(path.map(fromHex32).reverse()).toString("base64url");
      }),
      mutate((b) => {
        b.anchor.batchId = other.prepared.context.batchId;
      }),
    ]);
    expect(verdictsOf(results)).toEqual(Array(6).fill("tampered"));
    expect(results.at(-1)!.checks.find((c) => c.name === "proof")).toMatchObject({ ok: false });
  });

  it("reports not-anchored for a bundle whose batch was never anchored", async () => {
    const other = prepareBatch([sampleCredential(1), sampleCredential(2)], contextOf(fx));
    const result = await verifyBundle(bundleFor(other, 0, receipt.blockNumber), { chains: fx.trusted });
    expect(result.verdict).toBe("not-anchored");
    expect(result.checks.at(-1)).toMatchObject({
      name: "anchor",
      ok: false,
      message: `issuer ${fx.issuerId} (Test University) has not anchored this root as batch ${other.context.batchId} on this registry`,
    });
  });

  // Issue 11, front-running: batches are namespaced per issuer, so a copied root blocks no one.
  it("lets the issuer anchor its batch after another issuer copied its pending root and batch id", async () => {
    const rivalSigner = await fx.chain.signer(4);
    const { issuerId: rivalId } = await fx.accreditor.registerIssuer("Rival Academy", "", rivalSigner.address);
    const genuine = prepareBatch([sampleCredential(4000), sampleCredential(4001)], contextOf(fx));
    // The rival front-runs the genuine issuer's anchor transaction with the same arguments.
    await new RegistryClient(fx.registry, rivalSigner).anchor(genuine.context.batchId, genuine.root, 2, "");
    const mined = await fx.issuer.anchor(genuine.context.batchId, genuine.root, 2, "");
    const bundle = bundleFor(genuine, 0, mined.blockNumber);
    const result = await verifyBundle(bundle, { chains: fx.trusted });
    expect(result.verdict).toBe("valid");
    expect(result.issuer).toMatchObject({ id: fx.issuerId, name: "Test University" });
    // Claimed under the rival's copy, the same credential is not the rival's to award: its leaf,
    // bound to the rival, leads to another root, which the rival never anchored.
    const anchor = { ...bundle.anchor, issuerId: rivalId };
    const claimed = await verifyBundle({ ...bundle, anchor }, { chains: fx.trusted });
    const rivalRoot = processProof(leafOfDigest(anchor, genuine.credentials[0]!.digest), bundlePath(bundle));
    const consistent = await verifyBundle({ ...bundle, anchor, root: base64url(rivalRoot) }, { chains: fx.trusted });
    expect([claimed.verdict, consistent.verdict]).toEqual(["tampered", "not-anchored"]);
    expect(consistent.issuer).toMatchObject({ id: rivalId, name: "Rival Academy" });
  });

  it("reports wrong-chain for another chain id or an untrusted registry, without calling the chain", async () => {
    const provider = counting(fx.chain.provider);
    const chains: TrustedChain[] = [{ ...fx.trusted[0]!, provider }];
    const anchor = bundles[0]!.anchor;
    const otherChain = { ...bundles[0]!, anchor: { ...anchor, chainId: 1 } };
    const otherRegistry = {
      ...bundles[0]!,
      anchor: { ...anchor, registry: "0x000000000000000000000000000000000000dead" },
    };
    const results = await Promise.all([otherChain, otherRegistry].map((b) => verifyBundle(b, { chains })));
    expect(verdictsOf(results)).toEqual(["wrong-chain", "wrong-chain"]);
    expect(results[1]!.checks[0]!.message).toContain(
      `(trusted: ${fx.registry.toLowerCase()} on chain ${fx.chain.chainId})`,
    );
    expect(provider.calls).toBe(0);
  });

  it("reports chain-unavailable, never invalid, when the RPC endpoint is unreachable", async () => {
    const port = await closedPort();
    const provider = new JsonRpcProvider(`http://127.0.0.1:${port}`, fx.chain.chainId, { staticNetwork: true });
    try {
      const result = await verifyBundle(bundles[0]!, {
        chains: [{ ...fx.trusted[0]!, provider }],
        timeoutMs: 5_000,
      });
      expect(result.verdict).toBe("chain-unavailable");
      expect(result.checks.at(-1)).toMatchObject({ name: "anchor", ok: null });
    } finally {
      provider.destroy();
    }
  });

  it("reports revoked for a revoked credential and for every credential of a revoked batch", async () => {
    await fx.issuer.revokeCredential(batch.credentials[20]!.digest, "issued in error");
    const second = await anchorNew([sampleCredential(2000), sampleCredential(2001), sampleCredential(2002)]);
    const before = await verifyBundle(second.bundles[1]!, { chains: fx.trusted });
    await fx.issuer.revokeBatch(second.prepared.context.batchId, "exam board annulled the session");
    const results = await Promise.all(
      [bundles[20]!, bundles[21]!, ...second.bundles].map((b) => verifyBundle(b, { chains: fx.trusted })),
    );
    expect(before.verdict).toBe("valid");
    expect(verdictsOf(results)).toEqual(["revoked", "valid", "revoked", "revoked", "revoked"]);
    expect(results[0]!.checks.find((c) => c.name === "revocation")?.message).toMatch(/credential was revoked/);
    expect(results[2]!.checks.find((c) => c.name === "revocation")?.message).toMatch(/batch was revoked/);
  });

  it("reports issuer-not-accredited for batches anchored after a withdrawal dated in the past", async () => {
    const early = await anchorNew([sampleCredential(3000)]);
    await fx.chain.provider.send("evm_increaseTime", [3600]);
    const late = await anchorNew([sampleCredential(3001)]);
    const lateBlock = await fx.chain.provider.getBlock(late.receipt.blockNumber);
    // Found out an hour later: the key was compromised from the second batch on.
    await fx.chain.provider.send("evm_increaseTime", [3600]);
    await fx.accreditor.withdrawAccreditation(fx.issuerId, lateBlock!.timestamp, "signing key compromised");
    const results = await Promise.all(
      [early.bundles[0]!, late.bundles[0]!, bundles[0]!].map((b) => verifyBundle(b, { chains: fx.trusted })),
    );
    expect(verdictsOf(results)).toEqual(["valid", "issuer-not-accredited", "valid"]);
    const next = prepareBatch([sampleCredential(3002)], contextOf(fx));
    await expect(fx.issuer.anchor(next.context.batchId, next.root, 1, "")).rejects.toMatchObject({
      code: "CONTRACT_REVERT",
      revert: { name: "IssuerNotAccredited", args: [BigInt(fx.issuerId), BigInt(lateBlock!.timestamp)] },
    });
  });
});

interface Accepted {
  id: string;
  credentials: { id: string; index: number; leaf: string }[];
}
interface Verification {
  verdict: string;
  checks: { name: string; ok: boolean | null; message: string }[];
  issuer: { id: number; name: string } | null;
  digest: Hex32 | null;
  leaf: Hex32 | null;
}

/**
 * Issue 11: on v1 a revoked credential verified valid again once any other accredited issuer
 * anchored its leaf (as a one-leaf batch, root = leaf, or inside a tree of its own) and the holder
 * pointed `anchor.issuerId` at that issuer. On v2 the leaf commits to its issuer and batch, so the
 * edited bundle derives another leaf and nothing that issuer anchored matches it.
 */
describe("issue 11: a revoked credential re-anchored by another issuer, through the service and the chain", () => {
  let fx: ServiceFixture;

  const verify = async (bundle: Bundle): Promise<Verification> => {
    const res = await fx.app.inject({ method: "POST", url: "/v1/verify", payload: bundle });
    expect(res.statusCode).toBe(200);
    return res.json<Verification>();
  };

  beforeAll(async () => {
    fx = await startService();
  });

  afterAll(async () => {
    await fx.close();
  });

  it("never answers valid for the edited bundle, and the original still answers revoked", async () => {
    // Issuer A (the service's) issues a batch and revokes one credential of it.
    const posted = await fx.app.inject({
      method: "POST",
      url: "/v1/batches",
      headers: fx.auth,
      payload: { credentials: [sampleCredential(0), sampleCredential(1)] },
    });
    expect(posted.statusCode).toBe(202);
    const accepted = posted.json<Accepted>();
    const credential = accepted.credentials[0]!;
    const original = await waitFor(async () => {
      await fx.mine();
      const res = await fx.app.inject({ url: `/v1/credentials/${credential.id}/bundle` });
      return res.statusCode === 200 ? res.json<Bundle>() : undefined;
    });
    expect(original.anchor).toMatchObject({ issuerId: fx.issuerId, batchId: accepted.id });
    const first = await verify(original);
    expect(first.verdict).toBe("valid");
    const credentialDigest = first.digest!;
    const revoke = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${credential.id}/revoke`,
      headers: fx.auth,
      payload: { reason: "issued in error" },
    });
    expect(revoke.statusCode).toBe(202);
    await waitFor(
      async () => {
        await fx.mine();
        return (await verify(original)).verdict === "revoked" ? true : undefined;
      },
      20_000,
      "the revocation to reach the chain",
    );

    // Issuer C, another accredited issuer, anchors A's leaf: as a one-leaf batch (root = leaf) and
    // inside a tree of its own.
    const millSigner = await fx.chain.signer(5);
    const { issuerId: millId } = await fx.accreditor.registerIssuer(
      "Diploma Mill",
      "https://mill.test",
      millSigner.address,
    );
    const mill = new RegistryClient(fx.registry, millSigner);
    const leaf = credential.leaf as Hex32;
    const single = newBatchId();
    await mill.anchor(single, leaf, 1, "");
    const tree = buildTree([fromHex32(leaf), fromHex32(`0x${"11".repeat(32)}`)]);
    const pair = newBatchId();
    await mill.anchor(pair, treeRoot(tree), 2, "");
    expect((await mill.getBatch(millId, single, leaf)).anchoredAt).toBeGreaterThan(0);

    // The holder edits the bundle's anchor to C's batches, naming the root C anchored.
    const edited = (batchId: string, root: Hex32, path: readonly Hex32[]): Bundle => ({
      ...original,
      anchor: { ...original.anchor, issuerId: millId, batchId },
      root: base64url(root),
      proof: Buffer.concat(path.map(fromHex32)).toString("base64url"),
    });
    const forged = [
      await verify(edited(single, leaf, [])),
      await verify(edited(pair, treeRoot(tree), proofOf(tree, 0))),
    ];
    expect(forged.map((r) => r.verdict)).toEqual(["tampered", "tampered"]);
    for (const result of forged) {
      // The leaf bound to C is not A's leaf: the path no longer reaches the root C anchored.
      expect(result.leaf).not.toBe(leaf);
      expect(result.checks.find((c) => c.name === "proof")).toMatchObject({ ok: false });
    }
    // Self-consistent (the root the edited leaf's path leads to): C never anchored that root.
    const millLeaf = leafOfDigest({ ...original.anchor, issuerId: millId, batchId: single }, credentialDigest);
    const consistent = await verify(edited(single, millLeaf, []));
    expect(consistent.verdict).toBe("not-anchored");
    expect(consistent.checks.find((c) => c.name === "anchor")).toMatchObject({ ok: false });
    expect(consistent.issuer).toMatchObject({ id: millId, name: "Diploma Mill" });

    // And under its own issuer and batch it stays what its issuer made it.
    const again = await verify(original);
    expect(again.verdict).toBe("revoked");
    expect(again.issuer).toMatchObject({ id: fx.issuerId, name: "Test University" });
    expect(again.checks.find((c) => c.name === "revocation")?.message).toMatch(/credential was revoked/);
  });
});
