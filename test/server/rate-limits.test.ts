import Fastify from "fastify";
import rateLimit from "@fastify/rate-limit";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as RateLimits from "../../server/rate-limits";
import { requireRateLimit, UNLIMITED_ROUTES } from "../../server/rate-limits";
import { isCredrootError } from "../../src";
import { type ServiceFixture, startService } from "../support/service";
import { expectError } from "./helpers";

// Every route the app registers passes through its onRoute hook `requireRateLimit`: wrapped here,
// its calls are the walk's list of routes (with their options as registered, wildcards and all).
vi.mock("../../server/rate-limits", async (importOriginal) => {
  const original = await importOriginal<typeof RateLimits>();
  return { ...original, requireRateLimit: vi.fn(original.requireRateLimit) };
});

/** `METHOD /path` of every route registered so far. */
const registered = (): string[] =>
  vi
    .mocked(requireRateLimit)
    .mock.calls.flatMap(([route]) => [route.method].flat().map((method) => `${method} ${route.url}`));

/** A URL that reaches the route: `:id` and `*` filled in. */
const urlOf = (path: string) => path.replace(/:[a-zA-Z]+/g, "x").replace(/\*$/, "nothing-here.js");

describe("rate limits", () => {
  let fx: ServiceFixture;
  let routes: string[];

  beforeAll(async () => {
    fx = await startService({
      worker: false,
      env: { RATE_LIMIT_PER_MINUTE: "1", READY_RATE_LIMIT_PER_MINUTE: "1", ISSUER_RATE_LIMIT_PER_MINUTE: "1" },
    });
    routes = [...new Set(registered())];
  });
  afterAll(async () => {
    await fx.close();
  });

  it("reads every route of the app (the walk below sees them all)", () => {
    expect(routes).toEqual(
      expect.arrayContaining([
        "GET /health",
        "GET /ready",
        "POST /v1/batches",
        "DELETE /v1/keys/:id",
        "POST /v1/verify/presentation",
        "GET /v1/credentials/:id/qr.png",
        "GET /docs/json",
        "GET /config.json",
        "GET /v/:id",
        "GET /docs/static/*",
      ]),
    );
    for (const route of routes) {
      const [method, url] = route.split(" ") as ["GET", string];
      expect(fx.app.hasRoute({ method, url }), route).toBe(true);
    }
    expect(routes.length).toBeGreaterThan(40);
  });

  it("limits every registered route but those in the explicit exemption list", async () => {
    const unlimited: string[] = [];
    for (const route of routes) {
      const [method, path] = route.split(" ") as [string, string];
      const request = { method: method as "GET", url: urlOf(path), headers: fx.auth };
      // A limit of 1: the second request in the minute is refused, or the first already when the
      // route shares the default budget with a route walked before it.
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await fx.app.inject(request)).statusCode);
      if (!statuses.includes(429)) unlimited.push(route);
    }
    expect(unlimited.sort()).toEqual([...UNLIMITED_ROUTES].sort());
  });

  it("limits unknown URLs too, on the default budget", async () => {
    const other = await startService({ registry: fx, worker: false, env: { RATE_LIMIT_PER_MINUTE: "2" } });
    try {
      expectError(await other.app.inject({ url: "/nowhere" }), 404, "not-found");
      expectError(await other.app.inject({ url: "/v1/nothing" }), 404, "not-found");
      expectError(await other.app.inject({ url: "/config.json" }), 429, "rate-limited");
      expectError(await other.app.inject({ url: "/nowhere" }), 429, "rate-limited");
    } finally {
      await other.close();
    }
  });

  it("answers 429 rate-limited in the one error shape, with Retry-After", async () => {
    await fx.app.inject({ url: "/v1/issuers" });
    const res = await fx.app.inject({ url: "/v1/issuers" });
    expect(expectError(res, 429, "rate-limited").message).toMatch(/at most 1 a minute/);
    expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
  });

  it("counts issuer routes per issuer: another issuer's key has a budget of its own", async () => {
    const url = "/v1/batches";
    await fx.app.inject({ url, headers: fx.auth });
    expectError(await fx.app.inject({ url, headers: fx.auth }), 429, "rate-limited");
    const other = { authorization: `Bearer ${await fx.newApiKey(fx.issuerId)}` };
    // The same issuer through another key: the same budget.
    expectError(await fx.app.inject({ url, headers: other }), 429, "rate-limited");
    await fx.store.upsertIssuer({ id: 77, name: "Another Institute" });
    const third = { authorization: `Bearer ${await fx.newApiKey(77)}` };
    expect((await fx.app.inject({ url, headers: third })).statusCode).toBe(200);
  });

  it("counts an issuer's requests only once authenticated: wrong keys cannot spend its budget", async () => {
    await fx.store.upsertIssuer({ id: 78, name: "Guarded Institute" });
    const key = await fx.newApiKey(78);
    const wrong = `${key.slice(0, -4)}AAAA`;
    for (let i = 0; i < 3; i++) {
      const res = await fx.app.inject({ url: "/v1/batches", headers: { authorization: `Bearer ${wrong}` } });
      expectError(res, 401, "unauthorized");
    }
    expect((await fx.app.inject({ url: "/v1/batches", headers: { authorization: `Bearer ${key}` } })).statusCode).toBe(
      200,
    );
  });
});

describe("requireRateLimit", () => {
  const build = async (url: string) => {
    const app = Fastify();
    await app.register(rateLimit, { global: true, max: 1 });
    app.addHook("onRoute", requireRateLimit);
    app.get(url, { config: { rateLimit: false } }, () => "ok");
    await app.ready();
    return app;
  };

  it("refuses to register a route that turns its limit off without being listed", async () => {
    const error = await build("/debug").catch((e: unknown) => e);
    expect(isCredrootError(error, "INVARIANT")).toBe(true);
    expect((error as Error).message).toContain("GET /debug turns its rate limit off");
  });

  it("lets a listed route go unlimited", async () => {
    const app = await build("/health");
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: "/health" })).statusCode).toBe(200);
    await app.close();
  });
});
