import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseApiKey } from "../../../server/keys";
import { type ServiceFixture, startService } from "../../support/service";
import { bearer, expectError } from "../helpers";

const idOf = (key: string) => parseApiKey(key)!.id;

// Issue 15, point 21: an issuer revokes an API key (route and command).
describe("DELETE /v1/keys/:id", () => {
  let fx: ServiceFixture;

  beforeAll(async () => {
    fx = await startService({ worker: false });
  });
  afterAll(async () => {
    await fx.close();
  });

  const revoke = (auth: Record<string, string>, id: string) =>
    fx.app.inject({ method: "DELETE", url: `/v1/keys/${id}`, headers: auth });
  const works = async (key: string) => (await fx.app.inject({ url: "/v1/batches", headers: bearer(key) })).statusCode;

  it("revokes another key of the same issuer, which is refused from then on; the revoking key still works", async () => {
    const other = await fx.newApiKey(fx.issuerId);
    expect(await works(other)).toBe(200);
    const res = await revoke(fx.auth, idOf(other));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ id: string; revokedAt: string }>();
    expect(body.id).toBe(idOf(other));
    expect(body.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(await works(other)).toBe(401);
    expect(await works(fx.apiKey)).toBe(200);
    // Again: the first revocation's time.
    const again = await revoke(fx.auth, idOf(other));
    expect(again.json<{ revokedAt: string }>().revokedAt).toBe(body.revokedAt);
  });

  it("lets a key revoke itself", async () => {
    const key = await fx.newApiKey(fx.issuerId);
    expect((await revoke(bearer(key), idOf(key))).statusCode).toBe(200);
    expectError(await fx.app.inject({ url: "/v1/batches", headers: bearer(key) }), 401, "unauthorized");
  });

  it("refuses another issuer's key (403, which keeps working), an unknown one (404), a malformed id and no key", async () => {
    await fx.store.upsertIssuer({ id: 98, name: "Other" });
    const theirs = await fx.newApiKey(98);
    expectError(await revoke(fx.auth, idOf(theirs)), 403, "forbidden");
    expect(await works(theirs)).toBe(200);
    expectError(await revoke(bearer(theirs), idOf(fx.apiKey)), 403, "forbidden");
    expectError(await revoke(fx.auth, "AAAAAAAAAAAAAAAA"), 404, "not-found");
    expectError(await revoke(fx.auth, "short"), 400, "invalid-request");
    expectError(await revoke({}, idOf(theirs)), 401, "unauthorized");
    expect(await works(theirs)).toBe(200);
  });
});
