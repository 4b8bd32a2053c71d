import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { createPresentation } from "../../../src/presentation";
import { type ServiceFixture, startService } from "../../support/service";
import { fetchBundle, issueFinalBatch } from "../helpers";

// Issue 15, point 22: the service's answer says when a presentation mixes learners.
describe("POST /v1/verify/presentation warnings", () => {
  let fx: ServiceFixture;
  beforeAll(async () => {
    fx = await startService();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("answers different-learners for two learners' valid credentials, and no warning for one", async () => {
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(1), sampleCredential(2)]);
    const [a, b] = await Promise.all(accepted.credentials.map((c) => fetchBundle(fx, c.id)));
    const ask = async (bundles: unknown[]) => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/verify/presentation",
        payload: createPresentation(bundles as never),
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ allValid: boolean; warnings: { code: string; message: string }[] }>();
    };
    const mixed = await ask([a, b]);
    expect(mixed.allValid).toBe(true);
    expect(mixed.warnings.map((w) => w.code)).toEqual(["different-learners"]);
    expect((await ask([a])).warnings).toEqual([]);
  });
});
