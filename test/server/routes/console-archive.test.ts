import { strFromU8, unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { parseBundle, verifyBundle } from "../../../src";
import { type ServiceFixture, startService } from "../../support/service";
import { type AcceptedBatch, expectError, issueFinalBatch, otherIssuerAuth, submitBatch } from "../helpers";

// Issue 14, point 1: per batch, every bundle and credentials.csv as one zip; the search by learner name.
describe("GET /v1/batches/:id/archive.zip", () => {
  let fx: ServiceFixture;
  let accepted: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService();
    await fx.app.listen({ host: "127.0.0.1", port: 0 });
    ({ accepted } = await issueFinalBatch(
      fx,
      [0, 1, 2].map((i) => sampleCredential(i)),
    ));
  });
  afterAll(async () => {
    await fx.close();
  });

  const archive = (id: string, auth: Record<string, string> = fx.auth) =>
    fx.app.inject({ url: `/v1/batches/${id}/archive.zip`, headers: auth });

  it("holds every bundle, in row order, and credentials.csv; a bundle from it verifies against the chain", async () => {
    const res = await archive(accepted.id);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers["content-type"]).toBe("application/zip");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="credroot-batch-${accepted.id}.zip"`);
    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files).sort()).toEqual(["0001.json", "0002.json", "0003.json", "credentials.csv"]);
    const bundle = parseBundle(JSON.parse(strFromU8(files["0002.json"]!)));
    expect(bundle.anchor.batchId).toBe(accepted.id);
    const result = await verifyBundle(bundle, { chains: fx.trusted });
    expect(result.verdict).toBe("valid");
    const lines = strFromU8(files["credentials.csv"]!).trimEnd().split("\n");
    expect(lines[0]).toBe("file,row,credential_id,share_url");
    const port = (fx.app.server.address() as { port: number }).port;
    expect(lines.slice(1)).toEqual(
      accepted.credentials.map(
        (c) => `000${c.index + 1}.json,${c.index + 1},${c.id},http://127.0.0.1:${port}/v/${c.id}`,
      ),
    );
  });

  it("holds every credential of a batch larger than one page of the store, each once", async () => {
    const many = Array.from({ length: 450 }, (_, i) => sampleCredential(1000 + i));
    const big = await issueFinalBatch(fx, many);
    const res = await archive(big.accepted.id);
    expect(res.statusCode).toBe(200);
    const files = unzipSync(new Uint8Array(res.rawPayload));
    expect(Object.keys(files)).toHaveLength(451);
    expect(Object.keys(files)[0]).toBe("credentials.csv");
    const rows = strFromU8(files["credentials.csv"]!).trimEnd().split("\n").slice(1);
    expect(new Set(rows.map((line) => line.split(",")[2])).size).toBe(450);
    expect(rows.at(-1)).toMatch(/^0450\.json,450,/);
    const last = parseBundle(JSON.parse(strFromU8(files["0450.json"]!)));
    expect(last.anchor.batchId).toBe(big.accepted.id);
  });

  it("refuses another issuer's batch (403), an unknown one (404) and a caller without a key (401)", async () => {
    expectError(await archive(accepted.id, await otherIssuerAuth(fx)), 403, "forbidden");
    expectError(await archive("00000000-0000-4000-8000-000000000000"), 404, "not-found");
    expectError(await archive(accepted.id, {}), 401, "unauthorized");
  });
});

describe("GET /v1/batches/:id/archive.zip before the anchor", () => {
  let fx: ServiceFixture;

  beforeAll(async () => {
    fx = await startService({ worker: false });
  });
  afterAll(async () => {
    await fx.close();
  });

  it("answers 409 not-anchored-yet while the batch is pending", async () => {
    const pending = await submitBatch(fx, [sampleCredential(5)]);
    const res = await fx.app.inject({ url: `/v1/batches/${pending.id}/archive.zip`, headers: fx.auth });
    expectError(res, 409, "not-anchored-yet");
  });

  it("finds credentials by part of the learner's name, in any case, alone or with the learner id", async () => {
    // sampleCredential(1) is Björn Novak (S100001), (13) Björn Lindqvist (S100013).
    await submitBatch(fx, [sampleCredential(1), sampleCredential(13), sampleCredential(2)]);
    const find = async (query: string) => {
      const res = await fx.app.inject({ url: `/v1/credentials?${query}`, headers: fx.auth });
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ credentials: { learner: string; learnerName: string }[] }>().credentials;
    };
    const bjorn = await find(`name=${encodeURIComponent("björn")}`);
    expect(bjorn.map((c) => c.learnerName)).toEqual(["Björn Novak", "Björn Lindqvist"]);
    expect((await find("name=CHIARA")).map((c) => c.learner)).toEqual(["S100002"]);
    expect((await find(`name=${encodeURIComponent("björn")}&learner=S100013`)).map((c) => c.learner)).toEqual([
      "S100013",
    ]);
    expect(await find("name=Nobody")).toEqual([]);
    const other = await otherIssuerAuth(fx);
    const theirs = await fx.app.inject({ url: "/v1/credentials?name=Novak", headers: other });
    expect(theirs.json<{ credentials: unknown[] }>().credentials).toEqual([]);
  });
});
