import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type ServiceFixture, startService } from "../../support/service";
import { type AcceptedBatch, expectError, issueFinalBatch, submitBatch } from "../helpers";

/** A valid `hide` list near the query's 2,048-character limit: fields named as pointers, again and again. */
const fields = ["/learner/email", "/assessment/grade", "/learner/identifier", "/workload/hours"];
const longHide = Array.from({ length: 120 }, (_, i) => fields[i % fields.length]!)
  .join(",")
  .slice(0, 2048)
  .replace(/,[^,]*$/, "");

describe("share links and QR codes: limits and links", () => {
  let fx: ServiceFixture;
  /** Same chain, no worker: its batches stay pending. */
  let idle: ServiceFixture;
  let final: AcceptedBatch;
  let pending: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService();
    idle = await startService({ registry: fx, worker: false });
    ({ accepted: final } = await issueFinalBatch(fx, [sampleCredential(0)]));
    pending = await submitBatch(idle, [sampleCredential(1)]);
  });
  afterAll(async () => {
    await idle.close();
    await fx.close();
  });

  const id = () => final.credentials[0]!.id;

  describe("13: a long but valid hide list", () => {
    it("fits the query limit", () => {
      expect(longHide.length).toBeGreaterThan(2000);
      expect(longHide.length).toBeLessThanOrEqual(2048);
    });

    it.each(["svg", "png"])("draws the QR code (%s) instead of answering 500", async (format) => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id()}/qr.${format}?hide=${longHide}` });
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect(res.headers["content-type"]).toBe(format === "svg" ? "image/svg+xml" : "image/png");
    });

    it("answers 400 naming the link's length when the link cannot fit any QR code", async () => {
      const long = await startService({
        registry: fx,
        worker: false,
        env: { PUBLIC_URL: `https://verify.example.edu/${"p".repeat(3000)}` },
      });
      try {
        const cid = (await submitBatch(long, [sampleCredential(2)])).credentials[0]!.id;
        const res = await long.app.inject({ url: `/v1/credentials/${cid}/qr.svg?hide=${longHide}` });
        const body = expectError(res, 400, "too-long-for-qr");
        expect(body.message).toMatch(/^the share link is \d+ characters, too long for a QR code/);
        // The share link itself is still given.
        expect((await long.app.inject({ url: `/v1/credentials/${cid}/share?hide=${longHide}` })).statusCode).toBe(200);
      } finally {
        await long.close();
      }
    });
  });

  describe("13: hide names of a credential not anchored yet", () => {
    const pendingId = () => pending.credentials[0]!.id;

    it.each(["share", "qr.svg", "qr.png"])(
      "refuses an unknown field on /%s (400), as for an anchored one",
      async (route) => {
        const res = await idle.app.inject({ url: `/v1/credentials/${pendingId()}/${route}?hide=nope` });
        expect(expectError(res, 400, "invalid-argument").message).toContain("no field /nope");
      },
    );

    it("refuses a field that must stay shown", async () => {
      expectError(
        await idle.app.inject({ url: `/v1/credentials/${pendingId()}/share?hide=title` }),
        400,
        "invalid-argument",
      );
    });

    it("still gives the link for fields that exist", async () => {
      const res = await idle.app.inject({ url: `/v1/credentials/${pendingId()}/share?hide=learner.email` });
      expect(res.statusCode, res.body).toBe(200);
    });
  });

  describe("14: without PUBLIC_URL, a forged Host header does not reach the links", () => {
    it("gives links on the service's own address, not the Host header", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id()}/share`, headers: { host: "evil.example" } });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<{ url: string; qr: string }>();
      expect(body.url).toBe(`http://127.0.0.1:3000/v/${id()}`);
      expect(body.qr).toBe(`http://127.0.0.1:3000/v1/credentials/${id()}/qr.svg`);
      expect(res.body).not.toContain("evil.example");
    });

    it("uses the port it actually listens on", async () => {
      const own = await startService({ registry: fx, worker: false, env: { PORT: "0" } });
      try {
        await own.app.listen({ host: "127.0.0.1", port: 0 });
        const port = (own.app.server.address() as { port: number }).port;
        const cid = (await submitBatch(own, [sampleCredential(3)])).credentials[0]!.id;
        const res = await fetch(`http://127.0.0.1:${port}/v1/credentials/${cid}/share`, {
          headers: { "x-forwarded-host": "evil.example" },
        });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { url: string }).url).toBe(`http://127.0.0.1:${port}/v/${cid}`);
      } finally {
        await own.close();
      }
    });

    it("refuses, telling the operator to set PUBLIC_URL, when it listens on every address", async () => {
      const wild = await startService({ registry: fx, worker: false, env: { HOST: "0.0.0.0" } });
      try {
        const cid = (await submitBatch(wild, [sampleCredential(4)])).credentials[0]!.id;
        const res = await wild.app.inject({ url: `/v1/credentials/${cid}/share`, headers: { host: "evil.example" } });
        const body = expectError(res, 500, "public-url-not-set");
        expect(body.message).toContain("set PUBLIC_URL");
        expect(res.body).not.toContain("evil.example");
        expectError(await wild.app.inject({ url: `/v1/credentials/${cid}/qr.svg` }), 500, "public-url-not-set");
      } finally {
        await wild.close();
      }
    });
  });
});
