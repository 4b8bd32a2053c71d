import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import securityHeaders, { helmetHeaders } from "../../../server/plugins/security-headers";

/** The service's options (server/app.ts), with an RPC origin. */
const OPTIONS: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      "connect-src": ["'self'", "https://rpc.example"],
      "img-src": ["'self'", "data:"],
      "script-src": ["'self'"],
      "style-src": ["'self'", "'unsafe-inline'"],
      "upgrade-insecure-requests": null,
    },
  },
  strictTransportSecurity: false,
};

/** An app with a JSON route, a route that fails, and the not-found handler. */
function withRoutes(app: FastifyInstance): FastifyInstance {
  app.get("/ok", () => ({ ok: true }));
  app.get("/fails", () => Promise.reject(new Error("boom")));
  return app;
}

/** Every response header but the date, by lowercase name. */
async function headersOf(app: FastifyInstance, url: string): Promise<Record<string, unknown>> {
  const { date: _date, ...rest } = (await app.inject({ method: "GET", url })).headers;
  return rest;
}

describe("security headers plugin", () => {
  const apps: FastifyInstance[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it("sends exactly the headers @fastify/helmet sends, on answers, errors and not-found", async () => {
    const reference = withRoutes(Fastify({ logger: false }));
    await reference.register(helmet, OPTIONS);
    const ours = withRoutes(Fastify({ logger: false }));
    await ours.register(securityHeaders, { helmet: OPTIONS, httpsOnly: false });
    apps.push(reference, ours);
    for (const url of ["/ok", "/fails", "/missing"]) {
      const expected = await headersOf(reference, url);
      expect(expected["content-security-policy"]).toContain("connect-src 'self' https://rpc.example");
      expect(expected["x-content-type-options"]).toBe("nosniff");
      expect(await headersOf(ours, url)).toEqual(expected);
    }
  });

  it("keeps helmet's spelling of the header names", async () => {
    const names = (await helmetHeaders(OPTIONS)).map(([name]) => name);
    expect(names).toContain("Content-Security-Policy");
    expect(names).not.toContain("Strict-Transport-Security");
  });

  it("adds HSTS and upgrade-insecure-requests when the service is https only", async () => {
    const app = withRoutes(Fastify({ logger: false }));
    await app.register(securityHeaders, { helmet: OPTIONS, httpsOnly: true });
    apps.push(app);
    const headers = await headersOf(app, "/ok");
    expect(headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(String(headers["content-security-policy"])).toMatch(/;upgrade-insecure-requests$/);
  });

  it("adds neither over plain http", async () => {
    const app = withRoutes(Fastify({ logger: false }));
    await app.register(securityHeaders, { helmet: OPTIONS, httpsOnly: false });
    apps.push(app);
    const headers = await headersOf(app, "/ok");
    expect(headers["strict-transport-security"]).toBeUndefined();
    expect(String(headers["content-security-policy"])).not.toContain("upgrade-insecure-requests");
  });
});
