import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HttpError } from "../../server/errors";
import errorsPlugin from "../../server/plugins/errors";
import { StoreConflictError, StoreError, StoreNotFoundError } from "../../server/store/types";
import {
  API_ERROR_CODES,
  API_ERRORS,
  type ApiErrorCode,
  CredrootError,
  type ErrorCode,
  LIBRARY_ERRORS,
} from "../../src";
import { type ServiceFixture, startService } from "../support/service";
import { detailPaths, expectError, submitBatch } from "./helpers";
import { sampleCredential } from "../../scripts/lib/samples";

const INTERNAL = { code: "internal-error", message: "internal error", details: [] };

describe("error handler", () => {
  let app: FastifyInstance;
  const logged: string[] = [];

  beforeAll(async () => {
    app = Fastify({
      bodyLimit: 1024,
      // As the service configures bodies: unknown properties are rejected, not dropped.
      ajv: { customOptions: { removeAdditional: false } },
      logger: { level: "error", stream: { write: (line: string) => void logged.push(line) } },
    });
    await app.register(errorsPlugin);
    app.get("/http", () => {
      throw new HttpError("invalid-credential", "short and stout", [{ path: "/spout", message: "is bent", row: 2 }]);
    });
    app.get<{ Params: { code: ApiErrorCode } }>("/http/:code", (request) => {
      throw new HttpError(request.params.code, `on purpose: ${request.params.code}`);
    });
    app.get("/schema", () => {
      throw new StoreError("SCHEMA", "the database's schema is version 9, newer than this code (/srv/credroot.db)");
    });
    app.get<{ Params: { code: ErrorCode } }>("/library/:code", (request) => {
      throw new CredrootError(request.params.code, `secret detail of ${request.params.code}`);
    });
    app.get("/conflict", () => {
      throw new StoreConflictError("batch-root", "0xabc");
    });
    app.get("/missing", () => {
      throw new StoreNotFoundError("batch", "b-1");
    });
    app.post(
      "/validated",
      {
        schema: {
          body: {
            type: "object",
            required: ["name"],
            additionalProperties: false,
            properties: { name: { type: "string", minLength: 3 } },
          },
          querystring: { type: "object", properties: { n: { type: "integer" } } },
        },
      },
      () => ({ ok: true }),
    );
    app.get("/crash", () => {
      throw new Error("cannot open /var/lib/credroot/credroot.db (password=hunter2)");
    });
    app.get("/upstream", () => {
      throw Object.assign(new Error("bad gateway at 10.0.0.7"), { statusCode: 502 });
    });
    app.get("/client", () => {
      throw Object.assign(new Error("you asked for it"), { statusCode: 400 });
    });
    app.get("/slow-down", () => {
      throw Object.assign(new Error("too many"), { statusCode: 429 });
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  it("sends an HttpError's status, code, message and details", async () => {
    const res = await app.inject({ url: "/http" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      code: "invalid-credential",
      message: "short and stout",
      details: [{ path: "/spout", message: "is bent", row: 2 }],
    });
  });

  it.each(API_ERROR_CODES)("sends HttpError %s with the status the list gives it", async (code) => {
    const res = await app.inject({ url: `/http/${code}` });
    expect(res.statusCode).toBe(API_ERRORS[code].status);
    expect(res.json()).toEqual({ code, message: `on purpose: ${code}`, details: [] });
  });

  it.each(Object.entries(LIBRARY_ERRORS))("maps the library's %s to its API code and status", async (code, { api }) => {
    const res = await app.inject({ url: `/library/${code}` });
    expect(res.statusCode).toBe(API_ERRORS[api].status);
    if (api === "internal-error") {
      expect(res.json()).toEqual(INTERNAL);
    } else {
      // 4xx and 503 say what went wrong.
      expect(res.json()).toEqual({ code: api, message: `secret detail of ${code}`, details: [] });
    }
  });

  it("answers CHAIN_UNAVAILABLE with 503 chain-unavailable, and INVARIANT with the bare 500", () => {
    expect(LIBRARY_ERRORS.CHAIN_UNAVAILABLE.api).toBe("chain-unavailable");
    expect(API_ERRORS["chain-unavailable"].status).toBe(503);
    expect(LIBRARY_ERRORS.INVARIANT.api).toBe("internal-error");
  });

  it("maps a store conflict to 409 conflict and a missing row to 404 not-found", async () => {
    expectError(await app.inject({ url: "/conflict" }), 409, "conflict");
    expectError(await app.inject({ url: "/missing" }), 404, "not-found");
  });

  it("answers a store schema mismatch with the bare 500, logging it", async () => {
    logged.length = 0;
    const res = await app.inject({ url: "/schema" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual(INTERNAL);
    expect(logged.join("")).toContain("newer than this code");
  });

  it("answers a schema violation with 400 invalid-request, saying where and naming the field", async () => {
    const res = await app.inject({ method: "POST", url: "/validated", payload: { name: "ab" } });
    const body = expectError(res, 400, "invalid-request");
    expect(body.message).toMatch(/^invalid body: /);
    expect(body.details).toEqual([{ path: "/name", message: "must NOT have fewer than 3 characters" }]);
    const query = await app.inject({ method: "POST", url: "/validated?n=x", payload: { name: "abc" } });
    expect(expectError(query, 400, "invalid-request").message).toMatch(/^invalid querystring: /);
    expect(detailPaths(query.json())).toEqual(["/n"]);
  });

  // Regression: for `required` and `additionalProperties` errors Ajv's instancePath is the parent
  // object; the details once said "/" and never named the field.
  it("names a missing or an extra property in details", async () => {
    const missing = await app.inject({ method: "POST", url: "/validated", payload: {} });
    expect(detailPaths(expectError(missing, 400, "invalid-request"))).toEqual(["/name"]);
    const extra = await app.inject({ method: "POST", url: "/validated", payload: { name: "abc", admin: true } });
    expect(detailPaths(expectError(extra, 400, "invalid-request"))).toEqual(["/admin"]);
  });

  it("answers Fastify's own client errors with their codes", async () => {
    const json = { "content-type": "application/json" };
    expectError(
      await app.inject({ method: "POST", url: "/validated", headers: json, payload: "{" }),
      400,
      "invalid-json",
    );
    expectError(
      await app.inject({ method: "POST", url: "/validated", headers: json, payload: "" }),
      400,
      "invalid-json",
    );
    const big = { name: "x".repeat(2000) };
    expectError(await app.inject({ method: "POST", url: "/validated", payload: big }), 413, "body-too-large");
    const xml = { "content-type": "application/xml" };
    expectError(
      await app.inject({ method: "POST", url: "/validated", headers: xml, payload: "<a/>" }),
      415,
      "unsupported-media-type",
    );
  });

  it("answers every error with a code of the list", async () => {
    for (const url of ["/http", "/conflict", "/missing", "/crash", "/upstream", "/client", "/slow-down", "/nowhere"]) {
      const { code } = (await app.inject({ url })).json<{ code: string }>();
      expect(API_ERROR_CODES, url).toContain(code);
    }
  });

  it("answers other client errors with bad-request, and 429 with rate-limited", async () => {
    expect((await app.inject({ url: "/client" })).json()).toEqual({
      code: "bad-request",
      message: "you asked for it",
      details: [],
    });
    expectError(await app.inject({ url: "/slow-down" }), 429, "rate-limited");
  });

  it("answers a thrown bug with exactly a bare 500, and logs the real one with its stack", async () => {
    logged.length = 0;
    const res = await app.inject({ url: "/crash" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual(INTERNAL);
    expect(res.body).not.toContain("hunter2");
    const entry = logged
      .map((line) => JSON.parse(line) as { err?: { message: string; stack: string } })
      .find((e) => e.err);
    expect(entry?.err?.message).toContain("password=hunter2");
    expect(entry?.err?.stack).toMatch(/errors\.test\.ts:\d+/);
  });

  it("turns any 5xx error into the bare 500", async () => {
    const res = await app.inject({ url: "/upstream" });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual(INTERNAL);
  });

  it("answers an unknown route with 404 not-found", async () => {
    const res = await app.inject({ method: "DELETE", url: "/nowhere?x=1" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ code: "not-found", message: "no route DELETE /nowhere?x=1", details: [] });
  });
});

describe("error handler in the service", () => {
  let fx: ServiceFixture;
  let batchId: string;
  let credentialId: string;

  beforeAll(async () => {
    fx = await startService({ worker: false });
    const accepted = await submitBatch(fx, [sampleCredential(0)]);
    batchId = accepted.id;
    credentialId = accepted.credentials[0]!.id;
  });
  afterAll(async () => {
    await fx.close();
  });

  it("answers a failing database with exactly the bare 500: no stack, no internal message", async () => {
    const failure = new Error("SQLITE_CORRUPT: database disk image is malformed at /srv/credroot.db");
    const getBatch = vi.spyOn(fx.store, "getBatch").mockRejectedValue(failure);
    try {
      for (const url of [`/v1/batches/${batchId}`, `/v1/batches/${batchId}/credentials`]) {
        const res = await fx.app.inject({ url, headers: fx.auth });
        expect(res.statusCode, url).toBe(500);
        expect(res.json()).toEqual(INTERNAL);
        expect(res.body).not.toContain("SQLITE");
      }
      const bundle = await fx.app.inject({ url: `/v1/credentials/${credentialId}/bundle` });
      expect(bundle.statusCode).toBe(500);
      expect(bundle.json()).toEqual(INTERNAL);
    } finally {
      getBatch.mockRestore();
    }
  });

  it("answers a library invariant failure with the bare 500", async () => {
    const list = vi
      .spyOn(fx.store, "listCredentials")
      .mockRejectedValue(new CredrootError("INVARIANT", "row 7 has no leaf"));
    try {
      const res = await fx.app.inject({ url: `/v1/batches/${batchId}/credentials`, headers: fx.auth });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual(INTERNAL);
    } finally {
      list.mockRestore();
    }
  });

  it.each([
    ["GET", "/v1/nothing-here"],
    ["PUT", "/v1/batches"],
    ["DELETE", `/v1/batches/some-id`],
    ["POST", "/v1/issuers"],
    ["GET", "/v2/verify"],
  ] as const)("answers %s %s with 404 not-found", async (method, url) => {
    const res = await fx.app.inject({ method, url, headers: fx.auth });
    expect(expectError(res, 404, "not-found").details).toEqual([]);
  });
});
