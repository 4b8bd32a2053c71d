import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type Bundle, bundleFor, type Credential, type Hex32, newBatchId, prepareBatch } from "../../../src";
import { BlockCachedCalls } from "../../../server/verify-cache";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type ServiceFixture, startService } from "../../support/service";

/** POST /v1/verify with a cache of whole answers (VERIFY_CACHE_MS on): server/routes/verify-cached.ts. */
describe("POST /v1/verify answered from the verdict cache", () => {
  let fx: ServiceFixture;
  let cache: BlockCachedCalls;
  let bundles: Bundle[];
  let digests: Hex32[];

  /** Anchors `credentials` as one batch of the fixture's issuer and returns their bundles. */
  async function anchored(credentials: Credential[]): Promise<{ bundles: Bundle[]; digests: Hex32[] }> {
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId: newBatchId() };
    const batch = prepareBatch(credentials, context);
    const r = await fx.issuer.anchor(batch.context.batchId, batch.root, batch.count);
    await cache.refresh();
    return {
      bundles: credentials.map((_, i) => bundleFor(batch, i, r.blockNumber)),
      digests: batch.credentials.map((c) => c.digest),
    };
  }

  const post = (payload: string) =>
    fx.app.inject({ method: "POST", url: "/v1/verify", headers: { "content-type": "application/json" }, payload });

  beforeAll(async () => {
    // The poller is left to the test (refresh() by hand): 10 minutes between its own polls.
    fx = await startService({ env: { VERIFY_CACHE_MS: "600000" } });
    const provider = fx.app.chain.trusted[0]!.provider;
    if (!(provider instanceof BlockCachedCalls)) throw new Error("VERIFY_CACHE_MS did not give a cached provider");
    cache = provider;
    ({ bundles, digests } = await anchored([0, 1, 2].map((i) => sampleCredential(i))));
  });

  afterAll(async () => {
    await fx.close();
  });

  it("answers the same text at the same block with the same bytes, without verifying it again", async () => {
    const text = JSON.stringify(bundles[0]);
    const calls = vi.spyOn(cache, "call");
    try {
      const first = await post(text);
      expect(first.statusCode).toBe(200);
      expect(first.json<{ verdict: string }>().verdict).toBe("valid");
      const asked = calls.mock.calls.length;
      expect(asked).toBeGreaterThan(0);
      const again = await post(text);
      expect(again.statusCode).toBe(200);
      expect(again.headers["content-type"]).toBe(first.headers["content-type"]);
      expect(again.body).toBe(first.body);
      expect(calls).toHaveBeenCalledTimes(asked);
      // Another text of the same bundle is a request of its own: verified, then answered alike.
      const spaced = await post(JSON.stringify(bundles[0], null, 1));
      expect(spaced.body).toBe(first.body);
      expect(calls.mock.calls.length).toBeGreaterThan(asked);
    } finally {
      calls.mockRestore();
    }
  });

  it("verifies many equal requests at once only once", async () => {
    const text = JSON.stringify(bundles[1]);
    const calls = vi.spyOn(cache, "call");
    try {
      const answers = await Promise.all(Array.from({ length: 10 }, () => post(text)));
      expect(answers.map((a) => a.statusCode)).toEqual(Array(10).fill(200));
      expect(new Set(answers.map((a) => a.json<{ verdict: string }>().verdict))).toEqual(new Set(["valid"]));
      // One verification and one chain answer, read now and as of a minute later for the expiry: never 10.
      expect(calls).toHaveBeenCalledTimes(1);
    } finally {
      calls.mockRestore();
    }
  });

  it("never answers valid for a revoked credential once the revocation's block has been seen", async () => {
    const text = JSON.stringify(bundles[2]);
    expect((await post(text)).json<{ verdict: string }>().verdict).toBe("valid");
    await fx.issuer.revokeCredential(digests[2]!, "issued in error");
    await cache.refresh();
    expect((await post(text)).json<{ verdict: string }>().verdict).toBe("revoked");
    expect((await post(JSON.stringify(bundles[0]))).json<{ verdict: string }>().verdict).toBe("valid");
  });

  it("stores no answer that an expiry within the next minute would change", async () => {
    const soon = { ...sampleCredential(5), validUntil: new Date(Date.now() + 20_000).toISOString() };
    const {
      bundles: [bundle],
    } = await anchored([soon]);
    const text = JSON.stringify(bundle);
    const calls = vi.spyOn(cache, "call");
    try {
      expect((await post(text)).json<{ verdict: string }>().verdict).toBe("valid");
      const asked = calls.mock.calls.length;
      expect((await post(text)).json<{ verdict: string }>().verdict).toBe("valid");
      expect(calls.mock.calls.length).toBeGreaterThan(asked);
      // Seen 20 s later, it has expired: had the first answer been stored, it would still say valid.
      const later = vi.spyOn(Date, "now").mockReturnValue(Date.now() + 30_000);
      try {
        expect((await post(text)).json<{ verdict: string }>().verdict).toBe("expired");
      } finally {
        later.mockRestore();
      }
    } finally {
      calls.mockRestore();
    }
  });

  it("stores no 503: a chain that could not be asked is asked again", async () => {
    const {
      bundles: [bundle],
    } = await anchored([sampleCredential(6)]);
    const text = JSON.stringify(bundle);
    const down = vi.spyOn(cache, "call").mockRejectedValue(new Error("connect ECONNREFUSED"));
    try {
      expect((await post(text)).statusCode).toBe(503);
    } finally {
      down.mockRestore();
    }
    const up = await post(text);
    expect(up.statusCode).toBe(200);
    expect(up.json<{ verdict: string }>().verdict).toBe("valid");
  });

  it("still refuses a body that is not a bundle, however often it is sent", async () => {
    for (let i = 0; i < 2; i++) {
      const res = await post(JSON.stringify({ ...bundles[0], version: 9 }));
      expect(res.statusCode).toBe(400);
      expect(res.json<{ code: string }>().code).toBe("invalid-request");
    }
  });
});
