import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type Hex32, leafOfDigest } from "../../../src";
import { type ServiceFixture, startService } from "../../support/service";
import {
  type AcceptedBatch,
  ALL_OP_STATUSES,
  ANCHORING_STATUSES,
  AUTH_FAILURES,
  type BatchBody,
  detailPaths,
  expectError,
  failingAuth,
  fetchBundle,
  issueFinalBatch,
  otherIssuerAuth,
  postVerify,
  submitBatch,
  verdictOf,
  waitForBatch,
} from "../helpers";

/** The CSV header used below: a subset of the columns, dotted, arrays joined with `|`. */
const CSV_HEADER =
  "id,title,description,learner.name,learner.email,issuerCountry,issuedOn," +
  "learningOutcomes,workload.ects,eqfLevel,assessment.type,participation,qualityAssurance";

/** Three CSV rows; the first has a line break inside a quoted cell, so row i is not on line i + 2. */
function csvUpload(eqfOfSecondRow: string): string {
  return [
    CSV_HEADER,
    `urn:csv:a,Course A,"Line one\nLine two",Ana Novak,ana@example.org,NL,2026-06-30,Explain x|Apply y,3,6,Exam,online,"QA, accredited"`,
    `urn:csv:b,Course B,,Björn Novak,,NL,2026-06-30,Explain x,3,${eqfOfSecondRow},Exam,onsite,QA`,
    `urn:csv:c,Course C,,Chiara Rossi,,NL,2026-06-30,Explain x,2.5,5,Exam,blended,QA`,
    "",
  ].join("\n");
}

describe("batch routes", () => {
  let fx: ServiceFixture;
  /** Same chain, no worker: its batches stay pending. */
  let idle: ServiceFixture;
  let other: { authorization: string };
  /** A final batch of three credentials. */
  let final: { accepted: AcceptedBatch; batch: BatchBody };
  /** A batch of `idle`, forever pending. */
  let pending: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService();
    idle = await startService({ registry: fx, worker: false });
    other = await otherIssuerAuth(fx);
    final = await issueFinalBatch(fx, [sampleCredential(10), sampleCredential(11), sampleCredential(12)]);
    pending = await submitBatch(idle, [sampleCredential(13)]);
  });
  afterAll(async () => {
    await idle.close();
    await fx.close();
  });

  const opCount = async () => (await fx.store.listOps(ALL_OP_STATUSES, 100_000)).length;

  describe("POST /v1/batches", () => {
    it("accepts a JSON batch with 202, a Location and one id, index and leaf per credential", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: fx.auth,
        payload: { credentials: [sampleCredential(1), sampleCredential(2)] },
      });
      expect(res.statusCode, res.body).toBe(202);
      const body = res.json<AcceptedBatch>();
      expect(res.headers.location).toBe(`/v1/batches/${body.id}`);
      expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(body).toMatchObject({ count: 2, status: "pending" });
      expect(body.root).toMatch(/^0x[0-9a-f]{64}$/);
      expect(body.credentials.map((c) => c.index)).toEqual([0, 1]);
      for (const c of body.credentials) {
        expect(c.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(c.leaf).toMatch(/^0x[0-9a-f]{64}$/);
      }
      expect(new Set(body.credentials.map((c) => c.id)).size).toBe(2);
    });

    it("binds every leaf to this chain, registry, the key's issuer and the batch id it answers, and stores the secret", async () => {
      const accepted = await submitBatch(idle, [sampleCredential(14), sampleCredential(15)]);
      const context = {
        chainId: fx.chain.chainId,
        registry: fx.registry,
        issuerId: fx.issuerId,
        batchId: accepted.id,
      };
      for (const c of accepted.credentials) {
        const record = (await idle.store.getCredential(c.id))!;
        expect(record).toMatchObject({ batchId: accepted.id, index: c.index, leaf: c.leaf });
        expect(leafOfDigest(context, record.digest as Hex32)).toBe(c.leaf);
        expect(record.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
        expect(record.credential).toMatchObject({ id: sampleCredential(14 + c.index).id, issuerCountry: "NL" });
        // Another batch id gives another leaf: the id is chosen before the credentials are committed.
        expect(leafOfDigest({ ...context, batchId: pending.id }, record.digest as Hex32)).not.toBe(c.leaf);
      }
      const [first, second] = await Promise.all(
        [0, 1].map((i) => submitBatch(idle, [sampleCredential(16 + i)]).then((b) => b.id)),
      );
      expect(first).not.toBe(second);
    });

    it("anchors the batch: its status goes through pending, submitted and anchored to final", async () => {
      const accepted = await submitBatch(fx, [sampleCredential(3)]);
      const { batch, seen } = await waitForBatch(fx, accepted.id);
      expect(seen.at(-1)).toBe("final");
      // Not necessarily in order: the worker may send an anchor back to pending and sign it anew
      // (see the report on nonce reuse), but never through a status outside these.
      for (const status of seen) expect(ANCHORING_STATUSES).toContain(status);
      expect(batch).toMatchObject({ id: accepted.id, issuerId: fx.issuerId, root: accepted.root, count: 1 });
      expect(batch.txHash).toMatch(/^0x[0-9a-f]{64}$/);
      expect(batch.blockNumber).toBeGreaterThan(0);
      expect(batch.error).toBeNull();
    });

    it("keeps the uri sent with the batch", async () => {
      const accepted = await submitBatch(fx, [sampleCredential(4)], { uri: "https://uni.example.org/batches/4" });
      const res = await fx.app.inject({ url: `/v1/batches/${accepted.id}`, headers: fx.auth });
      expect(res.json<BatchBody>().uri).toBe("https://uni.example.org/batches/4");
    });

    it("rejects a batch whose rows 2 and 4 (counted from 1) are invalid, naming each row and field, and stores nothing", async () => {
      const ops = await opCount();
      const insert = vi.spyOn(fx.store, "insertBatch");
      try {
        const res = await fx.app.inject({
          method: "POST",
          url: "/v1/batches",
          headers: fx.auth,
          payload: {
            credentials: [
              sampleCredential(20),
              sampleCredential(21, { title: "" }),
              sampleCredential(22),
              sampleCredential(23, { eqfLevel: 12, participation: "by post" as never }),
            ],
          },
        });
        const body = expectError(res, 400, "invalid-credential");
        expect(body.message).toContain("nothing was stored");
        expect(body.details).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ row: 2, path: "/title" }),
            expect.objectContaining({ row: 4, path: "/eqfLevel" }),
            expect.objectContaining({ row: 4, path: "/participation" }),
          ]),
        );
        expect(body.details.map((d) => d.row).sort()).toEqual([2, 4, 4]);
        for (const d of body.details) expect(d.line).toBeUndefined();
        expect(insert).not.toHaveBeenCalled();
      } finally {
        insert.mockRestore();
      }
      expect(await opCount()).toBe(ops);
    });

    // Regression: the route's body schema (`submitBody`, type object) is applied to the CSV body too, which
    // the text/csv parser hands over as a string, so every CSV upload is refused with 400
    // "invalid-request: body must be object" before the handler runs (server/routes/batches.ts,
    // `body: submitBody`; a content-type-keyed body schema would fix it).
    it("accepts a CSV upload: dotted column names, arrays joined with |", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: csvUpload("6"),
      });
      expect(res.statusCode, res.body).toBe(202);
      const accepted = res.json<AcceptedBatch>();
      expect(accepted.count).toBe(3);
      await waitForBatch(fx, accepted.id);
      const bundle = await fetchBundle(fx, accepted.credentials[0]!.id);
      expect(bundle.credential).toMatchObject({
        learningOutcomes: ["Explain x", "Apply y"],
        learner: { email: "ana@example.org" },
        description: "Line one\nLine two",
        issuerCountry: "NL",
      });
      expect(bundle.anchor.batchId).toBe(accepted.id);
      expect(await verdictOf(fx, bundle)).toBe("valid");
    });

    // Regression: same cause as above — the CSV never reaches parseCredentialsCsv.
    it("reports the row and the CSV line of a bad row, and stores nothing", async () => {
      const ops = await opCount();
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: csvUpload("twelve"),
      });
      const body = expectError(res, 400, "invalid-credential");
      // Row 2 starts on line 4: row 1 spans lines 2 and 3. The field is named by its column.
      expect(body.details).toEqual([{ row: 2, line: 4, path: "eqfLevel", message: "must be integer" }]);
      expect(await opCount()).toBe(ops);
    });

    // A CSV of more rows than PARALLEL_THRESHOLD is parsed in pieces on the commit pool's threads.
    it("names the row and line of a bad row of a large CSV, and of its first error when malformed", async () => {
      const rows = Array.from({ length: 2400 }, (_, i) => {
        const name = `Learner ${i}`;
        // Every 300th row spans two lines, so that a row's line is not its index plus 2.
        const description = i % 300 === 0 ? '"Line one\nLine two"' : "";
        return `urn:csv:big-${i},Course,${description},${name},,NL,2026-06-30,Explain x,3,${i === 2222 ? "twelve" : "6"},Exam,online,QA`;
      });
      const post = (payload: string) =>
        fx.app.inject({
          method: "POST",
          url: "/v1/batches",
          headers: { ...fx.auth, "content-type": "text/csv" },
          payload,
        });
      const ops = await opCount();
      const bad = expectError(await post([CSV_HEADER, ...rows, ""].join("\n")), 400, "invalid-credential");
      // Rows 1, 301, …, 2101 (counted from 1) span two lines: row 2223 starts on line 2224 + 8.
      expect(bad.details).toEqual([{ row: 2223, line: 2232, path: "eqfLevel", message: "must be integer" }]);
      const broken = [CSV_HEADER, ...rows.map((r) => r.replace("twelve", "6")), ""]
        .join("\n")
        .replace("Learner 2001", 'Learner "2001');
      const malformed = expectError(await post(broken), 400, "invalid-argument");
      expect(detailPaths(malformed)).toEqual(["line 2010"]); // row 2002, after 7 rows of two lines
      expect(await opCount()).toBe(ops);
      const fine = await post([CSV_HEADER, ...rows.map((r) => r.replace("twelve", "6")), ""].join("\r\n"));
      expect(fine.statusCode, fine.body).toBe(202);
      expect(fine.json<AcceptedBatch>().count).toBe(2400);
    });

    // Regression: same cause as above.
    it("rejects malformed CSV with 400 naming the line", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: `${CSV_HEADER}\nurn:csv:z,"never closed\n`,
      });
      const body = expectError(res, 400, "invalid-argument");
      expect(detailPaths(body)).toEqual(["line 2"]);
    });

    // Format v2: a credential names no awarding body; the registry's record of the issuer is it.
    it("refuses a JSON credential that still has awardingBody with 400 saying it now comes from the registry", async () => {
      const ops = await opCount();
      const { issuerCountry: _country, ...v1 } = sampleCredential(24);
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: fx.auth,
        payload: {
          credentials: [sampleCredential(25), { ...v1, awardingBody: { name: "Harvard University", country: "US" } }],
        },
      });
      const body = expectError(res, 400, "invalid-credential");
      expect(body.message).toContain("the awarding body now comes from the registry");
      expect(body.message).toContain("remove awardingBody");
      expect(body.message).toContain("nothing was stored");
      expect(body.details).toEqual([
        { row: 2, path: "/issuerCountry", message: "must have required property 'issuerCountry'" },
        {
          row: 2,
          path: "/awardingBody",
          message: expect.stringContaining("the awarding body now comes from the registry") as unknown,
        },
      ]);
      expect(await opCount()).toBe(ops);
    });

    it("refuses a CSV with awardingBody.* columns with 400 saying to remove them, and stores nothing", async () => {
      const ops = await opCount();
      const header = CSV_HEADER.replace("issuerCountry", "awardingBody.name,awardingBody.country");
      const row = "urn:csv:v1,Course,,Ana,,Uni,NL,2026-06-30,Explain x,3,6,Exam,online,QA";
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: `${header}\n${row}\n`,
      });
      const body = expectError(res, 400, "invalid-argument");
      expect(body.message).toContain("awardingBody.name, awardingBody.country");
      expect(body.message).toContain("the awarding body now comes from the registry");
      expect(body.message).toContain("remove the awardingBody columns");
      expect(detailPaths(body)).toEqual(["column 6", "column 7"]);
      expect(await opCount()).toBe(ops);
    });

    it("says the same for a JSON Pointer spelling of the column", async () => {
      const header = CSV_HEADER.replace("issuerCountry", "/awardingBody/name");
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: `${header}\nurn:x,Course,,Ana,,Uni,2026-06-30,Explain x,3,6,Exam,online,QA\n`,
      });
      const body = expectError(res, 400, "invalid-argument");
      expect(body.message).toContain("/awardingBody/name: the awarding body now comes from the registry");
      expect(detailPaths(body)).toEqual(["column 6"]);
    });

    // Issue 11, point 8: JSON.parse keeps the last of two equal keys; other readers keep the first.
    it("refuses JSON with a key twice with 400 invalid-json naming the key, and stores nothing", async () => {
      const ops = await opCount();
      const credential = JSON.stringify(sampleCredential(26));
      const twice = credential.replace('"title":', '"title":"Honorary Doctorate","title":');
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "application/json" },
        payload: `{"credentials":[${twice}]}`,
      });
      expect(expectError(res, 400, "invalid-json").message).toBe('the request body repeats the key "title"');
      expect(await opCount()).toBe(ops);
    });

    it("refuses a lone surrogate with 400 naming where it is, and stores nothing", async () => {
      const ops = await opCount();
      const credential = JSON.stringify(sampleCredential(27)).replace('"title":"', '"title":"\\ud800');
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "application/json" },
        payload: `{"credentials":[${credential}]}`,
      });
      expect(expectError(res, 400, "invalid-json").message).toContain(
        "lone surrogate (not Unicode text) at /credentials/0/title",
      );
      expect(await opCount()).toBe(ops);
    });

    it.each([
      ["an empty credentials list", { credentials: [] }, "/credentials"],
      ["a credential that is not an object", { credentials: ["urn:x"] }, "/credentials/0"],
      [
        "a uri over 2048 characters",
        { credentials: [sampleCredential(5)], uri: `https://x/${"a".repeat(2048)}` },
        "/uri",
      ],
    ])("rejects %s with 400 invalid-request naming the field", async (_what, payload, path) => {
      const res = await fx.app.inject({ method: "POST", url: "/v1/batches", headers: fx.auth, payload });
      const body = expectError(res, 400, "invalid-request");
      expect(detailPaths(body)).toEqual([path]);
    });

    it("rejects a body without credentials with 400 invalid-request", async () => {
      const res = await fx.app.inject({ method: "POST", url: "/v1/batches", headers: fx.auth, payload: {} });
      const body = expectError(res, 400, "invalid-request");
      expect(body.message).toContain("credentials");
    });

    // Regression: for `required` errors Ajv's instancePath is the parent object, and the error handler
    // (server/plugins/errors.ts, `path: v.instancePath || "/"`) ignores params.missingProperty, so
    // details say `{ path: "/" }` instead of naming the missing field.
    it("names the missing credentials property in details", async () => {
      const res = await fx.app.inject({ method: "POST", url: "/v1/batches", headers: fx.auth, payload: {} });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual(["/credentials"]);
    });

    it("rejects an extra property with 400 rather than dropping it", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: fx.auth,
        payload: { credentials: [sampleCredential(6)], priority: "high" },
      });
      expectError(res, 400, "invalid-request");
    });

    // Regression: as for `required`, the error handler ignores params.additionalProperty: details are
    // `{ path: "/", message: "must NOT have additional properties" }` and the response never says
    // which property was extra (server/plugins/errors.ts).
    it("names the extra property in details", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: fx.auth,
        payload: { credentials: [sampleCredential(6)], priority: "high" },
      });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual(["/priority"]);
    });

    it("rejects malformed JSON with 400 invalid-json", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "application/json" },
        payload: '{"credentials": [',
      });
      expectError(res, 400, "invalid-json");
    });

    it("rejects an empty JSON body with 400 invalid-json", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "application/json" },
        payload: "",
      });
      expectError(res, 400, "invalid-json");
    });

    it("rejects an XML body with 415 unsupported-media-type", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "application/xml" },
        payload: "<credentials/>",
      });
      expectError(res, 415, "unsupported-media-type");
    });

    it("rejects a body over BODY_LIMIT with 413 body-too-large, and stores nothing", async () => {
      const small = await startService({ registry: fx, worker: false, env: { BODY_LIMIT: "2048" } });
      try {
        const payload = { credentials: [1, 2, 3, 4].map((i) => sampleCredential(i)) };
        expect(JSON.stringify(payload).length).toBeGreaterThan(2048);
        const res = await small.app.inject({ method: "POST", url: "/v1/batches", headers: small.auth, payload });
        expectError(res, 413, "body-too-large");
        expect(await small.store.listOps(ALL_OP_STATUSES)).toEqual([]);
        // One credential fits.
        const one = await small.app.inject({
          method: "POST",
          url: "/v1/batches",
          headers: small.auth,
          payload: { credentials: [sampleCredential(1)] },
        });
        expect(one.statusCode, one.body).toBe(202);
      } finally {
        await small.close();
      }
    });

    it.each(AUTH_FAILURES)("answers 401 unauthorized to %s", async (failure) => {
      const ops = await opCount();
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: await failingAuth(fx, failure),
        payload: { credentials: [sampleCredential(7)] },
      });
      expectError(res, 401, "unauthorized");
      expect(await opCount()).toBe(ops);
    });

    // Regression: the service holds one signer (ISSUER_PRIVATE_KEY, issuer 1 here) but accepts a batch
    // from any API key and records it under the key's issuer (server/routes/batches.ts,
    // `issuerId: request.issuerId` with `signer: app.chain.wallet.address`); the worker then
    // anchors it as issuer 1, and every bundle, which names issuer 99, verifies "not-anchored"
    // ("the root was anchored by issuer 1, not by issuer 99"). Expected: refuse up front (403).
    it("refuses a batch from an issuer whose signer the service does not hold", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: other,
        payload: { credentials: [sampleCredential(8)] },
      });
      expectError(res, 403, "forbidden");
    });
  });

  describe("GET /v1/batches/:id", () => {
    it("returns the batch record", async () => {
      const res = await fx.app.inject({ url: `/v1/batches/${final.accepted.id}`, headers: fx.auth });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: final.accepted.id,
        issuerId: fx.issuerId,
        root: final.accepted.root,
        count: 3,
        uri: "",
        status: "final",
        txHash: final.batch.txHash,
        blockNumber: final.batch.blockNumber,
        error: null,
        revokedReason: null,
        createdAt: expect.any(String) as unknown,
        updatedAt: expect.any(String) as unknown,
      });
    });

    it("shows a batch nobody anchors as pending with no transaction", async () => {
      const res = await idle.app.inject({ url: `/v1/batches/${pending.id}`, headers: idle.auth });
      expect(res.json()).toMatchObject({ status: "pending", txHash: null, blockNumber: null });
    });

    it("answers 403 forbidden to another issuer's key", async () => {
      const res = await fx.app.inject({ url: `/v1/batches/${final.accepted.id}`, headers: other });
      expectError(res, 403, "forbidden");
    });

    it("answers 404 not-found for an unknown batch", async () => {
      const res = await fx.app.inject({ url: "/v1/batches/00000000-0000-4000-8000-000000000000", headers: fx.auth });
      expectError(res, 404, "not-found");
    });

    it("rejects an id over 64 characters with 400 naming it", async () => {
      const res = await fx.app.inject({ url: `/v1/batches/${"a".repeat(65)}`, headers: fx.auth });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual(["/id"]);
    });

    it.each(AUTH_FAILURES)("answers 401 unauthorized to %s", async (failure) => {
      const res = await fx.app.inject({
        url: `/v1/batches/${final.accepted.id}`,
        headers: await failingAuth(fx, failure),
      });
      expectError(res, 401, "unauthorized");
    });
  });

  describe("GET /v1/batches/:id/credentials", () => {
    const url = () => `/v1/batches/${final.accepted.id}/credentials`;

    it("lists the batch's credentials in index order, none revoked", async () => {
      const res = await fx.app.inject({ url: url(), headers: fx.auth });
      expect(res.statusCode).toBe(200);
      const records = await Promise.all(final.accepted.credentials.map((c) => fx.store.getCredential(c.id)));
      expect(res.json()).toEqual({
        credentials: final.accepted.credentials.map((c, i) => ({ ...c, digest: records[i]!.digest, revoked: false })),
      });
      // The digest is what the registry's revokeCredential takes, and what a verifier computes.
      const bundle = await fetchBundle(fx, final.accepted.credentials[0]!.id);
      expect((await postVerify(fx, bundle)).json<{ digest: string }>().digest).toBe(records[0]!.digest);
    });

    it("pages with offset and limit", async () => {
      const res = await fx.app.inject({ url: `${url()}?offset=1&limit=1`, headers: fx.auth });
      expect(res.json<{ credentials: { index: number }[] }>().credentials.map((c) => c.index)).toEqual([1]);
      const past = await fx.app.inject({ url: `${url()}?offset=3`, headers: fx.auth });
      expect(past.json()).toEqual({ credentials: [] });
    });

    it.each([
      ["limit=0", "/limit"],
      ["limit=10001", "/limit"],
      ["offset=-1", "/offset"],
      ["limit=many", "/limit"],
    ])("rejects ?%s with 400 naming the parameter", async (query, path) => {
      const res = await fx.app.inject({ url: `${url()}?${query}`, headers: fx.auth });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual([path]);
    });

    it("rejects an unknown query parameter with 400", async () => {
      const res = await fx.app.inject({ url: `${url()}?page=2`, headers: fx.auth });
      expectError(res, 400, "invalid-request");
    });

    it("answers 403 forbidden to another issuer's key", async () => {
      expectError(await fx.app.inject({ url: url(), headers: other }), 403, "forbidden");
    });

    it("answers 404 not-found for an unknown batch", async () => {
      const res = await fx.app.inject({ url: "/v1/batches/nope/credentials", headers: fx.auth });
      expectError(res, 404, "not-found");
    });

    it.each(AUTH_FAILURES)("answers 401 unauthorized to %s", async (failure) => {
      expectError(await fx.app.inject({ url: url(), headers: await failingAuth(fx, failure) }), 401, "unauthorized");
    });
  });

  describe("POST /v1/batches/:id/revoke", () => {
    const revoke = (
      service: ServiceFixture,
      id: string,
      payload: unknown,
      headers: Record<string, string> = service.auth,
    ) => service.app.inject({ method: "POST", url: `/v1/batches/${id}/revoke`, headers, payload: payload as object });

    it("revokes an anchored batch on chain: every bundle then verifies revoked", async () => {
      const { accepted } = await issueFinalBatch(fx, [sampleCredential(30), sampleCredential(31)]);
      const bundles = await Promise.all(accepted.credentials.map((c) => fetchBundle(fx, c.id)));
      for (const bundle of bundles) expect(await verdictOf(fx, bundle)).toBe("valid");

      const res = await revoke(fx, accepted.id, { reason: "course withdrawn" });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toEqual({ id: accepted.id, status: "revocation-queued" });
      expectError(await revoke(fx, accepted.id, { reason: "again" }), 409, "already-requested");

      const { batch } = await waitForBatch(fx, accepted.id, ["revoked", "failed"]);
      expect(batch).toMatchObject({ status: "revoked", revokedReason: "course withdrawn" });
      for (const bundle of bundles) expect(await verdictOf(fx, bundle)).toBe("revoked");
      // Bundles stay available, so holders can see why they no longer verify.
      for (const bundle of await Promise.all(accepted.credentials.map((c) => fetchBundle(fx, c.id)))) {
        expect(await verdictOf(fx, bundle)).toBe("revoked");
      }
      expectError(await revoke(fx, accepted.id, { reason: "a third time" }), 409, "already-revoked");
      const one = await fx.app.inject({
        method: "POST",
        url: `/v1/credentials/${accepted.credentials[0]!.id}/revoke`,
        headers: fx.auth,
        payload: { reason: "one of them" },
      });
      expectError(one, 409, "already-revoked");
    });

    it("answers 409 not-anchored-yet for a pending batch, and queues nothing", async () => {
      const body = expectError(await revoke(idle, pending.id, { reason: "typo" }), 409, "not-anchored-yet");
      expect(body.message).toContain("pending");
      expect(await idle.store.opsOfBatch(pending.id)).toEqual([expect.objectContaining({ kind: "anchor" }) as unknown]);
    });

    it("rejects a body without a reason with 400", async () => {
      expectError(await revoke(fx, final.accepted.id, {}), 400, "invalid-request");
    });

    it("rejects an empty reason with 400 naming it", async () => {
      const body = expectError(await revoke(fx, final.accepted.id, { reason: "" }), 400, "invalid-request");
      expect(detailPaths(body)).toEqual(["/reason"]);
    });

    it("rejects an extra property with 400", async () => {
      const res = await revoke(fx, final.accepted.id, { reason: "x", notify: true });
      expectError(res, 400, "invalid-request");
    });

    it("rejects an XML body with 415", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: `/v1/batches/${final.accepted.id}/revoke`,
        headers: { ...fx.auth, "content-type": "application/xml" },
        payload: "<reason>x</reason>",
      });
      expectError(res, 415, "unsupported-media-type");
    });

    it("answers 403 forbidden to another issuer's key", async () => {
      expectError(await revoke(fx, final.accepted.id, { reason: "x" }, other), 403, "forbidden");
    });

    it("answers 404 not-found for an unknown batch", async () => {
      expectError(await revoke(fx, "nope", { reason: "x" }), 404, "not-found");
    });

    it.each(AUTH_FAILURES)("answers 401 unauthorized to %s", async (failure) => {
      const res = await revoke(fx, final.accepted.id, { reason: "x" }, await failingAuth(fx, failure));
      expectError(res, 401, "unauthorized");
      expect(await fx.store.opsOfBatch(final.accepted.id)).toHaveLength(1);
    });
  });
  // Issue 15, point 20: re-uploading the same CSV issued duplicates.
  describe("POST /v1/batches: Idempotency-Key and credential ids issued before", () => {
    const post = (payload: unknown, headers: Record<string, string> = {}, csv = false) =>
      idle.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...idle.auth, ...headers, ...(csv ? { "content-type": "text/csv" } : {}) },
        payload: payload as string,
      });
    const batches = () => idle.store.countBatches(idle.issuerId);

    it("answers the same key with the same body with the same 202 and stores no second batch", async () => {
      const body = { credentials: [sampleCredential(200), sampleCredential(201)] };
      const first = await post(body, { "idempotency-key": "upload-2026-06-30" });
      expect(first.statusCode, first.body).toBe(202);
      const before = await batches();
      const again = await post(body, { "idempotency-key": "upload-2026-06-30" });
      expect(again.statusCode, again.body).toBe(202);
      expect(again.json()).toEqual(first.json());
      expect(again.headers.location).toBe(first.headers.location);
      expect(again.headers["idempotent-replayed"]).toBe("true");
      expect(await batches()).toBe(before);
    });

    it("answers two concurrent submissions with one key with one batch", async () => {
      const body = { credentials: [sampleCredential(202)] };
      const before = await batches();
      const [a, b] = await Promise.all([
        post(body, { "idempotency-key": "race" }),
        post(body, { "idempotency-key": "race" }),
      ]);
      expect([a.statusCode, b.statusCode]).toEqual([202, 202]);
      expect(a.json<AcceptedBatch>().id).toBe(b.json<AcceptedBatch>().id);
      expect(await batches()).toBe(before + 1);
    });

    it("refuses the same key with another body (422, saying so) and stores nothing", async () => {
      expect((await post({ credentials: [sampleCredential(203)] }, { "idempotency-key": "k-diff" })).statusCode).toBe(
        202,
      );
      const before = await batches();
      const res = await post({ credentials: [sampleCredential(204)] }, { "idempotency-key": "k-diff" });
      const error = expectError(res, 422, "idempotency-key-reused");
      expect(error.message).toMatch(/already used with a different body/);
      expect(await batches()).toBe(before);
    });

    it("replays a CSV upload too, and refuses a malformed key", async () => {
      const csv = [CSV_HEADER, `urn:csv:idem,Course A,,Ana Novak,,NL,2026-06-30,Explain x,3,6,Exam,online,QA`, ""].join(
        "\n",
      );
      const first = await post(csv, { "idempotency-key": "csv-1" }, true);
      expect(first.statusCode, first.body).toBe(202);
      const again = await post(csv, { "idempotency-key": "csv-1" }, true);
      expect(again.json<AcceptedBatch>().id).toBe(first.json<AcceptedBatch>().id);
      expectError(await post(csv, { "idempotency-key": "x".repeat(256) }, true), 400, "invalid-request");
    });

    it("refuses (409) a credential id issued in an earlier batch, naming the row, the id and that batch", async () => {
      const earlier = await submitBatch(idle, [sampleCredential(210), sampleCredential(211)]);
      const before = await batches();
      const res = await post({ credentials: [sampleCredential(212), sampleCredential(211)] });
      const error = expectError(res, 409, "already-issued");
      expect(error.message).toContain("row 2:");
      expect(error.message).toContain(sampleCredential(211).id);
      expect(error.message).toContain(`${earlier.id} (its row 2)`);
      expect(error.details).toEqual([expect.objectContaining({ path: "/id", row: 2 })]);
      expect(await batches()).toBe(before);
    });

    it("refuses a re-uploaded CSV naming its line, and a credential id twice in one upload", async () => {
      const csv = [
        CSV_HEADER,
        `urn:csv:again,Course A,,Ana Novak,,NL,2026-06-30,Explain x,3,6,Exam,online,QA`,
        "",
      ].join("\n");
      expect((await post(csv, {}, true)).statusCode).toBe(202);
      const res = expectError(await post(csv, {}, true), 409, "already-issued");
      expect(res.message).toMatch(/row 1 \(line 2\).*urn:csv:again/);
      const twice = expectError(
        await post({ credentials: [sampleCredential(220), sampleCredential(220)] }),
        409,
        "already-issued",
      );
      expect(twice.message).toMatch(/twice \(row 1 and row 2\)/);
    });
  });

  // Issue 15, point 19: an issuer's own batches, newest first.
  describe("GET /v1/batches", () => {
    it("lists the issuer's batches newest first with date, count, status and revocations, paged", async () => {
      const a = await submitBatch(idle, [sampleCredential(230)]);
      const b = await submitBatch(idle, [sampleCredential(231), sampleCredential(232)]);
      const res = await idle.app.inject({ url: "/v1/batches?limit=2", headers: idle.auth });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ batches: Record<string, unknown>[]; total: number; offset: number; limit: number }>();
      expect(body.batches.map((x) => x.id)).toEqual([b.id, a.id]);
      expect(body.batches[0]).toMatchObject({ count: 2, status: "pending", revoked: false, revokedCredentials: 0 });
      expect(body.batches[0]!.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(body).toMatchObject({ offset: 0, limit: 2, total: await idle.store.countBatches(idle.issuerId) });
      const next = await idle.app.inject({ url: "/v1/batches?offset=1&limit=1", headers: idle.auth });
      expect(next.json<{ batches: { id: string }[] }>().batches.map((x) => x.id)).toEqual([a.id]);
    });

    it("shows a final batch's revocations, and nothing of another issuer's", async () => {
      const res = await fx.app.inject({ url: "/v1/batches?limit=1000", headers: fx.auth });
      const listed = res.json<{ batches: { id: string; status: string }[] }>().batches;
      expect(listed.find((x) => x.id === final.accepted.id)).toMatchObject({ count: 3 });
      const theirs = await fx.app.inject({ url: "/v1/batches", headers: other });
      expect(theirs.json()).toMatchObject({ batches: [], total: 0 });
      expectError(await fx.app.inject({ url: "/v1/batches" }), 401, "unauthorized");
      expectError(await fx.app.inject({ url: "/v1/batches?limit=0", headers: fx.auth }), 400, "invalid-request");
    });
  });
});
