import { JsonRpcProvider } from "ethers";
import keccak256 from "keccak256";
import { MerkleTree } from "merkletreejs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnchorRef,
  type Bundle,
  bundleFor,
  type CallProvider,
  discloseBundle,
  type PreparedBatch,
  prepareBatch,
  RegistryClient,
  registryInterface,
  type TrustedChain,
  verifyBundle,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../support/registry";
import { closedPort } from "../support/net";

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

describe("the spine, end to end on a local chain", () => {
  let fx: RegistryFixture;
  let batch: PreparedBatch;
  let anchor: AnchorRef;
  let bundles: Bundle[];
  const N = 1000;
  const EXPIRING = 7; // this credential is valid until 2027-01-31

  beforeAll(async () => {
    fx = await startRegistry();
    batch = prepareBatch(
      Array.from({ length: N }, (_, i) => sampleCredential(i, i === EXPIRING ? { validUntil: "2027-01-31" } : {})),
    );
    const receipt = await fx.issuer.anchor(batch.root, batch.count, "https://uni.test/batches/1");
    anchor = {
      chainId: fx.chain.chainId,
      registry: fx.registry,
      txHash: receipt.txHash,
      blockNumber: receipt.blockNumber,
      issuerId: fx.issuerId,
    };
    bundles = batch.credentials.map((_, i) => bundleFor(batch, i, anchor));
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("anchors the batch of 1,000 in one transaction that carries no credential data", async () => {
    const tx = await fx.chain.provider.getTransaction(anchor.txHash);
    const call = registryInterface.parseTransaction({ data: tx!.data });
    expect(call?.name).toBe("anchor");
    expect(call?.args.toArray()).toEqual([batch.root, BigInt(N), "https://uni.test/batches/1"]);
    expect(tx!.data.toLowerCase()).not.toContain(Buffer.from("Novak").toString("hex"));
  });

  it("verifies every bundle off chain with exactly one RPC call each", async () => {
    const provider = counting(fx.chain.provider);
    const chains: TrustedChain[] = [{ ...fx.trusted[0]!, provider }];
    const results = await Promise.all(bundles.map((b) => verifyBundle(b, { chains, now: Date.parse("2026-12-01") })));
    expect(results.map((r) => r.verdict)).toEqual(Array(N).fill("valid"));
    expect(provider.calls).toBe(N);
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

  it("verifies every bundle on chain through verify() and with merkletreejs", async () => {
    const registry = fx.issuer.contract;
    const tree = new MerkleTree([], keccak256, { sortPairs: true });
    const statuses = await Promise.all(
      bundles.map(async (b) => {
        expect(tree.verify(b.proof.path, b.proof.leaf, b.proof.root)).toBe(true);
        const result = (await registry.getFunction("verify").staticCall(b.proof.root, b.proof.leaf, b.proof.path)) as {
          status: bigint;
          issuerId: bigint;
        };
        return [Number(result.status), Number(result.issuerId)];
      }),
    );
    expect(statuses).toEqual(Array(N).fill([0, fx.issuerId]));
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
  });

  it("reports expired after validUntil and valid before", async () => {
    const bundle = bundles[EXPIRING]!;
    const before = await verifyBundle(bundle, { chains: fx.trusted, now: Date.parse("2027-01-31T23:00:00Z") });
    const after = await verifyBundle(bundle, { chains: fx.trusted, now: Date.parse("2027-02-01T00:00:01Z") });
    expect([before.verdict, after.verdict]).toEqual(["valid", "expired"]);
  });

  it("reports tampered for a changed field, salt, proof element or root", async () => {
    const mutate = (f: (b: Bundle) => void) => {
      const copy = structuredClone(bundles[11]!);
      f(copy);
      return verifyBundle(copy, { chains: fx.trusted });
    };
    const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith("0") ? "1" : "0"}` as `0x${string}`;
    const verdicts = await Promise.all([
      mutate((b) => {
        const ects = b.credential.fields["/workload/ects"] as { salt: `0x${string}`; value: number };
        ects.value = 60;
      }),
      mutate((b) => {
        const field = b.credential.fields["/learner/name"] as { salt: `0x${string}`; value: string };
        field.salt = flip(field.salt);
      }),
      mutate((b) => {
        b.proof.path[0] = flip(b.proof.path[0]!);
      }),
      mutate((b) => {
        b.proof.root = flip(b.proof.root);
      }),
      mutate((b) => {
        b.proof.path.reverse();
      }),
    ]);
    expect(verdicts.map((v) => v.verdict)).toEqual(Array(5).fill("tampered"));
  });

  it("reports not-anchored for a bundle whose batch root was never anchored", async () => {
    const other = prepareBatch([sampleCredential(1), sampleCredential(2)]);
    const result = await verifyBundle(bundleFor(other, 0, anchor), { chains: fx.trusted });
    expect(result.verdict).toBe("not-anchored");
    expect(result.issuer).toBeNull();
  });

  it("reports not-anchored when another issuer anchored the root first", async () => {
    const rivalSigner = await fx.chain.signer(4);
    const { issuerId: rivalId } = await fx.accreditor.registerIssuer("Rival Academy", "", rivalSigner.address);
    const stolen = prepareBatch([sampleCredential(4000), sampleCredential(4001)]);
    // The rival front-runs the genuine issuer's anchor transaction with the same root.
    await new RegistryClient(fx.registry, rivalSigner).anchor(stolen.root, 2, "");
    await expect(fx.issuer.anchor(stolen.root, 2, "")).rejects.toMatchObject({
      revert: { name: "BatchAlreadyAnchored", args: [stolen.root, BigInt(rivalId), expect.any(BigInt)] },
    });
    const result = await verifyBundle(bundleFor(stolen, 0, anchor), { chains: fx.trusted });
    expect(result.verdict).toBe("not-anchored");
    expect(result.checks.at(-1)?.message).toMatch(`anchored by issuer ${rivalId}, not by issuer ${fx.issuerId}`);
  });

  it("reports wrong-chain for another chain id or an untrusted registry, without calling the chain", async () => {
    const provider = counting(fx.chain.provider);
    const chains: TrustedChain[] = [{ ...fx.trusted[0]!, provider }];
    const otherChain = { ...bundles[0]!, anchor: { ...anchor, chainId: 1 } };
    const otherRegistry = {
      ...bundles[0]!,
      anchor: { ...anchor, registry: "0x000000000000000000000000000000000000dEaD" },
    };
    const verdicts = await Promise.all([otherChain, otherRegistry].map((b) => verifyBundle(b, { chains })));
    expect(verdicts.map((v) => v.verdict)).toEqual(["wrong-chain", "wrong-chain"]);
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
    await fx.issuer.revokeCredential(batch.root, bundles[20]!.proof.leaf, "issued in error");
    const second = prepareBatch([sampleCredential(2000), sampleCredential(2001), sampleCredential(2002)]);
    const r2 = await fx.issuer.anchor(second.root, second.count, "");
    const secondAnchor = { ...anchor, txHash: r2.txHash, blockNumber: r2.blockNumber };
    const before = await verifyBundle(bundleFor(second, 1, secondAnchor), { chains: fx.trusted });
    await fx.issuer.revokeBatch(second.root, "exam board annulled the session");
    const verdicts = await Promise.all(
      [bundles[20]!, bundles[21]!, ...second.credentials.map((_, i) => bundleFor(second, i, secondAnchor))].map((b) =>
        verifyBundle(b, { chains: fx.trusted }),
      ),
    );
    expect(before.verdict).toBe("valid");
    expect(verdicts.map((v) => v.verdict)).toEqual(["revoked", "valid", "revoked", "revoked", "revoked"]);
    expect(verdicts[0]!.checks.find((c) => c.name === "revocation")?.message).toMatch(/credential was revoked/);
  });

  it("reports issuer-not-accredited for batches anchored after a withdrawal dated in the past", async () => {
    const early = prepareBatch([sampleCredential(3000)]);
    const late = prepareBatch([sampleCredential(3001)]);
    const r1 = await fx.issuer.anchor(early.root, 1, "");
    await fx.chain.provider.send("evm_increaseTime", [3600]);
    const r2 = await fx.issuer.anchor(late.root, 1, "");
    const lateBlock = await fx.chain.provider.getBlock(r2.blockNumber);
    // Found out an hour later: the key was compromised from the second batch on.
    await fx.chain.provider.send("evm_increaseTime", [3600]);
    await fx.accreditor.withdrawAccreditation(fx.issuerId, lateBlock!.timestamp, "signing key compromised");
    const [v1, v2, v0] = await Promise.all([
      verifyBundle(bundleFor(early, 0, { ...anchor, txHash: r1.txHash, blockNumber: r1.blockNumber }), {
        chains: fx.trusted,
      }),
      verifyBundle(bundleFor(late, 0, { ...anchor, txHash: r2.txHash, blockNumber: r2.blockNumber }), {
        chains: fx.trusted,
      }),
      verifyBundle(bundles[0]!, { chains: fx.trusted }),
    ]);
    expect([v1.verdict, v2.verdict, v0.verdict]).toEqual(["valid", "issuer-not-accredited", "valid"]);
    await expect(fx.issuer.anchor(prepareBatch([sampleCredential(3002)]).root, 1, "")).rejects.toMatchObject({
      code: "CONTRACT_REVERT",
      revert: { name: "IssuerNotAccredited", args: [BigInt(fx.issuerId), BigInt(lateBlock!.timestamp)] },
    });
  });
});
