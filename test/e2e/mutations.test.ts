import { JsonRpcProvider } from "ethers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  initHasher,
  isCredrootError,
  newBatchId,
  parseBundle,
  prepareBatch,
  proofOf,
  RegistryClient,
  type TrustedChain,
  verifyBundle,
  type VerificationResult,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { deployRegistry } from "../../deploy/deploy";
import { hostileBundles, isGenuineOrDisclosure, type MutationContext } from "../support/bundle-mutations";
import { type RegistryFixture, startRegistry } from "../../harness/registry";

/*
 * A verified bundle, mutated, against a real local chain (Hardhat, the v2 registry). The chain
 * holds what an attacker would like to exploit: another issuer has anchored the genuine batch id
 * and root (front-running) and the genuine leaf as a one-leaf batch (re-anchoring); a second
 * trusted registry on the same chain holds the same batch under the same issuer id and batch id.
 */

describe("a verified bundle, mutated (property, against the chain)", () => {
  let fx: RegistryFixture;
  let provider: JsonRpcProvider;
  let trusted: TrustedChain[];
  let genuine: Bundle;
  let context: MutationContext;

  beforeAll(async () => {
    await initHasher();
    fx = await startRegistry();
    provider = new JsonRpcProvider(fx.chain.url, fx.chain.chainId, {
      staticNetwork: true,
      cacheTimeout: -1,
      batchMaxCount: 1,
      batchStallTime: 0,
    });
    const bind = (registry: string, issuerId: number, batchId: string): AnchorContext => ({
      chainId: fx.chain.chainId,
      registry,
      issuerId,
      batchId,
    });
    const batchId = newBatchId();
    const batch = prepareBatch(
      Array.from({ length: 64 }, (_, i) => sampleCredential(i, { validUntil: "2099-12-31" })),
      bind(fx.registry, fx.issuerId, batchId),
    );
    const { blockNumber } = await fx.issuer.anchor(batchId, batch.root, batch.count);
    genuine = bundleFor(batch, 5, blockNumber);

    // Another batch of the same issuer.
    const otherId = newBatchId();
    const other = prepareBatch([sampleCredential(100), sampleCredential(101)], bind(fx.registry, fx.issuerId, otherId));
    await fx.issuer.anchor(otherId, other.root, other.count);

    // A diploma mill copies the batch id and root, and re-anchors the genuine leaf alone.
    const millSigner = await fx.chain.signer(2);
    const { issuerId: millId } = await fx.accreditor.registerIssuer("Diploma Mill", "", millSigner.address);
    const mill = new RegistryClient(fx.registry, millSigner);
    await mill.anchor(batchId, batch.root, batch.count);
    const reanchored = newBatchId();
    await mill.anchor(reanchored, batch.credentials[5]!.leaf, 1);

    // A second registry the verifier trusts, holding the same batch under the same ids.
    const second = await deployRegistry(await fx.chain.signer(0));
    const secondAccreditor = new RegistryClient(second.registry, await fx.chain.signer(0));
    const secondSigner = await fx.chain.signer(3);
    await secondAccreditor.registerIssuer("Test University", "", secondSigner.address);
    await new RegistryClient(second.registry, secondSigner).anchor(batchId, batch.root, batch.count);

    trusted = [{ chainId: fx.chain.chainId, registries: [fx.registry, second.registry], provider }];
    context = {
      genuine,
      sibling: bundleFor(batch, 6, blockNumber),
      otherBatches: [
        { issuerId: millId, batchId, root: batch.root, proof: proofOf(batch.tree, 5) },
        { issuerId: millId, batchId: reanchored, root: batch.credentials[5]!.leaf, proof: [] },
        { issuerId: fx.issuerId, batchId: otherId, root: other.root },
        { issuerId: fx.issuerId, batchId: reanchored, root: batch.credentials[5]!.leaf, proof: [] },
      ],
      otherTrusted: [{ chainId: fx.chain.chainId, registry: second.registry.toLowerCase() }],
    };
  });

  afterAll(async () => {
    provider.destroy();
    await fx.chain.close();
  });

  it("verifies unmutated, naming its issuer", async () => {
    const result = await verifyBundle(genuine, { chains: trusted });
    expect(result.verdict).toBe("valid");
    expect(result.issuer?.name).toBe("Test University");
  });

  it("is never valid after mutations unless it is the genuine bundle or a disclosure of it, and never crashes", async () => {
    let runs = 0;
    let valid = 0;
    let rejected = 0;
    const verdicts = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileBundles(context), async ({ value, steps }) => {
        runs += 1;
        let result: VerificationResult;
        try {
          result = await verifyBundle(value, { chains: trusted });
        } catch (error) {
          expect(isCredrootError(error, "INVALID_BUNDLE"), steps.join(" → ")).toBe(true);
          rejected += 1;
          return;
        }
        verdicts.set(result.verdict, (verdicts.get(result.verdict) ?? 0) + 1);
        expect(result.verdict, steps.join(" → ")).not.toBe("chain-unavailable");
        if (result.verdict === "valid") {
          valid += 1;
          expect(isGenuineOrDisclosure(parseBundle(value), genuine), `a false valid: ${steps.join(" → ")}`).toBe(true);
          expect(result.issuer?.id).toBe(fx.issuerId);
        }
      }),
      { numRuns: 600 },
    );
    console.log(
      `e2e mutations | ${runs} cases | ${rejected} INVALID_BUNDLE, ${valid} legitimately valid, ` +
        JSON.stringify(Object.fromEntries(verdicts)),
    );
    expect(runs).toBe(600);
    expect(verdicts.get("tampered") ?? 0).toBeGreaterThan(0);
  });
});
