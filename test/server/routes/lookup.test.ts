import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type ServiceFixture, startService } from "../../support/service";
import { type AcceptedBatch, expectError, otherIssuerAuth, submitBatch } from "../helpers";

interface Found {
  id: string;
  credentialId: string | null;
  learner: string | null;
  batchId: string;
  index: number;
  status: string;
  revoked: boolean;
  revokedReason: string | null;
}

// Issue 15, point 19: a registrar finds a credential again by its own id or the learner's, to revoke it.
describe("GET /v1/credentials", () => {
  let fx: ServiceFixture;
  let first: AcceptedBatch;
  let second: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService({ worker: false });
    first = await submitBatch(fx, [sampleCredential(1), sampleCredential(2)]);
    // The same learner (identifier S100001) in a later batch, with another credential.
    second = await submitBatch(fx, [sampleCredential(3, { learner: { name: "Ana", identifier: "S100001" } })]);
  });
  afterAll(async () => {
    await fx.close();
  });

  const lookup = async (query: string, headers: Record<string, string> = fx.auth) => {
    const res = await fx.app.inject({ url: `/v1/credentials?${query}`, headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ credentials: Found[] }>().credentials;
  };

  it("finds a credential by its own /id: record id, batch, index and status", async () => {
    const found = await lookup(`credentialId=${encodeURIComponent(sampleCredential(2).id)}`);
    expect(found).toEqual([
      expect.objectContaining({
        id: first.credentials[1]!.id,
        credentialId: sampleCredential(2).id,
        learner: "S100002",
        batchId: first.id,
        index: 1,
        status: "pending",
        revoked: false,
      }),
    ]);
  });

  it("finds a learner's credentials across batches, oldest first, and narrows by both", async () => {
    const found = await lookup("learner=S100001");
    expect(found.map((c) => [c.batchId, c.index])).toEqual([
      [first.id, 0],
      [second.id, 0],
    ]);
    const both = await lookup(`learner=S100001&credentialId=${encodeURIComponent(sampleCredential(3).id)}`);
    expect(both.map((c) => c.id)).toEqual([second.credentials[0]!.id]);
    expect(await lookup("learner=S999999")).toEqual([]);
  });

  it("says a credential is revoked, with its reason", async () => {
    await fx.store.setCredentialRevoked(first.credentials[0]!.id, "issued in error");
    const [found] = await lookup(`credentialId=${encodeURIComponent(sampleCredential(1).id)}`);
    expect(found).toMatchObject({ revoked: true, revokedReason: "issued in error" });
  });

  it("shows another issuer nothing, and refuses no key, no query and unknown parameters", async () => {
    const other = await otherIssuerAuth(fx);
    expect(await lookup("learner=S100001", other)).toEqual([]);
    expectError(await fx.app.inject({ url: "/v1/credentials?learner=S100001" }), 401, "unauthorized");
    expectError(await fx.app.inject({ url: "/v1/credentials", headers: fx.auth }), 400, "invalid-request");
    expectError(
      await fx.app.inject({ url: "/v1/credentials?email=ana%40example.org", headers: fx.auth }),
      400,
      "invalid-request",
    );
  });
});
