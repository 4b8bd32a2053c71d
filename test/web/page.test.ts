import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type Bundle,
  bundleFor,
  createPresentation,
  type Hex32,
  newBatchId,
  prepareBatch,
  revocationReason,
  verifyBundle,
} from "../../src";
import { buildWeb } from "../../server/web/build";
import { fetchBundle, issueFinalBatch } from "../server/helpers";
import { type Browser, launchChromium, openPage, serveStatic, verdictOf } from "../support/browser";
import { RpcProxy } from "../support/rpc-proxy";
import { type ServiceFixture, startService, waitFor } from "../support/service";

/** A phone: an iPhone 12–15 viewport. */
const PHONE = { width: 390, height: 844 };
/** The narrowest a value box may be and still read as text. */
const READABLE = 200;
const LONG_WORDS = "Universiteit van Voorbeeldstad, Faculteit Wijsbegeerte en Geesteswetenschappen";

describe("web verifier page: phones, plain http, own nodes, revocation reasons", () => {
  let browser: Browser;
  let lan: Browser;
  let fx: ServiceFixture;
  let site: string;
  let port: number;
  let validId: string;
  let valid: Bundle;
  /** Valid too, of another learner. */
  let otherLearner: Bundle;
  let revoked: Bundle;
  let revokedDigest: Hex32;
  let batchRevoked: Bundle;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    lan = await launchChromium(undefined, ["--host-resolver-rules=MAP credroot.test 127.0.0.1"]);
    cleanups.push(() => lan.close());
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
    port = typeof address === "object" && address ? address.port : 0;
    site = `http://127.0.0.1:${port}`;

    const long = { description: LONG_WORDS, learningOutcomes: [LONG_WORDS] };
    const first = await issueFinalBatch(fx, [sampleCredential(0, long), sampleCredential(1), sampleCredential(3)]);
    const second = await issueFinalBatch(fx, [sampleCredential(2)]);
    const [a, b, c] = first.accepted.credentials;
    otherLearner = await fetchBundle(fx, c!.id);
    validId = a!.id;
    valid = await fetchBundle(fx, a!.id);
    revoked = await fetchBundle(fx, b!.id);
    batchRevoked = await fetchBundle(fx, second.accepted.credentials[0]!.id);
    const one = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${b!.id}/revoke`,
      headers: fx.auth,
      payload: { reason: "issued in error" },
    });
    expect(one.statusCode, one.body).toBe(202);
    const all = await fx.app.inject({
      method: "POST",
      url: `/v1/batches/${second.accepted.id}/revoke`,
      headers: fx.auth,
      payload: { reason: "exam board annulled the session" },
    });
    expect(all.statusCode, all.body).toBe(202);
    await waitFor(
      async () => {
        const results = await Promise.all([revoked, batchRevoked].map((x) => verifyBundle(x, { chains: fx.trusted })));
        if (results.every((r) => r.verdict === "revoked")) {
          revokedDigest = results[0]!.digest!;
          return true;
        }
        await fx.mine();
        return undefined;
      },
      20_000,
      "the revocations to be mined",
    );
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function paste(page: Page, text: string): Promise<void> {
    await page.getByTestId("paste-input").fill(text);
    await page.getByTestId("paste-verify").click();
  }

  describe("on a 390 px phone", () => {
    /** Every value box's width, and every word (of up to 30 characters) that the layout split over two lines. */
    async function layout(page: Page): Promise<{ narrow: string[]; broken: string[]; overflow: boolean }> {
      return page.evaluate((readable) => {
        const narrow: string[] = [];
        const broken: string[] = [];
        for (const dd of Array.from(document.querySelectorAll<HTMLElement>("dl.fields dd"))) {
          if (dd.getBoundingClientRect().width < readable) {
            narrow.push(`${dd.dataset.pointer ?? dd.dataset.testid}: ${dd.getBoundingClientRect().width}px`);
          }
          const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const text = node.textContent ?? "";
            // A word, not an id or a URI (those may wrap where they must).
            for (const match of text.matchAll(/[^\s]+/g)) {
              if (match[0].length > 30) continue;
              const range = document.createRange();
              range.setStart(node, match.index);
              range.setEnd(node, match.index + match[0].length);
              const lines = new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top)));
              if (lines.size > 1) broken.push(match[0]);
            }
          }
        }
        const root = document.documentElement;
        return { narrow, broken, overflow: root.scrollWidth > root.clientWidth };
      }, READABLE);
    }

    it("gives every value a readable width and breaks no word, on a share link /v/<id>", async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize(PHONE);
      await page.goto(`${site}/v/${validId}`);
      await page.waitForSelector("body[data-ready=true]");
      expect((await verdictOf(page)).code).toBe("valid");
      expect(await page.locator("dl.fields dd").count()).toBeGreaterThan(5);
      expect(await layout(page)).toEqual({ narrow: [], broken: [], overflow: false });
      await page.close();
    });

    it.each([
      ["a share link /v/<id>", () => `/v/${validId}`],
      ["a link carrying the credential (#b=)", () => `/#b=${Buffer.from(JSON.stringify(valid)).toString("base64url")}`],
    ])("shows the verdict and the credential first on %s, the inputs folded away", async (_what, path) => {
      const page = await browser.context.newPage();
      await page.setViewportSize(PHONE);
      await page.goto(`${site}${path()}`);
      await page.waitForSelector("body[data-ready=true]");
      expect((await verdictOf(page)).code).toBe("valid");
      const verdict = await page.getByTestId("verdict").boundingBox();
      expect(verdict!.y + verdict!.height).toBeLessThanOrEqual(PHONE.height);
      const title = await page.getByTestId("credential-title").boundingBox();
      expect(title!.y).toBeLessThan(PHONE.height);
      expect(await page.getByTestId("input-box").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
      expect(await page.getByTestId("drop-zone").isVisible()).toBe(false);
      await page.close();
    });

    it("keeps the inputs open and first on the plain page", async () => {
      const { page } = await openPage(browser.context, `${site}/`);
      expect(await page.getByTestId("input-box").evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
      expect(await page.getByTestId("drop-zone").isVisible()).toBe(true);
      await page.close();
    });
  });

  it("is styled and verifies over plain http under a host name that is not localhost (a LAN name)", async () => {
    const { page } = await openPage(lan.context, `http://credroot.test:${port}/v/${validId}`);
    expect((await verdictOf(page)).code).toBe("valid");
    // style.css arrived: the page's background is the stylesheet's, not the browser's white.
    expect(await page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor)).toBe(
      "rgb(246, 247, 249)",
    );
    await page.close();
  });

  describe("Settings: the person's own node", () => {
    let proxy: RpcProxy;
    beforeAll(async () => {
      proxy = await RpcProxy.start(fx.chain.url);
      cleanups.push(() => proxy.close());
    });

    it("refuses, saying which nodes it may ask, a node this page's security policy blocks", async () => {
      const { page } = await openPage(browser.context, `${site}/`);
      await page.getByText("Settings: which blockchain node to ask").click();
      await page.getByTestId(`settings-rpc-${fx.chain.chainId}`).fill(proxy.url);
      await page.getByTestId("settings-save").click();
      const status = page.locator("#settings-status");
      await expect.poll(() => status.textContent()).toContain("Not saved");
      const text = (await status.textContent()) ?? "";
      expect(text).toContain(`only lets it talk to this site, ${new URL(fx.chain.url).origin}`);
      expect(text).not.toContain("Checks now ask this node");
      expect(await page.evaluate(() => localStorage.getItem("credroot.rpcUrls"))).toBeNull();
      await paste(page, JSON.stringify(valid));
      expect((await verdictOf(page)).code).toBe("valid");
      await page.close();
    });

    it("uses a node the page may ask (a static copy with no such policy), and asks only that node", async () => {
      const out = join(mkdtempSync(join(tmpdir(), "credroot-static-")), "site");
      cleanups.push(() => {
        rmSync(join(out, ".."), { recursive: true, force: true });
        return Promise.resolve();
      });
      await buildWeb({
        outDir: out,
        trust: { chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], rpcUrl: fx.chain.url }] },
      });
      const host = await serveStatic(out);
      cleanups.push(() => host.close());
      const { page, requests } = await openPage(browser.context, `${host.url}/`);
      await page.getByText("Settings: which blockchain node to ask").click();
      await page.getByTestId(`settings-rpc-${fx.chain.chainId}`).fill(proxy.url);
      await page.getByTestId("settings-save").click();
      await expect.poll(() => page.locator("#settings-status").textContent()).toContain("Checks now ask this node");
      requests.length = 0;
      await paste(page, JSON.stringify(valid));
      expect((await verdictOf(page)).code).toBe("valid");
      expect(requests.some((r) => r.method === "POST" && r.url.startsWith(proxy.url))).toBe(true);
      expect(requests.some((r) => r.url.startsWith(new URL(fx.chain.url).origin))).toBe(false);
      await page.evaluate(() => localStorage.clear());
      await page.close();
    });
  });

  describe("revocationReason", () => {
    const provider = () => fx.trusted[0]!.provider as unknown as Parameters<typeof revocationReason>[0]["provider"];
    const of = (bundle: Bundle, digest: Hex32) =>
      revocationReason({ provider: provider(), ...bundle.anchor, digest, fromBlock: bundle.anchor.block });

    it("reads a credential's own revocation reason from the chain", async () => {
      expect(await of(revoked, revokedDigest)).toMatchObject({ scope: "credential", reason: "issued in error" });
    });

    it("reads the batch's reason for a credential revoked with its batch", async () => {
      const { digest } = await verifyBundle(batchRevoked, { chains: fx.trusted });
      expect(await of(batchRevoked, digest!)).toMatchObject({
        scope: "batch",
        reason: "exam board annulled the session",
      });
    });

    it("answers null for a credential nobody revoked", async () => {
      const { digest } = await verifyBundle(valid, { chains: fx.trusted });
      expect(await of(valid, digest!)).toBeNull();
    });
  });

  describe("what a verdict shows", () => {
    it.each([
      ["its own", () => revoked, "credential", "The issuer's reason, as recorded on the blockchain: “issued in error”"],
      [
        "its batch's",
        () => batchRevoked,
        "batch",
        "The issuer revoked the whole batch this credential belongs to, giving as reason: “exam board annulled the session”",
      ],
    ])("shows a revoked credential's reason (%s), read from the chain, as text", async (_what, bundle, scope, text) => {
      const { page } = await openPage(browser.context, `${site}/`);
      await paste(page, JSON.stringify(bundle()));
      expect((await verdictOf(page)).code).toBe("revoked");
      const reason = page.getByTestId("revocation-reason");
      await expect.poll(() => reason.getAttribute("data-state")).toBe(scope);
      expect(await reason.textContent()).toBe(text);
      await page.close();
    });

    it("says, on `npm start`'s ephemeral chain, that a credential not on it may come from before a restart", async () => {
      // A genuine bundle of a batch never anchored on this chain: what an earlier run's bundle is after a restart.
      const { chainId, registry, issuerId } = valid.anchor;
      const batch = prepareBatch([sampleCredential(5)], { chainId, registry, issuerId, batchId: newBatchId() });
      const notAnchored = bundleFor(batch, 0, valid.anchor.block);
      expect((await verifyBundle(notAnchored, { chains: fx.trusted })).verdict).toBe("not-anchored");
      const page = await browser.context.newPage();
      const config = (await (await fetch(`${site}/config.json`)).json()) as { chains: Record<string, unknown>[] };
      await page.route("**/config.json", (route) =>
        route.fulfill({ json: { chains: config.chains.map((c) => ({ ...c, ephemeral: true })) } }),
      );
      await page.goto(`${site}/`);
      await page.waitForSelector("body[data-ready=true]");
      await paste(page, JSON.stringify(notAnchored));
      const { code, text } = await verdictOf(page);
      expect(code).toBe("not-anchored");
      expect(text).toContain("starts empty each time the service starts");
      await page.close();
      // Without the flag, the plain words.
      const plain = await openPage(browser.context, `${site}/`);
      await paste(plain.page, JSON.stringify(notAnchored));
      expect((await verdictOf(plain.page)).text).not.toContain("starts empty");
      await plain.page.close();
    });

    it("warns, above the cards, when a presentation's credentials name different learners", async () => {
      const { page } = await openPage(browser.context, `${site}/`);
      await paste(page, JSON.stringify(createPresentation([valid, otherLearner])));
      expect((await verdictOf(page)).code).toBe("valid");
      const warning = page.getByTestId("presentation-warning");
      expect(await warning.getAttribute("data-code")).toBe("different-learners");
      expect((await warning.textContent())!.length).toBeGreaterThan(10);
      await page.close();
    });

    it("shows skills as short links to their full URI, and times in local time with the UTC instant", async () => {
      const { page } = await openPage(browser.context, `${site}/`);
      await paste(page, JSON.stringify(valid));
      expect((await verdictOf(page)).code).toBe("valid");
      const skill = page.locator('[data-pointer="/skills"] a');
      const uri = (valid.credential as { skills: string[] }).skills[0]!;
      expect(await skill.getAttribute("href")).toBe(uri);
      expect(await skill.getAttribute("title")).toBe(uri);
      expect(await skill.textContent()).toMatch(/^ESCO skill \S+$/);
      expect((await skill.textContent())!.length).toBeLessThan(uri.length);
      const time = page.getByTestId("local-time");
      const utc = (await time.getAttribute("datetime"))!;
      expect(utc).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(await time.getAttribute("title")).toBe(`${utc} (UTC)`);
      const local = await page.evaluate(
        (at) => new Date(at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }),
        utc,
      );
      expect(await time.textContent()).toBe(local);
      expect(await page.getByTestId("issuer").textContent()).toContain(utc.replace("T", " ").replace("Z", " UTC"));
      await page.close();
    });
  });
});
