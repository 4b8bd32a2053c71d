import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  ALWAYS_DISCLOSED,
  API_ERROR_CODES,
  type Bundle,
  bundlePath,
  CredrootError,
  flatten,
  type Hex32,
  isCredrootError,
  newBatchId,
  parseBundle,
  RegistryClient,
} from "../../src";
import { type AcceptedBatch, type ErrorBody, expectError, fetchBundle, issueFinalBatch } from "../server/helpers";
import { hostileBundles, isGenuineOrDisclosure, type MutationContext } from "../support/bundle-mutations";
import { type ServiceFixture, startService } from "../support/service";

/**
 * Issue 6, item 9: the public HTTP surface under hostile requests, on the real app (`app.inject`).
 * First a table of requests each answered with a specific error, then a few thousand generated
 * requests that must never be answered 5xx (the chain is up) and always in the one error shape.
 */

const ERROR_KEYS = new Set(["code", "message", "details"]);
const V1_BUNDLE = readFileSync(join(__dirname, "../fixtures/bundle-v1.json"), "utf8");
const KEBAB = /^[a-z]+(-[a-z]+)*$/;

/** A request as the tests build it: always a path, a string body if any. */
type Request = InjectOptions & { url: string; payload?: string | object };

/** Asserts `res` is an error in the service's one shape: `{ code, message, details? }`, nothing else. */
function expectErrorShape(res: LightMyRequestResponse, what: string): void {
  expect(res.headers["content-type"], what).toMatch(/^application\/json/);
  const body = res.json<Omit<ErrorBody, "details"> & { details?: ErrorBody["details"] }>();
  expect(
    Object.keys(body).filter((k) => !ERROR_KEYS.has(k)),
    what,
  ).toEqual([]);
  expect(body.code, what).toMatch(KEBAB);
  // One vocabulary: every code the service answers is in the list (and so in the OpenAPI enum).
  expect(API_ERROR_CODES, what).toContain(body.code);
  expect(typeof body.message, what).toBe("string");
  if (body.details !== undefined) {
    expect(Array.isArray(body.details), what).toBe(true);
    for (const d of body.details) expect([typeof d.path, typeof d.message], what).toEqual(["string", "string"]);
  }
}

/** Things a 5xx body must never show. */
const INTERNALS = [/\bat .+:\d+:\d+/, /node_modules/, /\/work\//, /SQLITE/i, /\.ts\b/, /stack/i];

describe("the public HTTP surface under hostile requests", () => {
  let fx: ServiceFixture;
  /** Same chain, BODY_LIMIT 4 KiB, no worker. */
  let small: ServiceFixture;
  /** Same chain, 3 requests a minute per public route. */
  let limited: ServiceFixture;
  let issued: AcceptedBatch;
  let genuine: Bundle;

  beforeAll(async () => {
    fx = await startService({ env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
    small = await startService({ registry: fx, worker: false, env: { BODY_LIMIT: "4096" } });
    limited = await startService({ registry: fx, worker: false, env: { RATE_LIMIT_PER_MINUTE: "3" } });
    issued = (
      await issueFinalBatch(
        fx,
        [0, 1, 2, 3, 4].map((i) => sampleCredential(i)),
      )
    ).accepted;
    genuine = await fetchBundle(fx, issued.credentials[2]!.id);
  });
  afterAll(async () => {
    await limited.close();
    await small.close();
    await fx.close();
  });

  describe("answers hostile requests with the right 4xx, naming the problem", () => {
    const big = (n: number) => JSON.stringify({ reason: "x".repeat(n) });
    const CSV_HEADER =
      "id,title,learner.name,issuerCountry,issuedOn,learningOutcomes,workload.ects,assessment.type,participation,qualityAssurance";
    const CSV_ROW = "urn:x,Course,Ana,NL,2026-06-30,Explain x,3,Exam,online,QA";
    const genuineText = () => JSON.stringify(genuine);

    interface Case {
      what: string;
      /** `small` has BODY_LIMIT 4 KiB; `main` the defaults. */
      service?: "main" | "small";
      request: (service: ServiceFixture) => Request;
      status: number;
      code: string;
      /** Said in the message or in a detail's path or message. */
      names?: string;
    }
    /** A POST as the service's issuer (the issuer routes need its key; the public ones ignore it). */
    const post = (type: string) => (s: ServiceFixture, url: string, payload: string) => ({
      method: "POST" as const,
      url,
      headers: { ...s.auth, "content-type": type },
      payload,
    });
    const json = post("application/json");
    const csv = (s: ServiceFixture, payload: string) => post("text/csv")(s, "/v1/batches", payload);
    const CASES: Case[] = [
      // Oversized bodies.
      {
        what: "a 600 KiB bundle to /v1/verify (its cap is 512 KiB)",
        request: (s) => json(s, "/v1/verify", JSON.stringify({ ...genuine, pad: "x".repeat(600 * 1024) })),
        status: 413,
        code: "body-too-large",
      },
      {
        what: "a batch over BODY_LIMIT",
        service: "small",
        request: (s) =>
          json(
            s,
            "/v1/batches",
            JSON.stringify({ credentials: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => sampleCredential(i)) }),
          ),
        status: 413,
        code: "body-too-large",
      },
      {
        what: "a CSV over BODY_LIMIT",
        service: "small",
        request: (s) => csv(s, [CSV_HEADER, ...Array<string>(80).fill(CSV_ROW)].join("\n")),
        status: 413,
        code: "body-too-large",
      },
      {
        what: "a revocation reason over BODY_LIMIT",
        service: "small",
        request: (s) => json(s, "/v1/credentials/x/revoke", big(5000)),
        status: 413,
        code: "body-too-large",
      },
      // Malformed JSON and CSV.
      {
        what: "truncated JSON to /v1/verify",
        request: (s) => json(s, "/v1/verify", '{"type":'),
        status: 400,
        code: "invalid-json",
        names: "JSON",
      },
      {
        what: "truncated JSON to /v1/batches",
        request: (s) => json(s, "/v1/batches", '{"credentials": ['),
        status: 400,
        code: "invalid-json",
        names: "JSON",
      },
      {
        what: "an empty JSON body to a revocation",
        request: (s) => json(s, `/v1/batches/${issued.id}/revoke`, ""),
        status: 400,
        code: "invalid-json",
        names: "empty",
      },
      {
        what: "JSON with a __proto__ key",
        request: (s) => json(s, "/v1/verify", '{"__proto__":{"polluted":1}}'),
        status: 400,
        code: "invalid-json",
      },
      // Issue 11, point 8: input the verifier could not read back the same way.
      {
        what: "a bundle with a key twice (JSON.parse would keep the last)",
        request: (s) => json(s, "/v1/verify", genuineText().replace('"title":', '"title":"PhD","title":')),
        status: 400,
        code: "invalid-json",
        names: 'repeats the key "title"',
      },
      {
        what: "a bundle whose two equal keys differ in their escapes",
        request: (s) => json(s, "/v1/verify", genuineText().replace('"issuerId":', '"issuerId":2,"issuer\\u0049d":')),
        status: 400,
        code: "invalid-json",
        names: 'repeats the key "issuerId"',
      },
      {
        what: "a presentation with a key twice",
        request: (s) =>
          json(
            s,
            "/v1/verify/presentation",
            `{"type":"credroot/presentation","version":2,"version":2,"bundles":[${genuineText()}]}`,
          ),
        status: 400,
        code: "invalid-json",
        names: 'repeats the key "version"',
      },
      {
        what: "a bundle with a lone surrogate",
        request: (s) => json(s, "/v1/verify", genuineText().replace('"title":"', '"title":"\\ud800')),
        status: 400,
        code: "invalid-json",
        names: "lone surrogate (not Unicode text) at /credential/title",
      },
      {
        what: "a batch with a key twice",
        request: (s) => json(s, "/v1/batches", '{"credentials":[{"id":"a"}],"credentials":[]}'),
        status: 400,
        code: "invalid-json",
        names: 'repeats the key "credentials"',
      },
      {
        what: "a revocation with a key twice",
        request: (s) => json(s, `/v1/batches/${issued.id}/revoke`, '{"reason":"a","reason":"b"}'),
        status: 400,
        code: "invalid-json",
        names: 'repeats the key "reason"',
      },
      // Issue 11, point 10: a version 1 bundle is never plain valid again.
      {
        what: "a version 1 bundle",
        request: (s) => json(s, "/v1/verify", V1_BUNDLE),
        status: 400,
        code: "invalid-bundle",
        names: "ask the issuer to re-issue it",
      },
      // Format v2: the awarding body is the registry's issuer.
      {
        what: "a CSV with v1 awardingBody columns",
        request: (s) =>
          csv(s, `${CSV_HEADER.replace("issuerCountry", "awardingBody.name")}\n${CSV_ROW.replace("NL", "Uni")}\n`),
        status: 400,
        code: "invalid-argument",
        names: "the awarding body now comes from the registry",
      },
      {
        what: "a CSV cell never closed",
        request: (s) => csv(s, `${CSV_HEADER}\n"urn:x,Course\n`),
        status: 400,
        code: "invalid-argument",
        names: "line 2",
      },
      {
        what: "a CSV row with an extra cell",
        request: (s) => csv(s, `${CSV_HEADER}\n${CSV_ROW}\n${CSV_ROW},extra\n`),
        status: 400,
        code: "invalid-argument",
        names: "line 3",
      },
      {
        what: "a CSV with an unknown column",
        request: (s) => csv(s, `${CSV_HEADER},learner.nmae\n${CSV_ROW},x\n`),
        status: 400,
        code: "invalid-argument",
        names: "learner.nmae",
      },
      {
        what: "a CSV with a duplicate column",
        request: (s) => csv(s, `${CSV_HEADER},title\n${CSV_ROW},x\n`),
        status: 400,
        code: "invalid-argument",
        names: "duplicate column",
      },
      {
        what: "a CSV with a header only",
        request: (s) => csv(s, `${CSV_HEADER}\n`),
        status: 400,
        code: "invalid-argument",
        names: "no credential rows",
      },
      {
        what: "binary garbage as CSV",
        request: (s) => csv(s, "\u0000\u0001\uFFFD,\u0007\n\u0000"),
        status: 400,
        code: "invalid-argument",
        names: "unknown column",
      },
      // Extra and missing fields.
      {
        what: "a bundle with an extra top-level field",
        request: (s) => json(s, "/v1/verify", JSON.stringify({ ...genuine, admin: true })),
        status: 400,
        code: "invalid-bundle",
        names: "/admin",
      },
      {
        what: "a bundle without its proof",
        request: (s) => json(s, "/v1/verify", JSON.stringify({ ...genuine, proof: undefined })),
        status: 400,
        code: "invalid-request",
        names: "/proof",
      },
      {
        what: "a batch with an extra field",
        request: (s) => json(s, "/v1/batches", JSON.stringify({ credentials: [sampleCredential(9)], issuerId: 2 })),
        status: 400,
        code: "invalid-request",
        names: "/issuerId",
      },
      {
        what: "a batch without credentials",
        request: (s) => json(s, "/v1/batches", "{}"),
        status: 400,
        code: "invalid-request",
        names: "/credentials",
      },
      {
        what: "a revocation without a reason",
        request: (s) => json(s, `/v1/batches/${issued.id}/revoke`, "{}"),
        status: 400,
        code: "invalid-request",
        names: "/reason",
      },
      {
        what: "a revocation with an extra field",
        request: (s) => json(s, `/v1/batches/${issued.id}/revoke`, '{"reason":"r","force":true}'),
        status: 400,
        code: "invalid-request",
        names: "/force",
      },
      {
        what: "an unknown query parameter on the bundle route",
        request: () => ({ url: `/v1/credentials/${issued.credentials[0]!.id}/bundle?debug=1` }),
        status: 400,
        code: "invalid-request",
      },
      {
        what: "a ?hide over 2048 characters",
        request: () => ({ url: `/v1/credentials/${issued.credentials[0]!.id}/bundle?hide=${"a".repeat(2049)}` }),
        status: 400,
        code: "invalid-request",
        names: "/hide",
      },
      {
        what: "an issuer page past the limit",
        request: () => ({ url: "/v1/issuers?limit=101" }),
        status: 400,
        code: "invalid-request",
        names: "/limit",
      },
      {
        what: "an XML bundle",
        request: () => ({
          method: "POST",
          url: "/v1/verify",
          headers: { "content-type": "application/xml" },
          payload: "<bundle/>",
        }),
        status: 415,
        code: "unsupported-media-type",
      },
    ];

    it.each(CASES.map((c) => [c.what, c] as const))("%s", async (_what, c) => {
      const service = c.service === "small" ? small : fx;
      const res = await service.app.inject(c.request(service));
      const body = expectError(res, c.status, c.code);
      expectErrorShape(res, c.what);
      if (c.names !== undefined) {
        const said = [body.message, ...body.details.flatMap((d) => [d.path, d.message])].join("\n");
        expect(said).toContain(c.names);
      }
    });

    it("rate-limits every public route: the 4th request in a minute is 429 rate-limited with retry-after", async () => {
      const routes: Request[] = [
        { url: "/v1/issuers" },
        { url: "/v1/issuers/1" },
        { url: `/v1/credentials/${issued.credentials[0]!.id}/bundle` },
        { method: "POST", url: "/v1/verify", payload: genuine },
      ];
      for (const request of routes) {
        for (let i = 0; i < 3; i++) expect((await limited.app.inject(request)).statusCode).toBeLessThan(429);
        const res = await limited.app.inject(request);
        expectError(res, 429, "rate-limited");
        expectErrorShape(res, request.url);
        expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      }
    });
  });

  describe("5xx bodies carry no internals", () => {
    const SECRET = "/srv/credroot/db/SECRET-credroot.db";
    const failures: [string, () => Error][] = [
      [
        "a database error with a path and a stack",
        () => Object.assign(new Error(`SQLITE_IOERR: disk I/O error in ${SECRET}`), { code: "SQLITE_IOERR" }),
      ],
      ["a TypeError (a bug)", () => new TypeError(`Cannot read properties of undefined (reading '${SECRET}')`)],
      ["a library invariant", () => new CredrootError("INVARIANT", `tree layer mismatch in ${SECRET}`)],
      ["an error claiming a 502", () => Object.assign(new Error(`upstream ${SECRET}`), { statusCode: 502 })],
    ];

    it.each(failures)("answers %s with 500 internal-error and a bare message", async (_what, make) => {
      const spy = vi.spyOn(fx.store, "getCredential").mockRejectedValueOnce(make());
      try {
        const res = await fx.app.inject({ url: `/v1/credentials/${issued.credentials[0]!.id}/bundle` });
        expect(res.json()).toEqual({ code: "internal-error", message: "internal error", details: [] });
        expect(res.statusCode).toBe(500);
        expect(res.body).not.toContain("SECRET");
      } finally {
        spy.mockRestore();
      }
    });

    // Regression: /ready once copied the database error's message (paths, SQL) into its public 503.
    it("answers /ready's 503 without the database error's internals", async () => {
      const spy = vi
        .spyOn(fx.store, "ping")
        .mockRejectedValueOnce(new Error(`SQLITE_CANTOPEN: unable to open ${SECRET}`));
      try {
        const res = await fx.app.inject({ url: "/ready" });
        expect(res.statusCode).toBe(503);
        expect(res.body).not.toContain("SECRET");
        for (const pattern of INTERNALS) expect(res.body).not.toMatch(pattern);
      } finally {
        spy.mockRestore();
      }
    });
  });

  describe("regressions found by the fuzz below", () => {
    // Regression: an id above Number.MAX_SAFE_INTEGER (or "Infinity") once answered 503
    // chain-unavailable while the chain was up, so anyone could make the service look down.
    it.each(["9007199254740993", "18446744073709551616", "1e30", "Infinity"])(
      "answers GET /v1/issuers/%s with 4xx, not 503 chain-unavailable",
      async (id) => {
        const res = await fx.app.inject({ url: `/v1/issuers/${id}` });
        expect(res.statusCode).toBeLessThan(500);
      },
    );

    // Regression: a malformed percent-encoding once got Fastify's default error body, not ours.
    it.each(["/v1/credentials/%E0%A4%A/bundle", "/%zz", "/v1/issuers/%"])(
      "answers %s in the one error shape",
      async (url) => {
        const res = await fx.app.inject({ url });
        expect(res.statusCode).toBe(400);
        expectErrorShape(res, url);
      },
    );
  });

  describe("fuzz: a few thousand generated requests", () => {
    const text = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ maxLength: 40, unit: "grapheme" }),
      fc.constantFrom(
        "..",
        "../..",
        "%00",
        "' OR 1=1 --",
        "__proto__",
        "constructor",
        "prototype",
        "null",
        "-1",
        "0",
        "1e30",
        " ",
        "\u0000",
        "𝓤𝓷𝓲",
      ),
    );
    const segment = fc.oneof(
      { arbitrary: text.map(encodeURIComponent), weight: 5 },
      { arbitrary: fc.constantFrom("%E0%A4%A", "%zz", "%"), weight: 1 },
    );
    const query = fc
      .dictionary(
        fc.oneof(fc.constantFrom("offset", "limit", "hide", "id"), fc.string({ maxLength: 8 })),
        fc.oneof(text, fc.integer().map(String), fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String)),
        { maxKeys: 3 },
      )
      .map((q) => {
        const s = new URLSearchParams(q).toString();
        return s ? `?${s}` : "";
      });
    /** Mostly JSON, so that most bundles reach the verifier; the rest of the time anything. */
    const contentType = fc.option(
      fc.oneof(
        { arbitrary: fc.constant("application/json"), weight: 6 },
        {
          arbitrary: fc.constantFrom(
            "application/json; charset=utf-8",
            "application/json; charset=utf-16",
            "text/plain",
            "text/csv",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/xml",
            "",
            "*/*",
            "application/json, text/csv",
          ),
          weight: 4,
        },
      ),
      { nil: undefined, freq: 10 },
    );

    let context: MutationContext;
    let credentialIds: string[];
    let fieldNames: string[];

    beforeAll(async () => {
      const genuineLeaf = issued.credentials[2]!.leaf as Hex32;
      // Another issuer that re-anchors: the genuine batch's id and root in its own namespace, and
      // the genuine leaf as a one-leaf batch; the genuine issuer re-anchoring that leaf itself
      // (through a second signer: the service's key is its worker's); and another batch of its own.
      const millSigner = await fx.chain.signer(2);
      const { issuerId: millId } = await fx.accreditor.registerIssuer("Mill", "https://mill.test", millSigner.address);
      const mill = new RegistryClient(fx.registry, millSigner);
      const second = await fx.chain.signer(4);
      await fx.accreditor.addSigner(fx.issuerId, second.address);
      const reanchored = { millSameId: genuine.anchor.batchId, millLeaf: newBatchId(), ownLeaf: newBatchId() };
      await mill.anchor(reanchored.millSameId, issued.root as Hex32, issued.count);
      await mill.anchor(reanchored.millLeaf, genuineLeaf, 1);
      await new RegistryClient(fx.registry, second).anchor(reanchored.ownLeaf, genuineLeaf, 1);
      const other = (await issueFinalBatch(fx, [sampleCredential(30), sampleCredential(31)])).batch;
      context = {
        genuine,
        sibling: await fetchBundle(fx, issued.credentials[3]!.id),
        otherBatches: [
          { issuerId: millId, batchId: reanchored.millSameId, root: issued.root as Hex32, proof: bundlePath(genuine) },
          { issuerId: millId, batchId: reanchored.millLeaf, root: genuineLeaf, proof: [] },
          { issuerId: fx.issuerId, batchId: reanchored.ownLeaf, root: genuineLeaf, proof: [] },
          { issuerId: fx.issuerId, batchId: other.id, root: other.root as Hex32 },
        ],
        otherTrusted: [],
      };
      credentialIds = issued.credentials.map((c) => c.id);
      const pointers = [...flatten(genuine.credential).keys()];
      fieldNames = [
        ...pointers,
        ...pointers.map((p) => p.slice(1).replace(/\//g, ".")),
        "learner",
        "assessment",
        ...ALWAYS_DISCLOSED,
      ];
    });

    const requests = (): fc.Arbitrary<Request> =>
      fc.oneof(
        // The learner route: real and random ids, real and random fields to hide.
        fc
          .tuple(
            fc.oneof(fc.constantFrom(...credentialIds), segment),
            fc.option(
              fc.oneof(
                fc.subarray(fieldNames).map((names) => names.join(",")),
                text,
                fc.constant("x".repeat(3000)),
              ),
            ),
          )
          .map(([id, hide]) => ({
            url: `/v1/credentials/${id}/bundle${hide === null ? "" : `?hide=${encodeURIComponent(hide)}`}`,
          })),
        // The employer route: hostile bundles, JSON and text, under any content type.
        fc
          .tuple(
            fc.oneof(
              {
                arbitrary: hostileBundles(context).map((h) =>
                  typeof h.value === "string" ? h.value : JSON.stringify(h.value),
                ),
                weight: 4,
              },
              { arbitrary: fc.json(), weight: 1 },
              { arbitrary: fc.string({ maxLength: 200 }), weight: 1 },
            ),
            contentType,
          )
          .map(([payload, type]) => ({
            method: "POST" as const,
            url: "/v1/verify",
            payload,
            headers: type === undefined ? {} : { "content-type": type },
          })),
        // Anyone: issuers, with random ids and queries.
        fc
          .tuple(
            fc.oneof(
              fc.constant(""),
              fc
                .oneof(fc.integer({ min: -5, max: 5 }), fc.nat(), fc.double())
                .map((n) => `/${encodeURIComponent(String(n))}`),
              fc.bigInt({ min: 0n, max: 2n ** 70n }).map((n) => `/${n}`),
              segment.map((s) => `/${s}`),
            ),
            query,
          )
          .map(([id, q]) => ({ url: `/v1/issuers${id}${q}` })),
        // Operators.
        fc.tuple(fc.constantFrom("/health", "/ready"), query).map(([path, q]) => ({ url: `${path}${q}` })),
        // Random paths and methods, issuer routes included (no key: 401).
        fc
          .tuple(
            fc.constantFrom<InjectOptions["method"]>(
              "GET",
              "POST",
              "PUT",
              "DELETE",
              "PATCH",
              "OPTIONS",
              "HEAD",
              "PROPFIND",
              "TRACE",
            ),
            fc.constantFrom(
              "",
              "/v1",
              "/v1/batches",
              "/v1/credentials",
              "/v1/issuers",
              "/v1/verify",
              "/docs",
              "/health",
            ),
            fc.array(segment, { maxLength: 3 }),
            query,
            fc.option(fc.string({ maxLength: 100 })),
          )
          .map(([method, prefix, segments, q, payload]) => ({
            method,
            url: `${prefix}/${segments.join("/")}${q}`,
            ...(payload === null || method === "GET" || method === "HEAD" ? {} : { payload }),
          })),
      );

    it("never answers 5xx, always in the one error shape, and never finds a forged bundle valid", async () => {
      let runs = 0;
      const statuses = new Map<number, number>();
      const verdicts = new Map<string, number>();
      await fc.assert(
        fc.asyncProperty(requests(), async (request) => {
          runs += 1;
          const res = await fx.app.inject(request);
          statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          const what = `${request.method ?? "GET"} ${request.url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 300)}`;
          expect(res.statusCode, what).toBeLessThan(500);
          if (res.statusCode >= 400 && request.method !== "HEAD") expectErrorShape(res, what);
          const verdict =
            request.url === "/v1/verify" && res.statusCode === 200 ? res.json<{ verdict: string }>().verdict : null;
          if (verdict !== null) verdicts.set(verdict, (verdicts.get(verdict) ?? 0) + 1);
          if (verdict === "valid") {
            let parsed: Bundle;
            try {
              // Fastify's JSON parser drops a leading byte-order mark; JSON.parse does not.
              const text = typeof request.payload === "string" ? request.payload : JSON.stringify(request.payload);
              parsed = parseBundle(text.replace(/^\uFEFF/, ""));
            } catch (error) {
              if (isCredrootError(error)) expect.fail(`valid, yet the bundle does not parse: ${what}`);
              throw error;
            }
            expect(isGenuineOrDisclosure(parsed, genuine), what).toBe(true);
          }
        }),
        { numRuns: 3000 },
      );
      console.log(
        `http-fuzz | generated requests | ${runs} cases (statuses ${JSON.stringify(Object.fromEntries([...statuses].sort((a, b) => a[0] - b[0])))}; verify verdicts ${JSON.stringify(Object.fromEntries(verdicts))})`,
      );
    });
  });
});
