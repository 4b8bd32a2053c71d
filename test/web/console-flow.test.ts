import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strFromU8, unzipSync } from "fflate";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { credentialsCsv } from "../../harness/credentials-csv";
import { sampleCredential } from "../../scripts/lib/samples";
import { parseApiKey } from "../../server/keys";
import { buildWeb } from "../../server/web/build";
import { parseBundle, verifyBundle } from "../../src";
import { bundleFromPdf } from "../../src/certificate";
import { issueFinalBatch } from "../server/helpers";
import { seriousViolations, WIDTHS } from "../support/axe";
import { type Browser, launchChromium, openPage, type SeenRequest, verdictOf } from "../support/browser";
import { type ServiceFixture, startService } from "../support/service";

/** Screenshots of every console view at both widths: kept by CI as artifacts (test-results/ is git-ignored). */
const SHOTS = join(__dirname, "../../test-results/console");

const REASON = "Issued in error: the learner did not sit the exam";

/** Three credentials; row 2 (line 3 of the file) has a date a registrar might type. */
function uploadCsv(): string {
  const lines = credentialsCsv([0, 1, 2].map((i) => sampleCredential(i))).split("\n");
  lines[2] = lines[2]!.replace("2026-06-30", "30/06/2026");
  return lines.join("\n");
}

describe("issuer console in Chromium: the registrar's whole flow", () => {
  let browser: Browser;
  let fx: ServiceFixture;
  let site: string;
  const logs: string[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    const webDir = join(mkdtempSync(join(tmpdir(), "credroot-console-")), "dist");
    cleanups.push(() => {
      rmSync(join(webDir, ".."), { recursive: true, force: true });
      return Promise.resolve();
    });
    await buildWeb({ outDir: webDir });
    // The service logs every request, to show the key is in none of them.
    fx = await startService({
      webDir,
      logger: { level: "info", stream: { write: (line: string) => logs.push(line) } },
    });
    cleanups.push(() => fx.close());
    await fx.app.listen({ host: "127.0.0.1", port: 0 });
    const address = fx.app.server.address();
    site = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** axe-core at both widths, and a full-page screenshot of each: `view` names the files. */
  async function checkView(page: Page, view: string): Promise<void> {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      expect(await seriousViolations(page), `${view} at ${width} px`).toEqual([]);
      const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(scroll, `${view} at ${width} px scrolls sideways`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: join(SHOTS, `${view}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  /** Mines blocks until `check` holds: the local chain only mines on transactions. */
  async function mineUntil(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await fx.mine();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it("signs in, fixes a bad row in place, issues, finds, prints and revokes a credential", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/console`);
    await checkView(page, "1-sign-in");

    // Sign in: the key stays in this tab's sessionStorage.
    await page.getByTestId("signin-key").fill(fx.apiKey);
    await page.getByTestId("signin-button").click();
    await page.getByTestId("console").waitFor({ state: "visible" });
    expect(await page.evaluate(() => sessionStorage.getItem("credroot-console-key"))).toBe(fx.apiKey);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);

    // Upload a CSV with one bad row: the row and the column are named, the cell marked, nothing stored.
    await page
      .getByTestId("upload-file")
      .setInputFiles({ name: "spring.csv", mimeType: "text/csv", buffer: Buffer.from(uploadCsv()) });
    const problem = page.getByTestId("problem");
    await problem.first().waitFor();
    expect(await problem.count()).toBe(1);
    const words = (await problem.textContent()) ?? "";
    expect(words).toContain("Row 2 (line 3), column issuedOn");
    const cell = page.locator('[data-testid=cell][data-row="2"][data-column="issuedOn"]');
    expect(await cell.getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByTestId("upload-submit").isDisabled()).toBe(true);
    expect(await fx.store.countBatches(fx.issuerId)).toBe(0);
    await checkView(page, "2-upload-problem");

    // Fix the cell (from the problem's own button), check again, submit.
    await page.getByTestId("problem-go").click();
    expect(await cell.evaluate((node) => node === document.activeElement)).toBe(true);
    await cell.fill("2026-06-30");
    await page.getByTestId("upload-check").click();
    await page.getByText("All 3 credentials are valid").waitFor();
    await page.getByTestId("upload-submit").click();

    // Watch it go to final, live.
    const watch = page.getByTestId("watch");
    await watch.waitFor({ state: "visible" });
    const seen = new Set<string>();
    await mineUntil(async () => {
      const status = (await watch.getAttribute("data-status")) ?? "";
      seen.add(status);
      return status === "final";
    }, "the batch to become final");
    expect([...seen].at(-1)).toBe("final");
    expect(await page.locator("#watch-steps li[data-done=true]").count()).toBe(4);
    await page.locator("[data-testid=batch-row][data-status=final]").waitFor();
    const rowText = (await page.getByTestId("batch-row").textContent()) ?? "";
    expect(rowText).toContain("Final");
    expect(rowText).toContain("3");
    await checkView(page, "3-issued");

    // Every bundle and credentials.csv as one zip; a bundle from it verifies.
    const zipping = page.waitForEvent("download");
    await page.getByTestId("batch-zip").click();
    const zip = unzipSync(new Uint8Array(readFileSync(await (await zipping).path())));
    expect(Object.keys(zip).sort()).toEqual(["0001.json", "0002.json", "0003.json", "credentials.csv"]);
    const fromZip = parseBundle(JSON.parse(strFromU8(zip["0003.json"]!)));
    expect((await verifyBundle(fromZip, { chains: fx.trusted })).verdict).toBe("valid");

    // Find one learner's credential by name; share link, QR code, certificate.
    await page.getByTestId("find-by").selectOption("name");
    await page.getByTestId("find-text").fill("björn");
    await page.getByTestId("find-button").click();
    const result = page.getByTestId("result");
    await result.first().waitFor();
    expect(await result.count()).toBe(1);
    expect(await result.textContent()).toContain("Björn Novak");
    const credentialId = (await result.getAttribute("data-id"))!;
    await page.getByTestId("result-share").click();
    expect(await page.getByTestId("share-url").inputValue()).toBe(`${site}/v/${credentialId}`);
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>("[data-testid=share-qr]");
      return img !== null && img.complete && img.naturalWidth > 0;
    });
    const printing = page.waitForEvent("download");
    await page.getByTestId("result-certificate").click();
    const pdf = readFileSync(await (await printing).path());
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    const printed = await bundleFromPdf(new Uint8Array(pdf));
    expect(printed.anchor.batchId).toBe(fromZip.anchor.batchId);
    await checkView(page, "4-found");

    // Revoke it with a reason, after a confirmation.
    await page.getByTestId("result-revoke").click();
    const dialog = page.getByTestId("revoke-dialog");
    await dialog.waitFor({ state: "visible" });
    expect(await page.getByTestId("revoke-what").textContent()).toContain("Björn Novak");
    await checkView(page, "5-confirm-revocation");
    await page.getByTestId("revoke-reason").fill(REASON);
    await page.getByTestId("revoke-confirm").click();
    await page.getByText("Revocation on its way to the blockchain").waitFor();

    // The verifier page then says revoked, with the reason.
    await mineUntil(async () => {
      const [found] = await fx.store.findCredentials(fx.issuerId, { learner: "S100001" }, 1);
      const ops = found ? await fx.store.opsOfBatch(found.batchId) : [];
      return ops.some((op) => op.kind !== "anchor" && (op.status === "mined" || op.status === "final"));
    }, "the revocation to be mined");
    const { page: verifier } = await openPage(browser.context, `${site}/v/${credentialId}`);
    const verdict = await verdictOf(verifier, "revoked");
    expect(verdict.text).toMatch(/revoked/i);
    await verifier.waitForFunction(
      () => document.querySelector("[data-testid=revocation-reason]")?.getAttribute("data-state") === "credential",
    );
    expect(await verifier.getByTestId("revocation-reason").textContent()).toContain(REASON);
    await verifier.close();

    // The key was never in a URL the page asked for, nor in any line the service logged.
    expect(requests.length).toBeGreaterThan(10);
    expect(requests.filter((r: SeenRequest) => r.url.includes(fx.apiKey))).toEqual([]);
    expect(logs.length).toBeGreaterThan(10);
    expect(logs.filter((line) => line.includes(fx.apiKey))).toEqual([]);
    const { secret } = parseApiKey(fx.apiKey)!;
    expect(logs.filter((line) => line.includes(secret))).toEqual([]);
    await page.close();
  });

  /** Presses Tab (or `key`) until the element with `testId` has the focus (at most `max` times). */
  async function tabTo(page: Page, testId: string, max = 40, key = "Tab"): Promise<void> {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(key);
      const focused = await page.evaluate(() => document.activeElement?.getAttribute("data-testid") ?? "");
      if (focused === testId) return;
    }
    throw new Error(`${testId} was not reached with Tab`);
  }

  it("works with the keyboard alone: sign in, find, revoke with a reason, cancel with Escape, sign out", async () => {
    await issueFinalBatch(fx, [sampleCredential(26), sampleCredential(27)]);
    const { page } = await openPage(browser.context, `${site}/console`);
    await tabTo(page, "signin-key");
    await page.keyboard.type("crk_not-a-real-key");
    await page.keyboard.press("Enter");
    await page.getByText("The service refused this key").waitFor();
    await page.keyboard.type(fx.apiKey); // focus stays on the cleared key field
    await page.keyboard.press("Enter");
    await page.getByTestId("console").waitFor({ state: "visible" });

    // sampleCredential(26) is Chiara Rossi.
    await tabTo(page, "find-text");
    await page.keyboard.type("chiara ross");
    await page.keyboard.press("Enter");
    await page.getByTestId("result").first().waitFor();
    expect(await page.getByTestId("result").count()).toBe(1);

    await tabTo(page, "result-revoke");
    await page.keyboard.press("Enter");
    await page.getByTestId("revoke-dialog").waitFor({ state: "visible" });
    await page.keyboard.press("Escape");
    await page.getByTestId("revoke-dialog").waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-testid"))).toBe("result-revoke");
    expect(await page.getByTestId("result-status").textContent()).toBe("");

    await page.keyboard.press("Enter");
    await page.getByTestId("revoke-dialog").waitFor({ state: "visible" });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("revoke-reason");
    await page.keyboard.type("Duplicate of an earlier award");
    await tabTo(page, "revoke-confirm", 3);
    await page.keyboard.press("Enter");
    await page.getByText("Revocation on its way to the blockchain").waitFor();

    await tabTo(page, "signout", 40, "Shift+Tab");
    await page.keyboard.press("Enter");
    await page.getByTestId("signin").waitFor({ state: "visible" });
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  it("creates a named API key shown once, lists it and revokes it, after which the service refuses it", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/console`);
    await page.getByTestId("signin-key").fill(fx.apiKey);
    await page.getByTestId("signin-button").click();
    await page.getByTestId("console").waitFor({ state: "visible" });
    await page.getByTestId("keys-name").fill("student records system");
    await page.getByTestId("keys-create").click();
    const secret = page.getByTestId("keys-secret");
    await secret.waitFor({ state: "visible" });
    const created = await secret.inputValue();
    const { id } = parseApiKey(created)!;
    const row = page.locator(`[data-testid=key-row][data-key="${id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("student records system");
    expect(await page.getByTestId("keys-table").textContent()).not.toContain(parseApiKey(created)!.secret);
    await checkView(page, "6-api-keys");

    page.once("dialog", (dialog) => void dialog.accept());
    await row.getByTestId("key-revoke").click();
    await page.getByText("Key “student records system” revoked.").waitFor();
    expect(await row.textContent()).toContain("Revoked");
    expect(
      (await fx.app.inject({ url: "/v1/batches", headers: { authorization: `Bearer ${created}` } })).statusCode,
    ).toBe(401);
    expect(requests.filter((r) => r.url.includes(created) || r.url.includes(fx.apiKey))).toEqual([]);
    expect(logs.filter((line) => line.includes(created))).toEqual([]);
    await page.close();
  });

  it("names each bad field of a JSON upload, takes the corrected file, and revokes the whole batch with a reason", async () => {
    const { page } = await openPage(browser.context, `${site}/console`);
    await page.getByTestId("signin-key").fill(fx.apiKey);
    await page.getByTestId("signin-button").click();
    await page.getByTestId("console").waitFor({ state: "visible" });
    const json = (credentials: unknown[]) => ({
      name: "autumn.json",
      mimeType: "application/json",
      buffer: Buffer.from(JSON.stringify({ credentials })),
    });
    const good = [sampleCredential(40), sampleCredential(41)];
    await page.getByTestId("upload-file").setInputFiles(json([good[0], { ...good[1], eqfLevel: 12 }]));
    await page.getByTestId("problem").first().waitFor();
    expect(await page.getByTestId("problem").textContent()).toContain("Row 2, field eqfLevel");
    expect(await page.getByTestId("upload-table").textContent()).toBe("");

    await page.getByTestId("upload-file").setInputFiles(json(good));
    await page.getByText("All 2 credentials are valid").waitFor();
    expect(await page.getByTestId("problem").count()).toBe(0);
    await page.getByTestId("upload-submit").click();
    const watch = page.getByTestId("watch");
    await mineUntil(async () => (await watch.getAttribute("data-status")) === "final", "the JSON batch to be final");

    const batchId = (await page.getByTestId("upload-status").textContent())!.match(/batch ([0-9a-f-]{36})/)![1]!;
    const row = page.locator(`[data-testid=batch-row][data-batch="${batchId}"]`);
    await row.locator("[data-testid=batch-revoke]").click();
    await page.getByTestId("revoke-dialog").waitFor({ state: "visible" });
    expect(await page.getByTestId("revoke-what").textContent()).toContain("2 credentials");
    await page.getByTestId("revoke-reason").fill("Exam session annulled");
    await page.getByTestId("revoke-confirm").click();
    await page.getByText(`The revocation of batch ${batchId} is on its way`).waitFor();
    await mineUntil(async () => (await fx.store.getBatch(batchId))?.status === "revoked", "the batch to be revoked");
    await page.getByTestId("batches-refresh").click();
    await page.locator(`[data-testid=batch-row][data-batch="${batchId}"][data-status=revoked]`).waitFor();
    expect(await row.textContent()).toContain("All (Exam session annulled)");
    await page.close();
  });
});
