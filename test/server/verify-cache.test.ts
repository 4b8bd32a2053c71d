import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  type Hex32,
  newBatchId,
  prepareBatch,
  verifyBundle,
  type VerifyOptions,
} from "../../src";
import { BlockCachedCalls } from "../../server/verify-cache";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../harness/registry";

describe("BlockCachedCalls", () => {
  let fx: RegistryFixture;
  let bundles: Bundle[];
  let digests: Hex32[];
  let cache: BlockCachedCalls;
  let options: VerifyOptions;

  beforeAll(async () => {
    fx = await startRegistry();
    const batch = prepareBatch(
      [0, 1, 2].map((i) => sampleCredential(i)),
      contextOf(),
    );
    const r = await fx.issuer.anchor(batch.context.batchId, batch.root, batch.count);
    bundles = [0, 1, 2].map((i) => bundleFor(batch, i, r.blockNumber));
    digests = batch.credentials.map((c) => c.digest);
    cache = new BlockCachedCalls(fx.chain.provider, 60_000); // polled by hand below
    options = { chains: [{ ...fx.trusted[0]!, provider: cache }] };
  });

  const contextOf = (): AnchorContext => ({
    chainId: fx.chain.chainId,
    registry: fx.registry,
    issuerId: fx.issuerId,
    batchId: newBatchId(),
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("asks the chain once per bundle and block, then answers from memory", async () => {
    await cache.refresh();
    const calls = vi.spyOn(fx.chain.provider, "call");
    try {
      for (let round = 0; round < 3; round++) {
        const verdicts = await Promise.all(bundles.map((b) => verifyBundle(b, options)));
        expect(
          verdicts.map((v) => v.verdict),
          JSON.stringify(verdicts[0]?.checks),
        ).toEqual(["valid", "valid", "valid"]);
      }
      expect(calls).toHaveBeenCalledTimes(3);
    } finally {
      calls.mockRestore();
    }
  });

  it("never answers valid for a revoked credential once the revocation's block has been seen", async () => {
    await cache.refresh();
    expect((await verifyBundle(bundles[1]!, options)).verdict).toBe("valid");
    await fx.issuer.revokeCredential(digests[1]!, "issued in error");
    // Until the poller sees the new block, answers stay those of the block it knows (documented lag).
    await cache.refresh();
    expect((await verifyBundle(bundles[1]!, options)).verdict).toBe("revoked");
    expect((await verifyBundle(bundles[0]!, options)).verdict).toBe("valid");
  });

  it("sees a batch anchored after the last poll at once (answers are read at latest)", async () => {
    await cache.refresh();
    const fresh = prepareBatch([sampleCredential(7)], contextOf());
    const r = await fx.issuer.anchor(fresh.context.batchId, fresh.root, 1);
    expect((await verifyBundle(bundleFor(fresh, 0, r.blockNumber), options)).verdict).toBe("valid");
  });

  it("caches no failure: with the chain unreachable every call goes live and fails", async () => {
    await cache.refresh();
    const calls = vi.spyOn(fx.chain.provider, "call").mockRejectedValue(new Error("connect ECONNREFUSED"));
    const blocks = vi.spyOn(fx.chain.provider, "getBlockNumber").mockRejectedValue(new Error("connect ECONNREFUSED"));
    try {
      await cache.refresh();
      const first = await verifyBundle(bundles[2]!, options);
      const second = await verifyBundle(bundles[2]!, options);
      expect([first.verdict, second.verdict]).toEqual(["chain-unavailable", "chain-unavailable"]);
      expect(calls).toHaveBeenCalledTimes(2);
    } finally {
      calls.mockRestore();
      blocks.mockRestore();
    }
  });
});
