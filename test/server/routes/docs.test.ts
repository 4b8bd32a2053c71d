import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ERROR_CODES, credentialSchema } from "../../../src";
import { credentialColumns } from "../../../src/node/csv";
import { type ServiceFixture, startService } from "../../support/service";

interface Operation {
  tags?: string[];
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

/** Every /v1 operation, with the statuses the route tests see it answer. */
const ROUTES: Record<string, number[]> = {
  "get /v1/batches": [200, 400, 401, 429, 500],
  "post /v1/batches": [202, 400, 401, 409, 413, 415, 422, 429, 500],
  "get /v1/credentials": [200, 400, 401, 429, 500],
  "delete /v1/keys/{id}": [200, 400, 401, 403, 404, 429, 500],
  "get /v1/batches/{id}": [200, 400, 401, 403, 404, 429, 500],
  "get /v1/batches/{id}/credentials": [200, 400, 401, 403, 404, 429, 500],
  "post /v1/batches/{id}/revoke": [202, 400, 401, 403, 404, 409, 415, 429, 500],
  "get /v1/credentials/{id}/bundle": [200, 400, 404, 409, 429, 500],
  "get /v1/credentials/{id}/credential": [200, 400, 404, 409, 429, 500, 503],
  "get /v1/credentials/{id}/share": [200, 400, 404, 429, 500],
  "get /v1/credentials/{id}/qr.svg": [200, 400, 404, 429, 500],
  "get /v1/credentials/{id}/qr.png": [200, 400, 404, 429, 500],
  "get /v1/credentials/{id}/certificate.pdf": [200, 400, 404, 409, 429, 500, 503],
  "post /v1/credentials/{id}/revoke": [202, 400, 401, 403, 404, 409, 415, 429, 500],
  "post /v1/verify": [200, 400, 413, 415, 429, 500, 503],
  "post /v1/verify/presentation": [200, 400, 413, 415, 429, 500],
  "get /v1/issuers": [200, 400, 429, 500, 503],
  "get /v1/issuers/{id}": [200, 400, 404, 429, 500, 503],
  "get /v1/keys": [200, 401, 429, 500],
  "post /v1/keys": [201, 400, 401, 415, 429, 500],
  "post /v1/batches/validate": [200, 400, 401, 409, 413, 415, 429, 500],
  "get /v1/batches/{id}/archive.zip": [200, 400, 401, 403, 404, 409, 429, 500],
  "get /v1/issuers/{id}/did": [200, 400, 404, 429, 500, 503],
  "get /v1/status-lists/{issuerId}": [200, 400, 404, 429, 500, 503],
  "get /v1/status-lists/{issuerId}/token": [200, 400, 404, 429, 500, 503],
  "get /v1/credentials/{id}/badge.png": [200, 400, 404, 409, 429, 500, 503],
  "get /v1/credentials/{id}/badge.svg": [200, 400, 404, 409, 429, 500, 503],
};

const ISSUER_ROUTES = Object.keys(ROUTES).filter(
  (r) => r.includes("/batches") || r.endsWith("/revoke") || r.includes("/v1/keys") || r === "get /v1/credentials",
);

describe("docs routes", () => {
  let fx: ServiceFixture;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    fx = await startService({ worker: false });
    const res = await fx.app.inject({ url: "/docs/json" });
    expect(res.statusCode).toBe(200);
    doc = res.json<OpenApiDocument>();
  });
  afterAll(async () => {
    await fx.close();
  });

  const operations = (): [string, Operation][] =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]): [string, Operation] => [`${method} ${path}`, op]),
    );
  const v1 = () => operations().filter(([name]) => name.split(" ")[1]!.startsWith("/v1/"));

  describe("GET /docs/json", () => {
    it("is an OpenAPI 3 document of the service", () => {
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.title).toBe("credroot");
    });

    it("lists every /v1 route", () => {
      expect(
        v1()
          .map(([name]) => name)
          .sort(),
      ).toEqual(Object.keys(ROUTES).sort());
    });

    it("gives every /v1 route a success status and a JSON schema for each status", () => {
      for (const [name, op] of v1()) {
        const statuses = Object.keys(op.responses);
        expect(
          statuses.some((s) => s.startsWith("2")),
          name,
        ).toBe(true);
        for (const status of statuses) {
          // A QR code route answers an image when it succeeds, the certificate route a PDF; errors are JSON.
          const files: Record<string, string> = {
            svg: "image/svg+xml",
            png: "image/png",
            pdf: "application/pdf",
            zip: "application/zip",
          };
          const image = files[name.slice(name.lastIndexOf(".") + 1)] ?? null;
          // A signed credential is a VC 2.0 media type (`application/vc`, or `application/vc+jwt`).
          const token = name.endsWith("/token") ? "application/statuslist+jwt" : null;
          const media =
            image ??
            token ??
            (name.endsWith("/credential") || name.includes("/status-lists/") ? "application/vc" : null);
          const type = media && status.startsWith("2") ? media : "application/json";
          expect(op.responses[status]?.content?.[type]?.schema, `${name} ${status}`).toBeDefined();
        }
      }
    });

    it("lists every error code, with its status, in the Error schema", () => {
      const code = doc.components.schemas.Error?.properties?.code as { enum?: string[]; description?: string };
      expect(code.enum).toEqual(API_ERROR_CODES);
      expect(code.description).toContain("`chain-unavailable` (503)");
      expect(code.description).toContain("`internal-error` (500)");
    });

    it("describes errors with the shared Error schema", () => {
      expect(Object.keys(doc.components.schemas.Error?.properties ?? {}).sort()).toEqual([
        "code",
        "details",
        "message",
      ]);
      const revoke = doc.paths["/v1/credentials/{id}/revoke"]?.post;
      expect(revoke?.responses["404"]?.content?.["application/json"]?.schema).toEqual({
        $ref: "#/components/schemas/Error",
      });
    });

    it("marks the issuer routes, and only those, as needing the API key", () => {
      for (const [name, op] of v1()) {
        expect(op.security ?? [], name).toEqual(ISSUER_ROUTES.includes(name) ? [{ apiKey: [] }] : []);
      }
    });

    // Regression (documentation): statuses the routes answer are missing from their response schemas:
    // 400 for a bad :id or query on GET /v1/batches/{id} and /v1/batches/{id}/credentials (the
    // schemas list only 401, 403, 404), and 415 on both revoke routes (every body route can
    // answer 413/415; only POST /v1/batches and /v1/verify declare them) — server/routes/batches.ts
    // and credentials.ts, `response: { …errors(…) }`.
    it("documents every status the route tests see each route answer", () => {
      for (const [name, statuses] of Object.entries(ROUTES)) {
        const [method, path] = name.split(" ") as [string, string];
        const documented = Object.keys(doc.paths[path]?.[method]?.responses ?? {});
        expect(documented, name).toEqual(expect.arrayContaining(statuses.map(String)));
      }
    });
  });

  // Issue 11, point 11: the credential input schema, every field and allowed value, for reimplementers.
  describe("the credential input schema (format v2)", () => {
    interface Schema {
      description?: string;
      required?: string[];
      properties?: Record<string, Schema>;
      items?: Schema;
      enum?: string[];
      pattern?: string;
    }
    const body = () =>
      (
        doc.paths["/v1/batches"]?.post as unknown as {
          requestBody: { content: Record<string, { schema: Schema }> };
        }
      ).requestBody.content;

    it("documents every credential field of POST /v1/batches as parseCredential enforces it", () => {
      const item = body()["application/json"]!.schema.properties!.credentials!.items!;
      expect(item.required).toContain("issuerCountry");
      expect(Object.keys(item.properties!).sort()).toEqual(Object.keys(credentialSchema.properties).sort());
      expect(item.properties!.issuerCountry!.pattern).toBe("^[A-Z]{2}$");
      expect(item.properties!.participation!.enum).toEqual(["online", "onsite", "blended"]);
      expect(item.properties).not.toHaveProperty("awardingBody");
      expect(item.description).toContain("The awarding body is not a field");
    });

    it("lists every CSV column, and says awardingBody.* columns are refused", () => {
      const csv = body()["text/csv"]!.schema.description!;
      for (const column of credentialColumns()) expect(csv).toContain(column);
      expect(csv).toContain("awardingBody.* are refused");
    });
  });

  describe("GET /docs", () => {
    it("serves the interactive documentation as HTML, or redirects to it", async () => {
      const res = await fx.app.inject({ url: "/docs" });
      if (res.statusCode === 302) {
        const target = await fx.app.inject({ url: String(res.headers.location) });
        expect(target.statusCode).toBe(200);
        expect(target.headers["content-type"]).toMatch(/^text\/html/);
      } else {
        expect(res.statusCode).toBe(200);
        expect(res.headers["content-type"]).toMatch(/^text\/html/);
        expect(res.body).toContain("swagger-ui");
      }
    });

    it("loads its scripts from this origin only", async () => {
      const res = await fx.app.inject({ url: "/docs/static/swagger-initializer.js" });
      expect(res.statusCode).toBe(200);
      expect(String(res.headers["content-security-policy"])).toContain("script-src 'self'");
    });
  });
});
