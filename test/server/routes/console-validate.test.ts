import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialsCsv } from "../../../harness/credentials-csv";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type ServiceFixture, startService } from "../../support/service";
import { expectError, submitBatch } from "../helpers";

// Issue 14, point 1: the console checks an upload before anything is stored (a dry run of POST /v1/batches).
describe("POST /v1/batches/validate", () => {
  let fx: ServiceFixture;

  beforeAll(async () => {
    fx = await startService({ worker: false });
  });
  afterAll(async () => {
    await fx.close();
  });

  const validate = (payload: string | object, type = typeof payload === "string" ? "text/csv" : "application/json") =>
    fx.app.inject({
      method: "POST",
      url: "/v1/batches/validate",
      headers: { ...fx.auth, "content-type": type },
      payload,
    });
  const batchCount = () => fx.store.countBatches(fx.issuerId);

  it("answers 200 with the count for a valid CSV and stores nothing", async () => {
    const before = await batchCount();
    const res = await validate(credentialsCsv([sampleCredential(0), sampleCredential(1)]));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ valid: true, count: 2 });
    expect(await batchCount()).toBe(before);
  });

  it("names the row, line and column of each bad CSV cell, in the submission's words, storing nothing", async () => {
    const csv = credentialsCsv([sampleCredential(0), sampleCredential(1), sampleCredential(2)]);
    const lines = csv.split("\n");
    lines[2] = lines[2]!.replace("2026-06-30", "30/06/2026"); // row 2 (line 3): issuedOn
    const bad = lines.join("\n");
    const dry = expectError(await validate(bad), 400, "invalid-credential");
    const real = expectError(
      await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: bad,
      }),
      400,
      "invalid-credential",
    );
    expect(dry.details).toEqual(real.details);
    expect(dry.details).toEqual([expect.objectContaining({ row: 2, line: 3, path: "issuedOn" })]);
    expect(dry.message).toContain("nothing was stored");
    expect(await batchCount()).toBe(0);
  });

  it("names JSON rows by field pointer", async () => {
    const broken = { ...sampleCredential(3), eqfLevel: 12 };
    const body = expectError(await validate({ credentials: [sampleCredential(4), broken] }), 400, "invalid-credential");
    expect(body.details).toEqual([expect.objectContaining({ row: 2, path: "/eqfLevel" })]);
  });

  it("refuses a credential id twice in the upload, and one issued before, as the submission does", async () => {
    const twice = expectError(
      await validate({ credentials: [sampleCredential(5), sampleCredential(5)] }),
      409,
      "already-issued",
    );
    expect(twice.details).toEqual([expect.objectContaining({ path: "/id", row: 2 })]);
    const issued = await submitBatch(fx, [sampleCredential(6)]);
    const again = expectError(
      await validate(credentialsCsv([sampleCredential(7), sampleCredential(6)])),
      409,
      "already-issued",
    );
    expect(again.message).toContain(issued.id);
    expect(again.details).toEqual([expect.objectContaining({ path: "/id", row: 2, line: 3 })]);
  });

  it("refuses a body that is neither JSON nor CSV, and a caller without a key", async () => {
    expectError(await validate("<x/>", "application/xml"), 415, "unsupported-media-type");
    const res = await fx.app.inject({ method: "POST", url: "/v1/batches/validate", payload: { credentials: [] } });
    expectError(res, 401, "unauthorized");
  });
});
