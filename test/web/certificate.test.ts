import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PDFArray, PDFDict, PDFDocument, PDFName } from "pdf-lib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import type { Bundle } from "../../src";
import { bundleFromPdf } from "../../src/certificate";
import { buildWeb } from "../../server/web/build";
import { issueFinalBatch } from "../server/helpers";
import { scanQr } from "../src/certificate/pdf-reader";
import { type Browser, launchChromium, openPage, verdictOf } from "../support/browser";
import { type ServiceFixture, startService } from "../support/service";

const LEARNER = "Zoë Ørsted";

/** `pdf` with its attachment swapped for `bundle`, what the page prints left as it was. */
async function withAttachment(pdf: Uint8Array, bundle: Bundle): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf);
  const names = doc.catalog
    .lookup(PDFName.of("Names"), PDFDict)
    .lookup(PDFName.of("EmbeddedFiles"), PDFDict)
    .lookup(PDFName.of("Names"), PDFArray);
  const files = names.lookup(1, PDFDict).lookup(PDFName.of("EF"), PDFDict);
  const stream = doc.context.flateStream(new TextEncoder().encode(JSON.stringify(bundle)));
  files.set(PDFName.of("F"), doc.context.register(stream));
  return Buffer.from(await doc.save());
}

describe("web verifier page with a certificate PDF, in Chromium", () => {
  let browser: Browser;
  let fx: ServiceFixture;
  let site: string;
  let rpc: string;
  let certificate: Buffer;
  let disclosed: Buffer;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    const webDir = join(mkdtempSync(join(tmpdir(), "credroot-web-")), "dist");
    cleanups.push(() => {
      rmSync(join(webDir, ".."), { recursive: true, force: true });
      return Promise.resolve();
    });
    await buildWeb({ outDir: webDir });
    fx = await startService({ webDir });
    cleanups.push(() => fx.close());
    await fx.app.listen({ host: "127.0.0.1", port: 0 });
    const address = fx.app.server.address();
    site = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    rpc = new URL(fx.chain.url).origin;
    const { accepted } = await issueFinalBatch(fx, [
      sampleCredential(0, { learner: { name: LEARNER, email: "zoe@example.org" } }),
    ]);
    const id = accepted.credentials[0]!.id;
    const fetchPdf = async (query: string) => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id}/certificate.pdf${query}` });
      expect(res.statusCode, res.body.slice(0, 200)).toBe(200);
      return res.rawPayload;
    };
    certificate = await fetchPdf("");
    disclosed = await fetchPdf("?hide=learner.email");
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  const pick = (page: Page, name: string, buffer: Buffer) =>
    page.getByTestId("file-input").setInputFiles({ name, mimeType: "application/pdf", buffer });

  async function drop(page: Page, name: string, buffer: Buffer): Promise<void> {
    const dataTransfer = await page.evaluateHandle(
      ({ bytes, fileName }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(bytes)], fileName, { type: "application/pdf" }));
        return transfer;
      },
      { bytes: [...buffer], fileName: name },
    );
    await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer });
  }

  const field = (page: Page, pointer: string) => page.locator(`[data-testid=field][data-pointer="${pointer}"]`);

  it("says Valid for a picked certificate PDF, verifying its attached bundle against the chain in the browser", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    expect(await page.getByTestId("file-input").getAttribute("accept")).toContain("application/pdf");
    await pick(page, "certificate.pdf", certificate);
    expect(await verdictOf(page)).toEqual({ code: "valid", text: "Valid" });
    expect(await page.getByTestId("credential-title").textContent()).toBe(sampleCredential(0).title);
    expect(await field(page, "/learner/name").textContent()).toBe(LEARNER);
    expect(await page.getByTestId("awarding-body").textContent()).toBe("Test University");
    expect(requests.some((r) => r.method === "POST" && r.url.startsWith(rpc))).toBe(true);
    expect(requests.filter((r) => r.url.includes("/v1/"))).toEqual([]);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/verifier-certificate-pdf.png", fullPage: true });
    await page.close();
  });

  it("says Valid for a dropped certificate of a disclosed copy, with the hidden field shown as hidden", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await drop(page, "shared.pdf", disclosed);
    expect((await verdictOf(page)).code).toBe("valid");
    expect(await field(page, "/learner/email").getAttribute("data-hidden")).toBe("true");
    expect(await page.getByTestId("details").innerText()).not.toContain("zoe@example.org");
    await page.close();
  });

  it("opens the certificate's QR code link and says Valid: the page accepts what the code carries", async () => {
    const link = (await scanQr(disclosed))!;
    expect(link.startsWith(`${site}/#b=`)).toBe(true);
    const { page } = await openPage(browser.context, link);
    expect((await verdictOf(page)).code).toBe("valid");
    expect(await field(page, "/learner/name").textContent()).toBe(LEARNER);
    await page.close();
  });

  it("says not valid for a PDF whose attachment was swapped, whatever the PDF prints", async () => {
    const forged = structuredClone(await bundleFromPdf(certificate));
    forged.credential.title = "Doctorate in Everything";
    const { page } = await openPage(browser.context, `${site}/`);
    await pick(page, "forged.pdf", await withAttachment(certificate, forged));
    expect((await verdictOf(page)).code).toBe("tampered");
    expect(await page.getByTestId("details").innerText()).not.toContain("Doctorate in Everything");
    await page.close();
  });

  it("says in a sentence why a PDF without the bundle, or a damaged one, cannot be checked", async () => {
    const plain = await PDFDocument.create();
    plain.addPage();
    for (const [buffer, message] of [
      [
        Buffer.from(await plain.save()),
        "This PDF has no credroot-bundle.json attached: it is not a credroot certificate.",
      ],
      [Buffer.from("%PDF-1.7\n%garbage\n"), /^This PDF (cannot be read|has no credroot-bundle\.json attached)/],
    ] as const) {
      const { page } = await openPage(browser.context, `${site}/`);
      await pick(page, "other.pdf", buffer);
      expect((await verdictOf(page)).code).toBe("error");
      const error = page.getByTestId("error");
      expect(await error.isVisible()).toBe(true);
      expect(await error.textContent()).toMatch(message);
      await page.close();
    }
  });
});
