import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { InjectOptions } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type * as RateLimits from "../../server/rate-limits";
import { requireRateLimit } from "../../server/rate-limits";
import { API_ERROR_CODES, API_ERRORS, isApiErrorCode, LIBRARY_ERRORS } from "../../src";
import { type ServiceFixture, startService } from "../support/service";

// The routes the app registers, as its onRoute hook sees them (see rate-limits.test.ts).
vi.mock("../../server/rate-limits", async (importOriginal) => {
  const original = await importOriginal<typeof RateLimits>();
  return { ...original, requireRateLimit: vi.fn(original.requireRateLimit) };
});

interface Schema {
  $ref?: string;
  enum?: string[];
  const?: string;
  description?: string;
  properties?: Record<string, Schema>;
}
type Operation = { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> };
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}

const KEBAB = /^[a-z]+(-[a-z]+)*$/;

/** Every .ts file under `dir`. */
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });

describe("the error vocabulary (src/error-codes.ts)", () => {
  let fx: ServiceFixture;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    fx = await startService({ worker: false, env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
    doc = (await fx.app.inject({ url: "/docs/json" })).json<OpenApiDocument>();
  });
  afterAll(async () => {
    await fx.close();
  });

  it("gives every code a kebab-case name, a 4xx or 5xx status and a one-line meaning", () => {
    for (const code of API_ERROR_CODES) {
      const { status, meaning } = API_ERRORS[code];
      expect(code).toMatch(KEBAB);
      expect(status >= 400 && status < 600, code).toBe(true);
      expect(meaning, code).toMatch(/^[A-Z/].{10,120}$/);
      expect(meaning, code).not.toContain("\n");
    }
  });

  it("maps every library code into the list", () => {
    for (const { api } of Object.values(LIBRARY_ERRORS)) expect(API_ERROR_CODES).toContain(api);
  });

  it("publishes the list as the enum of the OpenAPI Error schema, each code with its status", () => {
    const code = doc.components.schemas.Error?.properties?.code;
    expect(code?.enum).toEqual(API_ERROR_CODES);
    for (const name of API_ERROR_CODES) {
      expect(code?.description).toContain(`\`${name}\` (${API_ERRORS[name].status}): ${API_ERRORS[name].meaning}`);
    }
  });

  it("documents error statuses that some code of the list has, with codes of the list", () => {
    const statuses = new Set<number>(API_ERROR_CODES.map((c) => API_ERRORS[c].status));
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^\d+$/.test(status) || Number(status) < 400) continue;
          const what = `${method} ${path} ${status}`;
          expect(statuses.has(Number(status)), what).toBe(true);
          const schema = response.content?.["application/json"]?.schema;
          if (schema?.$ref !== undefined) {
            expect(schema.$ref, what).toBe("#/components/schemas/Error");
            continue;
          }
          // A body of its own (/ready, /v1/verify's 503): its code is still one of the list, of that status.
          const code = schema?.properties?.code;
          const codes = code?.enum ?? (code?.const === undefined ? [] : [code.const]);
          expect(codes.length, what).toBeGreaterThan(0);
          for (const c of codes)
            expect(isApiErrorCode(c) ? API_ERRORS[c].status : c, `${what} ${c}`).toBe(Number(status));
        }
      }
    }
  });

  it("answers every registered route's bad requests with codes of the list (and of the enum)", async () => {
    const routes = vi.mocked(requireRateLimit).mock.calls.map(([route]) => route);
    expect(routes.length).toBeGreaterThan(40);
    const enumerated = doc.components.schemas.Error?.properties?.code?.enum ?? [];
    const seen = new Set<string>();
    for (const route of routes) {
      for (const method of [route.method].flat()) {
        const url = route.url.replace(/:[a-zA-Z]+/g, "%zz").replace(/\*$/, "nothing-here.js");
        const variants = [
          { method, url },
          { method, url: route.url.replace(/:[a-zA-Z]+/g, "x".repeat(65)), headers: fx.auth },
          {
            method,
            url,
            headers: { authorization: "Bearer crk_nope", "content-type": "application/xml" },
            payload: "<a/>",
          },
          {
            method,
            url: `${url.replace(/%zz/g, "x")}?unknown=1`,
            headers: { ...fx.auth, "content-type": "application/json" },
            payload: "{",
          },
        ];
        for (const request of variants) {
          const res = await fx.app.inject(request as InjectOptions);
          if (res.statusCode < 400 || method === "HEAD") continue;
          const { code } = res.json<{ code: string }>();
          expect(API_ERROR_CODES, `${method} ${request.url} → ${res.statusCode}`).toContain(code);
          expect(API_ERRORS[code as keyof typeof API_ERRORS].status === res.statusCode || code === "bad-request").toBe(
            true,
          );
          seen.add(code);
        }
      }
    }
    for (const code of seen) expect(enumerated).toContain(code);
    // The walk reached the codes every kind of route answers.
    expect([...seen]).toEqual(
      expect.arrayContaining([
        "invalid-request",
        "invalid-json",
        "unauthorized",
        "not-found",
        "unsupported-media-type",
      ]),
    );
  });

  // The compiler holds HttpError and errorBody to the list; a literal body would slip past it.
  it("leaves no error code literal in the service's sources outside the list", () => {
    const root = join(__dirname, "../../server");
    for (const file of sources(root)) {
      const text = readFileSync(file, "utf8");
      for (const match of text.matchAll(/\b(?:code|const):\s*"([a-z]+(?:-[a-z]+)+)"/g)) {
        expect(API_ERROR_CODES, `${file}: ${match[0]}`).toContain(match[1]);
      }
      expect(text, file).not.toMatch(/\.send\(\{\s*code:/);
    }
  });
});
