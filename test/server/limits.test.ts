import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { redactUrl } from "../../server/app";
import { MAX_BUNDLE_TEXT, MAX_PRESENTATION_BUNDLES, MAX_PRESENTATION_TEXT, parsePresentation } from "../../src";
import { type ServiceFixture, startService } from "../support/service";
import { type AcceptedBatch, expectError, fetchBundle, issueFinalBatch } from "./helpers";

/** A JSON document of exactly `bytes` bytes (a string, not a bundle: the limit is checked before parsing). */
const jsonOf = (bytes: number) => `"${"a".repeat(bytes - 2)}"`;

describe("limits and leaks", () => {
  let fx: ServiceFixture;
  let final: AcceptedBatch;
  const lines: string[] = [];

  beforeAll(async () => {
    fx = await startService({
      logger: { level: "info", stream: { write: (line: string) => void lines.push(line) } },
    });
    ({ accepted: final } = await issueFinalBatch(fx, [sampleCredential(0)]));
  });
  afterAll(async () => {
    await fx.close();
  });

  describe("12: body limits sized to what each public route can receive", () => {
    const post = (url: string, payload: string) =>
      fx.app.inject({ method: "POST", url, payload, headers: { "content-type": "application/json" } });

    it.each([
      ["/v1/verify", MAX_BUNDLE_TEXT, "the bundle"],
      ["/v1/verify/presentation", MAX_PRESENTATION_TEXT, "the presentation"],
    ])("%s answers 413 for a body one byte over %i bytes, naming the limit", async (url, limit, name) => {
      const body = expectError(await post(url, jsonOf(limit + 1)), 413, "body-too-large");
      expect(body.message).toBe(`${name} is larger than this route accepts (${limit} bytes)`);
      // At the limit the body is read and checked (not a bundle: 400), never refused for its size.
      expect((await post(url, jsonOf(limit))).statusCode).toBe(400);
    });

    it("sizes the presentation limit to 2 MiB, room for the most bundles a presentation holds", async () => {
      expect(MAX_PRESENTATION_TEXT).toBe(2 * 1024 * 1024);
      const bundle = await fetchBundle(fx, final.credentials[0]!.id);
      // A bundle of a batch of 2^20 credentials carries 19 more proof hashes (≈ 43 characters each).
      const big = JSON.stringify(bundle).length + 19 * 44;
      expect(big * MAX_PRESENTATION_BUNDLES * 2).toBeLessThan(MAX_PRESENTATION_TEXT);
      expect(() => parsePresentation(jsonOf(MAX_PRESENTATION_TEXT + 1))).toThrow(/larger than 2097152 characters/);
    });
  });

  describe("17: credential ids stay out of info-level request logs", () => {
    it("redacts /v1/credentials/:id/… and /v/:id", () => {
      expect(redactUrl("/v1/credentials/abc123/bundle?hide=learner.email")).toBe(
        "/v1/credentials/[redacted]/bundle?hide=learner.email",
      );
      expect(redactUrl("/v/abc123?hide=x")).toBe("/v/[redacted]?hide=x");
      expect(redactUrl("/v/abc123")).toBe("/v/[redacted]");
      expect(redactUrl("/v1/verify")).toBe("/v1/verify");
    });

    it("logs the requests with the id replaced", async () => {
      const id = final.credentials[0]!.id;
      lines.length = 0;
      for (const url of [
        `/v1/credentials/${id}/bundle`,
        `/v1/credentials/${id}/share?hide=learner.email`,
        `/v1/credentials/${id}/qr.svg`,
        `/v/${id}`,
      ]) {
        await fx.app.inject({ url });
      }
      const logged = lines.join("");
      expect(logged).toContain("/v1/credentials/[redacted]/bundle");
      expect(logged).toContain("/v/[redacted]");
      expect(logged).not.toContain(id);
    });
  });
});
