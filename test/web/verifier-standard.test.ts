import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { buildWeb } from "../../server/web/build";
import { bakePng, defaultBadgePng, extractBakedCredential, OB3_SVG_NAMESPACE } from "../../src/standard/baked";
import { fetchBundle, issueFinalBatch } from "../server/helpers";
import { BADGE_SEED, recordedKey } from "../server/routes/badges-fixture";
import { seriousViolations, WIDTHS } from "../support/axe";
import { type Browser, launchChromium, openPage, type SeenRequest, verdictOf } from "../support/browser";
import { type ServiceFixture, startService } from "../support/service";

describe("web verifier page in Chromium: signed credentials and baked badges", () => {
  let browser: Browser;
  let fx: ServiceFixture;
  let site: string;
  let webDir: string;
  const forms: Record<string, Buffer> = {};
  let bundleJson: string;
  const title = sampleCredential(0).title;

  beforeAll(async () => {
    browser = await launchChromium();
    webDir = join(mkdtempSync(join(tmpdir(), "credroot-web-")), "dist");
    await buildWeb({ outDir: webDir });
    fx = await startService({ webDir, env: { ISSUER_SIGNING_KEY: BADGE_SEED } });
    await recordedKey(fx);
    await fx.app.listen({ host: "127.0.0.1", port: 0 });
    const address = fx.app.server.address();
    site = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(0)]);
    const id = accepted.credentials[0]!.id;
    for (const [name, path] of [
      ["json", "credential?format=ob3"],
      ["jwt", "credential?format=jwt"],
      ["png", "badge.png"],
      ["svg", "badge.svg"],
      ["sd-jwt", "credential?format=sd-jwt&hide=learner.email"],
    ] as const) {
      const res = await fx.app.inject({ url: `/v1/credentials/${id}/${path}` });
      expect(res.statusCode, res.body).toBe(200);
      forms[name] = res.rawPayload;
    }
    bundleJson = JSON.stringify(await fetchBundle(fx, id));
  });
  afterAll(async () => {
    await fx.close();
    await browser.close();
    if (webDir) rmSync(join(webDir, ".."), { recursive: true, force: true });
  });

  const paste = async (page: Page, text: string) => {
    await page.getByTestId("paste-input").fill(text);
    await page.getByTestId("paste-verify").click();
  };
  const pick = (page: Page, name: string, mimeType: string, buffer: Buffer) =>
    page.getByTestId("file-input").setInputFiles({ name, mimeType, buffer });
  const standardChunk = (requests: SeenRequest[]) => requests.some((r) => /\/chunks\/standard-[\w-]+\.js$/.test(r.url));
  const signedCheck = (page: Page, name: string) =>
    page.locator(`[data-testid=signed-checks] [data-check=${name}]`).getAttribute("data-ok");

  it("verifies a pasted OB 3.0 credential and a pasted JWT in the browser, loading the JSON-LD chunk for them", async () => {
    for (const text of [forms.json!.toString("utf8"), forms.jwt!.toString("utf8")]) {
      const { page, requests } = await openPage(browser.context, `${site}/`);
      expect(standardChunk(requests)).toBe(false);
      await paste(page, text);
      expect(await verdictOf(page)).toEqual({ code: "valid", text: "Valid" });
      expect(await page.getByTestId("credential-title").textContent()).toBe(title);
      expect(await signedCheck(page, "signature")).toBe("true");
      expect(await signedCheck(page, "issuer-key")).toBe("true");
      expect(standardChunk(requests)).toBe(true);
      expect(requests.some((r) => r.url.includes("/v1/verify"))).toBe(false);
      await page.close();
    }
  });

  it("verifies a pasted SD-JWT VC in the browser, the field its holder dropped shown as hidden", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    await paste(page, forms["sd-jwt"]!.toString("utf8"));
    expect(await verdictOf(page)).toEqual({ code: "valid", text: "Valid" });
    expect(await page.getByTestId("credential-title").textContent()).toBe(title);
    expect(await signedCheck(page, "signature")).toBe("true");
    expect(await signedCheck(page, "issuer-key")).toBe("true");
    expect(await page.locator("body").textContent()).not.toContain(sampleCredential(0).learner.email!);
    expect(requests.some((r) => r.url.includes("/v1/verify"))).toBe(false);
    await page.close();
  });

  it("verifies a picked PNG badge and a picked SVG badge, which the file picker offers", async () => {
    for (const [name, type] of [
      ["badge.png", "image/png"],
      ["badge.svg", "image/svg+xml"],
    ] as const) {
      const { page } = await openPage(browser.context, `${site}/`);
      // A phone's picker shows only what `accept` names: a badge must be pickable, not only droppable.
      const accept = (await page.getByTestId("file-input").getAttribute("accept"))!.split(",");
      expect(accept).toEqual(expect.arrayContaining([`.${name.slice(-3)}`, type]));
      await pick(page, name, type, forms[name.slice(-3)]!);
      expect((await verdictOf(page)).code).toBe("valid");
      expect(await page.getByTestId("credential-title").textContent()).toBe(title);
      await page.close();
    }
  });

  it("never loads the JSON-LD chunk for a credroot bundle", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    await paste(page, bundleJson);
    expect((await verdictOf(page)).code).toBe("valid");
    expect(standardChunk(requests)).toBe(false);
    await page.close();
  });

  it("says tampered for a PNG badge whose credential was edited, and shows none of its claims", async () => {
    const { text } = extractBakedCredential(new Uint8Array(forms.png!));
    const edited = text.replaceAll(title, "Doctorate in Everything");
    const { page } = await openPage(browser.context, `${site}/`);
    await pick(page, "edited.png", "image/png", Buffer.from(bakePng(defaultBadgePng(), edited)));
    expect((await verdictOf(page)).code).toBe("tampered");
    expect(await page.getByTestId("details").textContent()).not.toContain("Doctorate in Everything");
    await page.close();
  });

  it("says what it reads for JSON-LD that is no credential, never '/@context is not a known field'", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify({ "@context": ["https://www.w3.org/ns/credentials/v2"], type: ["Thing"] }));
    expect((await verdictOf(page)).code).toBe("error");
    const message = (await page.getByTestId("error").textContent()) ?? "";
    expect(message).toMatch(/^This is not a credential credroot can check: it reads a credroot bundle/);
    expect(message).not.toMatch(/known field/);
    await page.close();
  });

  it("serves an SVG badge Chromium's own XML parser reads: one credential element, the JSON inside", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    const found = await page.evaluate(
      ([svg, ns]) => {
        const doc = new DOMParser().parseFromString(svg!, "image/svg+xml");
        const elements = doc.getElementsByTagNameNS(ns!, "credential");
        return {
          errors: doc.getElementsByTagName("parsererror").length,
          count: elements.length,
          text: elements[0]?.textContent,
        };
      },
      [forms.svg!.toString("utf8"), OB3_SVG_NAMESPACE],
    );
    expect(found.errors).toBe(0);
    expect(found.count).toBe(1);
    expect(JSON.parse(found.text!)).toMatchObject({ type: ["VerifiableCredential", "OpenBadgeCredential"] });
    await page.close();
  });

  it.each(WIDTHS)("has no serious accessibility problem showing a verified badge at %i px", async (width) => {
    const { page } = await openPage(browser.context, `${site}/`);
    await page.setViewportSize({ width, height: 900 });
    await pick(page, "badge.png", "image/png", forms.png!);
    expect((await verdictOf(page)).code).toBe("valid");
    expect(await seriousViolations(page)).toEqual([]);
    await page.close();
  });
});
