import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseApiKey } from "../../../server/keys";
import { type ServiceFixture, startService } from "../../support/service";
import { bearer, expectError, otherIssuerAuth } from "../helpers";

interface KeyInfo {
  id: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}

// Issue 14, point 1: the console manages the issuer's API keys (create with a name, list, revoke).
describe("POST /v1/keys and GET /v1/keys", () => {
  let fx: ServiceFixture;

  beforeAll(async () => {
    fx = await startService({ worker: false });
  });
  afterAll(async () => {
    await fx.close();
  });

  const create = (name: unknown, auth: Record<string, string> = fx.auth) =>
    fx.app.inject({ method: "POST", url: "/v1/keys", headers: auth, payload: { name } });
  const list = async (auth: Record<string, string> = fx.auth) => {
    const res = await fx.app.inject({ url: "/v1/keys", headers: auth });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ keys: KeyInfo[] }>().keys;
  };

  it("creates a named key that works at once and is shown whole only in the answer", async () => {
    const res = await create("  student system  ");
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json<KeyInfo & { key: string }>();
    expect(body.name).toBe("student system");
    expect(parseApiKey(body.key)?.id).toBe(body.id);
    expect(body.revokedAt).toBeNull();
    const works = await fx.app.inject({ url: "/v1/batches", headers: bearer(body.key) });
    expect(works.statusCode).toBe(200);
    const listed = await list();
    const entry = listed.find((k) => k.id === body.id);
    expect(entry).toEqual({ id: body.id, name: "student system", createdAt: body.createdAt, revokedAt: null });
    // Only the digest is kept: no listing carries a secret.
    expect(JSON.stringify(listed)).not.toContain(parseApiKey(body.key)!.secret);
  });

  it("lists revoked keys with their revocation time", async () => {
    const { id } = (await create("old laptop")).json<KeyInfo>();
    expect((await fx.app.inject({ method: "DELETE", url: `/v1/keys/${id}`, headers: fx.auth })).statusCode).toBe(200);
    const entry = (await list()).find((k) => k.id === id);
    expect(entry?.revokedAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("lists only the issuer's own keys, and creates keys for the caller's issuer only", async () => {
    const other = await otherIssuerAuth(fx);
    const created = (await create("theirs", other)).json<KeyInfo & { key: string }>();
    expect((await list()).map((k) => k.id)).not.toContain(created.id);
    expect((await list(other)).map((k) => k.id)).toContain(created.id);
    const record = await fx.store.getApiKey(created.id);
    expect(record?.issuerId).toBe(99);
  });

  it.each([
    ["no name", undefined],
    ["an empty name", ""],
    ["a blank name", "   "],
    ["a name of 101 characters", "x".repeat(101)],
    ["a number", 7],
  ])("refuses %s with 400 invalid-request", async (_case, name) => {
    const res =
      name === undefined
        ? await fx.app.inject({ method: "POST", url: "/v1/keys", headers: fx.auth, payload: {} })
        : await create(name);
    expectError(res, 400, "invalid-request");
  });

  it("answers 401 without a valid key, creating nothing", async () => {
    const before = (await list()).length;
    expectError(await create("sneaky", {}), 401, "unauthorized");
    expectError(await fx.app.inject({ url: "/v1/keys" }), 401, "unauthorized");
    expect((await list()).length).toBe(before);
  });
});
