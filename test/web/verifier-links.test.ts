import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { buildWeb } from "../../server/web/build";
import { closedPort } from "../../harness/net";
import { openPage, serveStatic, verdictOf } from "../support/browser";
import {
  base64url,
  browser,
  checks,
  cleanups,
  expectVerifiedInBrowser,
  field,
  foundation,
  foundationId,
  fx,
  paste,
  rpc,
  site,
  useVerifierPage,
} from "./verifier-fixture";

/* The web verifier page opened from links (share links, fragments) and as a static copy with its own settings. */

describe("web verifier page in Chromium", () => {
  useVerifierPage();

  it("verifies a share link /v/<id>, and marks the fields ?hide= hid", async () => {
    const { page, requests } = await openPage(
      browser.context,
      `${site}/v/${foundationId}?hide=learner.email,assessment.grade`,
    );
    expect((await verdictOf(page)).code).toBe("valid");
    expect(await page.getByTestId("credential-title").textContent()).toBe(sampleCredential(0).title);
    expect(await field(page, "/learner/email")).toEqual({ hidden: "true", text: "hidden by the holder" });
    expect(await field(page, "/assessment/grade")).toEqual({ hidden: "true", text: "hidden by the holder" });
    expect((await field(page, "/learner/name")).hidden).toBe("false");
    expect(await page.content()).not.toContain("learner0@example.org");
    expectVerifiedInBrowser(requests, [`GET /v1/credentials/${foundationId}/bundle`]);
    await page.close();
  });

  it("says a share link to an unknown credential leads nowhere, never valid", async () => {
    const { page } = await openPage(browser.context, `${site}/v/no-such-credential`);
    expect((await verdictOf(page)).code).toBe("error");
    expect(await page.getByTestId("error").textContent()).toBe(
      "This share link does not lead to a credential: credential no-such-credential not found.",
    );
    await page.close();
  });

  it("verifies a bundle carried in the link's fragment, compressed or plain, stored on no server", async () => {
    for (const data of [
      base64url(deflateRawSync(JSON.stringify(foundation))),
      base64url(Buffer.from(JSON.stringify(foundation))),
    ]) {
      const { page, requests } = await openPage(browser.context, `${site}/#b=${data}`);
      expect((await verdictOf(page)).code).toBe("valid");
      expectVerifiedInBrowser(requests);
      await page.close();
    }
  });

  it("makes a share link of what it shows (hidden fields stay hidden) that verifies on its own", async () => {
    const { page } = await openPage(browser.context, `${site}/v/${foundationId}?hide=learner.email`);
    expect((await verdictOf(page)).code).toBe("valid");
    await page.getByTestId("share-button").click();
    await page.waitForFunction(() => (document.getElementById("share-link") as HTMLInputElement).value !== "");
    const link = await page.getByTestId("share-link").inputValue();
    expect(link.startsWith(`${site}/#b=`)).toBe(true);
    await page.close();
    const opened = await openPage(browser.context, link);
    expect((await verdictOf(opened.page)).code).toBe("valid");
    expect((await field(opened.page, "/learner/email")).hidden).toBe("true");
    expectVerifiedInBrowser(opened.requests); // no bundle fetched from the service
    await opened.page.close();
  });

  it.each([
    // Issue 13: one sentence saying what the page reads (signed credentials and badges too).
    ["text that is not JSON", "hello", "This is not a credential credroot can check: it reads a credroot bundle"],
    ["an empty paste", "   ", "There is nothing to check: the text is empty."],
    [
      "JSON that is not a bundle",
      '{"type":"credroot/bundle","version":3}',
      "This is not a credroot credential: invalid bundle",
    ],
    ["a presentation of nothing", '{"type":"credroot/presentation","version":2,"bundles":[]}', "invalid presentation"],
  ])("says clearly that %s is not a credential", async (_what, text, message) => {
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, text);
    expect(await verdictOf(page)).toEqual({ code: "error", text: "Could not read this: it is not a credential" });
    expect(await page.getByTestId("error").textContent()).toContain(message);
    expect(await page.getByTestId("credential-card").count()).toBe(0);
    await page.close();
  });

  it.each([
    ["damaged base64url", "%%%", "This link is damaged: its data is not base64url."],
    ["data that does not unpack", base64url(Buffer.from("not deflate data")), "could not be unpacked"],
    ["JSON that is not a bundle", base64url(Buffer.from('{"hello":1}')), "This is not a credroot credential"],
  ])("says clearly that a fragment with %s is not a credential", async (_what, data, message) => {
    const { page } = await openPage(browser.context, `${site}/#b=${data}`);
    expect((await verdictOf(page)).code).toBe("error");
    expect(await page.getByTestId("error").textContent()).toContain(message);
    await page.close();
  });

  describe("a static copy (npm run build:web -- --rpc … --chain-id … --registry …)", () => {
    let out: string;
    let host: Awaited<ReturnType<typeof serveStatic>>;

    beforeAll(async () => {
      out = join(mkdtempSync(join(tmpdir(), "credroot-static-")), "site");
      await buildWeb({
        outDir: out,
        trust: { chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], rpcUrl: fx.chain.url }] },
      });
      cleanups.push(() => {
        rmSync(join(out, ".."), { recursive: true, force: true });
        return Promise.resolve();
      });
      host = await serveStatic(out);
      cleanups.push(() => host.close());
    });

    it("verifies a bundle from a plain static file server, never asking the issuer's service", async () => {
      const { page, requests } = await openPage(browser.context, `${host.url}/`);
      await paste(page, JSON.stringify(foundation));
      expect((await verdictOf(page)).code).toBe("valid");
      expect(requests.some((r) => r.url.startsWith(site))).toBe(false);
      expect(requests.some((r) => r.method === "POST" && r.url.startsWith(rpc))).toBe(true);
      await page.close();
    });

    it("uses the node the person sets in Settings, kept in this browser, and goes back to the default", async () => {
      const dead = `http://127.0.0.1:${await closedPort()}`;
      const { page } = await openPage(browser.context, `${host.url}/`);
      await page.getByText("Settings: which blockchain node to ask").click();
      await page.getByTestId(`settings-rpc-${fx.chain.chainId}`).fill(dead);
      await page.getByTestId("settings-save").click();
      await paste(page, JSON.stringify(foundation));
      expect(await verdictOf(page, "chain-unavailable")).toEqual({
        code: "chain-unavailable",
        text: "Could not check: the chain did not answer",
      });
      expect((await checks(page)).anchor).toBe("null");
      await page.reload();
      await page.waitForSelector("body[data-ready=true]");
      expect(await page.getByTestId(`settings-rpc-${fx.chain.chainId}`).inputValue()).toBe(dead);
      await paste(page, JSON.stringify(foundation));
      expect((await verdictOf(page, "chain-unavailable")).code).toBe("chain-unavailable");
      await page.getByText("Settings: which blockchain node to ask").click();
      await page.getByTestId("settings-reset").click();
      expect((await verdictOf(page, "valid")).text).toBe("Valid");
      await page.close();
    });
  });
});
