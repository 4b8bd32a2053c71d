import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyBundle } from "../../../src";
import { bundleFromPdf } from "../../../src/certificate";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type ServiceFixture, startService, waitFor } from "../../support/service";
import { bundleOfLink, decodedObjects, pdfText, scanQr } from "../../src/certificate/pdf-reader";
import { type AcceptedBatch, expectError, fetchBundle, issueFinalBatch, submitBatch } from "../helpers";

/** A description that does not compress: with it the bundle cannot ride in a QR code. */
const NOISE = Array.from({ length: 1000 }, (_, i) => ((i * 2654435761) % 1679616).toString(36).padStart(4, "0"))
  .join("")
  .slice(0, 4000);

describe("GET /v1/credentials/:id/certificate.pdf", () => {
  let fx: ServiceFixture;
  /** Same chain, no worker: its batches stay pending. */
  let idle: ServiceFixture;
  let batch: AcceptedBatch;
  let pending: AcceptedBatch;
  const base = () => `http://${fx.config.host}:${fx.config.port}`;
  const id = (i: number) => batch.credentials[i]!.id;
  const get = (path: string) => fx.app.inject({ url: path });

  beforeAll(async () => {
    fx = await startService();
    idle = await startService({ registry: fx, worker: false });
    ({ accepted: batch } = await issueFinalBatch(fx, [
      sampleCredential(0, { learner: { name: "Zoë Ørsted", email: "zoe@example.org" } }),
      sampleCredential(1, { description: NOISE }),
      sampleCredential(2),
    ]));
    pending = await submitBatch(idle, [sampleCredential(3)]);
  });
  afterAll(async () => {
    await idle.close();
    await fx.close();
  });

  it("answers 200 with a PDF whose attached bundle is the bundle route's, names the chain's issuer, and verifies", async () => {
    const res = await get(`/v1/credentials/${id(0)}/certificate.pdf`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(res.headers["content-type"]).toBe("application/pdf");
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="certificate-${id(0)}.pdf"`);
    expect(res.headers["cache-control"]).toBe("no-store");
    const pdf = res.rawPayload;
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    const bundle = await bundleFromPdf(pdf);
    expect(bundle).toEqual(await fetchBundle(fx, id(0)));
    expect((await verifyBundle(bundle, { chains: fx.trusted })).verdict).toBe("valid");
    const text = await pdfText(pdf);
    expect(text).toContain("Zoë Ørsted");
    expect(text).toContain("Test University");
    const scanned = (await scanQr(pdf))!;
    expect(scanned.startsWith(`${base()}/#b=`)).toBe(true);
    expect(bundleOfLink(scanned)).toEqual(bundle);
  });

  it("makes the certificate of the disclosed copy with ?hide=, the hidden value nowhere in it", async () => {
    const res = await get(`/v1/credentials/${id(0)}/certificate.pdf?hide=learner.email,learner.email`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    const bundle = await bundleFromPdf(res.rawPayload);
    expect(bundle).toEqual(await fetchBundle(fx, id(0), "learner.email"));
    expect(await pdfText(res.rawPayload)).not.toContain("zoe@example.org");
    expect((await decodedObjects(res.rawPayload)).includes("zoe@example.org"), "email in the PDF").toBe(false);
  });

  it("puts the share link in the QR code when the bundle is too large for one", async () => {
    const res = await get(`/v1/credentials/${id(1)}/certificate.pdf?hide=learner.email`);
    expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
    expect(await scanQr(res.rawPayload)).toBe(`${base()}/v/${id(1)}?hide=learner.email`);
    expect((await bundleFromPdf(res.rawPayload)).credential.description).toBe(NOISE);
  });

  it("answers 404 for an unknown id, 409 before the batch is anchored, 400 for a field that cannot be hidden", async () => {
    expectError(await get("/v1/credentials/nope/certificate.pdf"), 404, "not-found");
    const notYet = await idle.app.inject({ url: `/v1/credentials/${pending.credentials[0]!.id}/certificate.pdf` });
    expectError(notYet, 409, "not-anchored-yet");
    expect(
      expectError(await get(`/v1/credentials/${id(0)}/certificate.pdf?hide=nope`), 400, "invalid-argument").message,
    ).toContain("no field /nope");
    expectError(await get(`/v1/credentials/${id(0)}/certificate.pdf?hide=title`), 400, "invalid-argument");
  });

  it("names the issuer as the registry records it now, and makes no certificate once the credential is revoked", async () => {
    await fx.accreditor.updateIssuer(fx.issuerId, "Universiteit van Voorbeeld", "https://uni.example.org");
    try {
      const renamed = await get(`/v1/credentials/${id(2)}/certificate.pdf`);
      expect(await pdfText(renamed.rawPayload)).toContain("Universiteit van Voorbeeld");
    } finally {
      await fx.accreditor.updateIssuer(fx.issuerId, "Test University", "https://uni.test");
    }
    const revoke = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${id(2)}/revoke`,
      headers: fx.auth,
      payload: { reason: "issued in error" },
    });
    expect(revoke.statusCode, revoke.body).toBe(202);
    const refused = await waitFor(
      async () => {
        const res = await get(`/v1/credentials/${id(2)}/certificate.pdf`);
        if (res.statusCode === 409) return res;
        await fx.mine();
        return undefined;
      },
      20_000,
      "the revocation to be recorded",
    );
    expect(expectError(refused, 409, "not-valid").message).toBe(
      "the credential is revoked: no certificate is made of it",
    );
  });
});
