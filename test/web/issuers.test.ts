import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../../harness/net";
import { buildWeb } from "../../server/web/build";
import { fromBase64url } from "../../src/encoding";
import { IssuerKey } from "../../src/standard";
import { type Browser, launchChromium, openPage, type SeenRequest, serveStatic } from "../support/browser";
import { type ServiceFixture, startService } from "../support/service";

const PHONE = { width: 390, height: 844 };
/** A name that would be markup if the page ever set it as HTML. */
const MARKUP_NAME = 'Hogeschool <img src=x data-injected="yes"> Twee';

interface ShownIssuer {
  id: string;
  name: string;
  status: string;
  statusText: string;
  uri: string;
  signers: string;
  keys: { state: string; text: string }[];
  history: { kind: string; when: string; datetime: string | null; text: string }[];
}

/** The issuer cards as the page shows them. */
async function shownIssuers(page: Page): Promise<ShownIssuer[]> {
  return page.$$eval("[data-testid=issuer]", (cards) =>
    cards.map((card) => {
      const text = (selector: string) => card.querySelector(selector)?.textContent ?? "";
      return {
        id: (card as HTMLElement).dataset.issuerId ?? "",
        name: text("[data-testid=issuer-name]"),
        status: (card.querySelector("[data-testid=issuer-status]") as HTMLElement).dataset.status ?? "",
        statusText: text("[data-testid=issuer-status]"),
        uri: text("[data-testid=issuer-uri]"),
        signers: text("[data-testid=issuer-signers]"),
        keys: Array.from(card.querySelectorAll<HTMLElement>("[data-testid=issuer-key]")).map((li) => ({
          state: li.dataset.state ?? "",
          text: li.textContent,
        })),
        history: Array.from(card.querySelectorAll<HTMLElement>("[data-testid=history-entry]")).map((li) => ({
          kind: li.dataset.kind ?? "",
          when: li.querySelector(".when")?.textContent ?? "",
          datetime: li.querySelector("time")?.getAttribute("datetime") ?? null,
          text: li.textContent,
        })),
      };
    }),
  );
}

describe("issuers page (/issuers): every issuer from the chain alone", () => {
  let browser: Browser;
  let fx: ServiceFixture;
  let site: string;
  let webDir: string;
  let key: IssuerKey;
  let registeredAt: number;
  const address = (i: number) => new Wallet(fx.chain.privateKey(i)).address;
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    const root = mkdtempSync(join(tmpdir(), "credroot-web-"));
    cleanups.push(() => {
      rmSync(root, { recursive: true, force: true });
      return Promise.resolve();
    });
    webDir = join(root, "dist");
    await buildWeb({ outDir: webDir });
    fx = await startService({ webDir, worker: false });
    cleanups.push(() => fx.close());
    site = await fx.app.listen({ host: "127.0.0.1", port: 0 });

    // A history: a second issuer with signers added and removed, deactivated; a third withdrawn; keys of the first.
    const second = await fx.accreditor.registerIssuer(MARKUP_NAME, "https://hs2.test", address(4));
    registeredAt = (await fx.chain.provider.getBlock(second.blockNumber))!.timestamp;
    await fx.accreditor.addSigner(2, address(5));
    await fx.accreditor.removeSigner(2, address(4));
    await fx.accreditor.setIssuerActive(2, false);
    await fx.accreditor.registerIssuer("Instituut Drie", "", address(6));
    await fx.accreditor.withdrawAccreditation(3, Date.parse("2026-01-15T00:00:00Z") / 1000, "audit failed");
    key = await IssuerKey.fromSeed(`0x${"42".repeat(32)}`);
    const raw = fromBase64url(key.publicJwk.x);
    await (await fx.accreditor.contract.addIssuerKey(1, raw)).wait();
    const old = await IssuerKey.fromSeed(`0x${"43".repeat(32)}`);
    await (await fx.accreditor.contract.addIssuerKey(1, fromBase64url(old.publicJwk.x))).wait();
    await (await fx.accreditor.contract.retireIssuerKey(1, fromBase64url(old.publicJwk.x), true)).wait();
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  function expectTheIssuers(issuers: ShownIssuer[]): void {
    expect(issuers.map((i) => [i.id, i.name, i.status])).toEqual([
      ["1", "Test University", "active"],
      ["2", MARKUP_NAME, "deactivated"],
      ["3", "Instituut Drie", "withdrawn"],
    ]);
    const [first, second, third] = issuers as [ShownIssuer, ShownIssuer, ShownIssuer];
    expect(first.uri).toBe("https://uni.test");
    expect(first.signers).toBe(fx.issuerSigner.address);
    expect(first.keys.map((k) => k.state)).toEqual(["in-use", "compromised"]);
    expect(first.keys[0]!.text).toContain(key.did);
    expect(first.history.map((h) => h.kind)).toEqual([
      "IssuerRegistered",
      "SignerAdded",
      "IssuerKeyAdded",
      "IssuerKeyAdded",
      "IssuerKeyRetired",
    ]);
    expect(first.history[2]!.text).toContain(`Signing key ${key.did} recorded`);
    expect(first.history[4]!.text).toMatch(/retired as compromised$/);
    expect(second.signers).toBe(address(5));
    expect(second.statusText).toMatch(/^Deactivated: it can no longer anchor/);
    expect(second.history.map((h) => h.kind)).toEqual([
      "IssuerRegistered",
      "SignerAdded",
      "SignerAdded",
      "SignerRemoved",
      "IssuerActiveSet",
    ]);
    expect(second.history[0]!.datetime).toBe(new Date(registeredAt * 1000).toISOString());
    expect(second.history[0]!.text).toContain(
      `Registered as “${MARKUP_NAME}” (https://hs2.test), with first signer ${address(4)}`,
    );
    expect(second.history[3]!.text).toContain(`Signer ${address(4)} removed by ${address(0)}`);
    expect(third.uri).toBe("none recorded");
    expect(third.statusText).toMatch(/^Accreditation withdrawn from 2026-01-15 00:00 UTC/);
    expect(third.history.at(-1)!.text).toMatch(/Accreditation withdrawn from 2026-01-15 00:00 UTC: audit failed$/);
    for (const entry of issuers.flatMap((i) => i.history))
      expect(entry.when).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
  }

  /** Only the page's own files, config.json and the chain's node: never the service's API. */
  function expectNoServiceApi(requests: SeenRequest[]): void {
    const asked = requests
      .map((r) => new URL(r.url))
      .filter((u) => u.origin === site)
      .map((u) => u.pathname);
    expect(
      asked.every((path) => ["/issuers", "/issuers.js", "/style.css", "/config.json"].includes(path)),
      asked.join(" "),
    ).toBe(true);
    expect(requests.some((r) => r.url.startsWith(fx.chain.url) && r.method === "POST")).toBe(true);
  }

  it("lists every issuer with status, URI, signers, keys and history with block times", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/issuers`);
    try {
      expect(await page.getByTestId("issuers-status").textContent()).toBe("3 issuers listed.");
      expectTheIssuers(await shownIssuers(page));
      expectNoServiceApi(requests);
    } finally {
      await page.close();
    }
  });

  it("prints names from the chain as text, never as markup", async () => {
    const { page } = await openPage(browser.context, `${site}/issuers`);
    try {
      expect(await page.locator("[data-injected]").count()).toBe(0);
      expect(await page.locator("[data-testid=issuer] img").count()).toBe(0);
    } finally {
      await page.close();
    }
  });

  it("reads well on a 390 px phone: nothing wider than the screen", async () => {
    const { page } = await openPage(browser.context, `${site}/issuers`);
    try {
      await page.setViewportSize(PHONE);
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        cards: Array.from(document.querySelectorAll("[data-testid=issuer]")).map(
          (c) => c.getBoundingClientRect().right,
        ),
      }));
      expect(widths.page).toBeLessThanOrEqual(PHONE.width);
      for (const right of widths.cards) expect(right).toBeLessThanOrEqual(PHONE.width);
      await page.screenshot({ path: join("test-results", "issuers-390.png"), fullPage: true });
    } finally {
      await page.close();
    }
  });

  it("works as a static copy with its own config.json, served by a plain file server", async () => {
    const copy = join(webDir, "..", "static");
    await buildWeb({
      outDir: copy,
      trust: { chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], rpcUrl: fx.chain.url }] },
    });
    const server = await serveStatic(copy);
    try {
      // Reached from the copy's verifier page, as a visitor finds it.
      const { page } = await openPage(browser.context, `${server.url}/`);
      await page.getByTestId("issuers-link").click();
      await page.waitForURL(`${server.url}/issuers.html`);
      await expect.poll(() => page.getByTestId("issuers-status").textContent()).toBe("3 issuers listed.");
      expectTheIssuers(await shownIssuers(page));
      await page.close();
    } finally {
      await server.close();
    }
  });

  it("is linked from the service's verifier page, a share link's included", async () => {
    for (const start of [`${site}/`, `${site}/v/00000000-0000-4000-8000-000000000000`]) {
      const { page } = await openPage(browser.context, start);
      try {
        await page.getByTestId("issuers-link").click();
        await page.waitForURL(`${site}/issuers.html`);
        await expect.poll(() => page.getByTestId("issuers-status").textContent()).toBe("3 issuers listed.");
      } finally {
        await page.close();
      }
    }
  });

  it("says the registry could not be read when the node does not answer, and lists nothing", async () => {
    const copy = join(webDir, "..", "down");
    const rpcUrl = `http://127.0.0.1:${await closedPort()}`;
    await buildWeb({
      outDir: copy,
      trust: { chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], rpcUrl }] },
    });
    const server = await serveStatic(copy);
    try {
      const { page } = await openPage(browser.context, `${server.url}/issuers.html`);
      expect(await page.getByTestId("registry-error").textContent()).toMatch(
        /^Could not read this registry: .+ Open the settings/,
      );
      expect(await page.locator("[data-testid=issuer]").count()).toBe(0);
      await page.close();
    } finally {
      await server.close();
    }
  });
});
