import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { BlockCachedCalls } from "../../../server/verify-cache";
import { recordIssuerKey } from "../../support/issuer-key";
import { type ServiceFixture, startService } from "../../support/service";
import { expectError, issueFinalBatch } from "../helpers";

/** GET /v1/credentials/:id/credential with VERIFY_CACHE_MS on: signed answers kept per block (server/signed-cache.ts). */
describe("signed credentials served again at unchanged blocks", () => {
  let fx: ServiceFixture;
  let cache: BlockCachedCalls;
  let ids: string[];
  let batchId: string;

  const get = (id: string, query = "format=ob3") => fx.app.inject({ url: `/v1/credentials/${id}/credential?${query}` });

  beforeAll(async () => {
    // The poller is left to the test (refresh() by hand): 10 minutes between its own polls.
    fx = await startService({ env: { VERIFY_CACHE_MS: "600000" } });
    const provider = fx.app.chain.trusted[0]!.provider;
    if (!(provider instanceof BlockCachedCalls)) throw new Error("VERIFY_CACHE_MS did not give a cached provider");
    cache = provider;
    await recordIssuerKey(fx);
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]);
    ids = accepted.credentials.map((c) => c.id);
    batchId = accepted.id;
    await cache.refresh();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("answers the same credential, format and hide with the same signed bytes, asking the chain nothing", async () => {
    const first = await get(ids[0]!);
    expect(first.statusCode, first.body).toBe(200);
    const calls = vi.spyOn(cache, "call");
    try {
      const again = await get(ids[0]!);
      expect(again.statusCode).toBe(200);
      expect(again.headers["content-type"]).toBe(first.headers["content-type"]);
      expect(again.body).toBe(first.body);
      expect(calls).not.toHaveBeenCalled();
      // Another format, another hide or another credential is signed afresh.
      const hidden = await get(ids[0]!, "format=ob3&hide=learner.email");
      expect(hidden.statusCode).toBe(200);
      expect(hidden.body).not.toContain(sampleCredential(0).learner.email!);
      expect((await get(ids[0]!, "format=jwt")).body).not.toBe(first.body);
      expect((await get(ids[1]!)).body).not.toBe(first.body);
      expect(calls).toHaveBeenCalled();
    } finally {
      calls.mockRestore();
    }
  });

  it("signs nothing once a revocation's block is seen: 409 not-valid, not the answer kept before", async () => {
    expect((await get(ids[1]!)).statusCode).toBe(200);
    await fx.issuer.revokeBatch(batchId, "issued in error");
    await cache.refresh(); // the poller sees the revocation's block: the kept answers are dropped
    expect(expectError(await get(ids[1]!), 409, "not-valid").message).toMatch(/^the credential is revoked/);
  });
});
