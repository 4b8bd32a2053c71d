import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateRawSync } from "node:zlib";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type Bundle,
  bundlePath,
  createPresentation,
  fromHex32,
  type Hex32,
  joinBase64url,
  verifyBundle,
} from "../../src";
import { buildWeb } from "../../server/web/build";
import { fetchBundle, issueFinalBatch } from "../server/helpers";
import { type Browser, launchChromium, openPage, type SeenRequest, serveStatic, verdictOf } from "../support/browser";
import { closedPort } from "../../harness/net";
import { type ServiceFixture, startService, waitFor } from "../support/service";

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
/** A leaf no credential has: a part of a stack that the presentation does not show. */
const MISSING_LEAF = `0x${"ab".repeat(32)}`;
/** A title that is markup: the page must show it as these characters, never run or render it. */
const MARKUP_TITLE = `<img src=x onerror="window.__pwned=1"><b>Bold</b> & "quoted"`;
/** What a forger writes into a copy: none of it may ever appear on the page. */
const FORGED_TITLE = "Doctorate in Everything";
const FORGED_BODY = "Harvard University";
const shortHex = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-6)}`;

/** The same credential, same leaf, with a Merkle path that leads elsewhere: a tampered copy. */
function withBrokenPath(bundle: Bundle): Bundle {
  const path = bundlePath(bundle).map(fromHex32);
  const first = path[0]!;
  first[0] = first[0]! ^ 0xff;
  return { ...structuredClone(bundle), proof: joinBase64url(path) };
}

/** A copy whose claims were edited: another title, and an awarding body the v2 format does not even have. */
function withForgedClaims(bundle: Bundle): Bundle {
  const forged = structuredClone(bundle);
  forged.credential.title = FORGED_TITLE;
  forged.credential.learner = { name: "Mallory Impostor" };
  forged.credential.awardingBody = { name: FORGED_BODY };
  return forged;
}

describe("web verifier page in Chromium", () => {
  let browser: Browser;
  let fx: ServiceFixture;
  let site: string;
  /** The chain's JSON-RPC origin, which the page must ask itself. */
  let rpc: string;
  let foundation: Bundle;
  let revoked: Bundle;
  let stacked: Bundle;
  let markup: Bundle;
  let foundationId: string;
  let foundationLeaf: Hex32;
  let revokedLeaf: Hex32;
  /** Undone in reverse order after the tests, as far as the setup got. */
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    // Fail first, in one line, when there is no browser.
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    // The service serves what this file builds, in a folder of its own (web/dist is left alone:
    // other test files' services may be reading it).
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

    const first = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]);
    const [a, b] = first.accepted.credentials;
    foundationId = a!.id;
    foundationLeaf = a!.leaf as Hex32;
    revokedLeaf = b!.leaf as Hex32;
    const buildsOn = [a!.leaf, b!.leaf, MISSING_LEAF];
    const second = await issueFinalBatch(fx, [
      sampleCredential(2, { stackability: { countsTowards: "MSc Data Science", buildsOn } }),
      sampleCredential(3, { title: MARKUP_TITLE, description: "<script>window.__pwned=2</script>" }),
    ]);
    foundation = await fetchBundle(fx, a!.id);
    revoked = await fetchBundle(fx, b!.id);
    stacked = await fetchBundle(fx, second.accepted.credentials[0]!.id);
    markup = await fetchBundle(fx, second.accepted.credentials[1]!.id);

    const res = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${b!.id}/revoke`,
      headers: fx.auth,
      payload: { reason: "issued in error" },
    });
    expect(res.statusCode, res.body).toBe(202);
    await waitFor(
      async () => {
        const { verdict } = await verifyBundle(revoked, { chains: fx.trusted });
        if (verdict === "revoked") return true;
        await fx.mine();
        return undefined;
      },
      20_000,
      "the revocation to be mined",
    );
  });
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** The verdict came from the chain: a POST to the RPC origin, and nothing asked of the service but files. */
  function expectVerifiedInBrowser(requests: readonly SeenRequest[], alsoFetched: string[] = []): void {
    expect(requests.some((r) => r.method === "POST" && r.url.startsWith(rpc))).toBe(true);
    const fromService = requests
      .filter((r) => r.url.startsWith(site))
      .map((r) => `${r.method} ${new URL(r.url).pathname}`);
    expect(fromService.every((r) => r.startsWith("GET "))).toBe(true);
    expect(fromService.filter((r) => r.includes("/v1/")).sort()).toEqual(alsoFetched.sort());
    expect(fromService.some((r) => r.includes("/v1/verify"))).toBe(false);
  }

  async function paste(page: Page, text: string): Promise<void> {
    await page.getByTestId("paste-input").fill(text);
    await page.getByTestId("paste-verify").click();
  }

  async function checks(page: Page): Promise<Record<string, string | null>> {
    const rows = await page.getByTestId("check").all();
    return Object.fromEntries(
      await Promise.all(
        rows.map(async (row) => [await row.getAttribute("data-check"), await row.getAttribute("data-ok")]),
      ),
    ) as Record<string, string | null>;
  }

  async function field(page: Page, pointer: string) {
    const node = page.locator(`[data-testid=field][data-pointer="${pointer}"]`);
    return { hidden: await node.getAttribute("data-hidden"), text: await node.textContent() };
  }

  /** The text of the result area: what a person sees of the credential(s). */
  const shown = (page: Page) => page.getByTestId("details").innerText();

  it("says Valid for a pasted bundle, with every check, the credential and its awarding body from the chain", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(foundation, null, 2));
    expect(await verdictOf(page)).toEqual({ code: "valid", text: "Valid" });
    expect(await checks(page)).toEqual({
      registry: "true",
      digest: "true",
      anchor: "true",
      proof: "true",
      revocation: "true",
      accreditation: "true",
      expiry: "true",
    });
    const order = await page
      .getByTestId("check")
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-check")));
    expect(order).toEqual(["registry", "digest", "anchor", "proof", "revocation", "accreditation", "expiry"]);
    const credential = sampleCredential(0);
    expect(await page.getByTestId("credential-title").textContent()).toBe(credential.title);
    expect((await field(page, "/learner/name")).text).toBe(credential.learner.name);
    expect((await field(page, "/eqfLevel")).text).toBe("6");
    expect((await field(page, "/workload/ects")).text).toBe("3");
    expect((await field(page, "/participation")).text).toBe("Online");
    expect((await field(page, "/learningOutcomes")).text).toContain(credential.learningOutcomes[1]);
    expect((await field(page, "/issuerCountry")).text).toBe("NL");
    expect(await page.locator("dt", { hasText: "Country of the issuer" }).count()).toBe(1);
    expect(await page.getByTestId("awarding-body").textContent()).toBe("Test University");
    expect(await page.getByTestId("issuer").textContent()).toMatch(
      /^issuer no\. 1 in the registry, which recorded this credential on .+ \(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC\)$/,
    );
    expect(await page.getByTestId("issuer-uri").textContent()).toBe("https://uni.test");
    expectVerifiedInBrowser(requests);
    mkdirSync("test-results", { recursive: true });
    await page.screenshot({ path: "test-results/verifier-valid.png", fullPage: true });
    await page.close();
  });

  it("names as awarding body the issuer the registry records now, not any name from the file or the service", async () => {
    // The credential carries no awarding body; the service's own database still says "Test University".
    expect(JSON.stringify(foundation)).not.toContain("Test University");
    const renamed = "Universiteit van Voorbeeld (as recorded on chain)";
    await fx.accreditor.updateIssuer(fx.issuerId, renamed, "https://uni.example.org");
    try {
      const { page } = await openPage(browser.context, `${site}/`);
      await paste(page, JSON.stringify(foundation));
      expect((await verdictOf(page)).code).toBe("valid");
      expect(await page.getByTestId("awarding-body").textContent()).toBe(renamed);
      expect(await page.getByTestId("issuer-uri").textContent()).toBe("https://uni.example.org");
      expect(await shown(page)).not.toContain("Test University");
      await page.close();
    } finally {
      await fx.accreditor.updateIssuer(fx.issuerId, "Test University", "https://uni.test");
    }
  });

  it("says Valid for a picked file and for a dropped file", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    const json = JSON.stringify(foundation);
    await page.getByTestId("file-input").setInputFiles({
      name: "bundle.json",
      mimeType: "application/json",
      buffer: Buffer.from(json),
    });
    expect((await verdictOf(page, "valid")).text).toBe("Valid");
    await page.evaluate(() => (document.getElementById("verdict")!.dataset.code = "checking"));
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], "bundle.json", { type: "application/json" }));
      return transfer;
    }, JSON.stringify(stacked));
    await page.getByTestId("drop-zone").dispatchEvent("drop", { dataTransfer });
    expect((await verdictOf(page)).code).toBe("valid");
    expect(await page.getByTestId("credential-title").textContent()).toBe(sampleCredential(2).title);
    expectVerifiedInBrowser(requests);
    await page.close();
  });

  it("shows a valid credential's markup as text: nothing from a bundle becomes HTML", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(markup));
    expect((await verdictOf(page)).code).toBe("valid");
    expect(await page.getByTestId("credential-title").textContent()).toBe(MARKUP_TITLE);
    expect((await field(page, "/description")).text).toBe("<script>window.__pwned=2</script>");
    const details = page.getByTestId("details");
    expect(await details.locator("img, b, script").count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.close();
  });

  it("says not valid (changed) for an edited bundle, and shows none of its claims as if they held", async () => {
    const tampered = withForgedClaims(foundation);
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(tampered));
    expect(await verdictOf(page)).toEqual({
      code: "tampered",
      text: "Not valid: this credential was changed after it was issued",
    });
    expect(await checks(page)).toMatchObject({ registry: "true", digest: "true", proof: "false", anchor: "null" });
    const card = page.getByTestId("credential-card");
    expect(await card.getAttribute("data-verdict")).toBe("tampered");
    expect(await page.getByTestId("credential-title").count()).toBe(0);
    expect(await page.getByTestId("unverified-heading").textContent()).toBe(
      "Not shown: this credential did not verify",
    );
    expect(await page.getByTestId("claimed-id").textContent()).toBe(sampleCredential(0).id);
    expect(await page.getByTestId("field").count()).toBe(0);
    expect(await page.getByTestId("awarding-body").count()).toBe(0);
    const text = await shown(page);
    for (const claim of [FORGED_TITLE, FORGED_BODY, "Mallory Impostor", sampleCredential(0).title, "NL"]) {
      expect(text).not.toContain(claim);
    }
    await page.screenshot({ path: "test-results/verifier-tampered.png", fullPage: true });
    await page.close();
  });

  it("says not valid (revoked) for a credential its issuer revoked through the API, and shows only its id", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(revoked));
    expect(await verdictOf(page)).toEqual({
      code: "revoked",
      text: "Not valid: this credential was revoked by its issuer",
    });
    expect((await checks(page)).revocation).toBe("false");
    expect(await page.getByTestId("credential-title").count()).toBe(0);
    expect(await page.getByTestId("claimed-id").textContent()).toBe(sampleCredential(1).id);
    expect(await shown(page)).not.toContain(sampleCredential(1).title);
    expectVerifiedInBrowser(requests);
    await page.close();
  });

  it("refuses a bundle that gives a key twice, though JSON.parse would read the genuine value", async () => {
    const text = JSON.stringify(foundation).replace('"title":', `"title":${JSON.stringify(FORGED_TITLE)},"title":`);
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, text);
    expect(await verdictOf(page)).toEqual({ code: "error", text: "Could not read this: it is not a credential" });
    expect(await page.getByTestId("error").textContent()).toBe(
      'This is not a credroot credential: the bundle repeats the key "title"',
    );
    expect(await page.getByTestId("credential-card").count()).toBe(0);
    await page.close();
  });

  it("says a version 1 bundle must be re-issued, in the library's one line, and checks nothing", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    await paste(page, readFileSync(join(__dirname, "../fixtures/bundle-v1.json"), "utf8"));
    expect(await verdictOf(page)).toEqual({
      code: "re-issue",
      text: "Not checked: this is an old credential that must be re-issued",
    });
    expect(await page.getByTestId("error").textContent()).toBe(
      "This is a version 1 credroot bundle, which is not bound to its issuer and is no longer accepted: " +
        "ask the issuer to re-issue it.",
    );
    expect(await page.getByTestId("credential-card").count()).toBe(0);
    expect(requests.some((r) => r.url.startsWith(rpc))).toBe(false);
    await page.close();
  });

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

  it("shows each credential of a presentation and its stack: valid, not valid and missing parts", async () => {
    const { page, requests } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(createPresentation([stacked, foundation, revoked])));
    expect(await verdictOf(page)).toEqual({ code: "mixed", text: "Not all valid: 2 of 3 credentials are valid" });
    const cards = page.getByTestId("credential-card");
    expect(await cards.count()).toBe(3);
    expect(await cards.evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-verdict")))).toEqual([
      "valid",
      "valid",
      "revoked",
    ]);
    const links = cards.first().getByTestId("stack-link");
    expect(await links.evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-status")))).toEqual([
      "valid",
      "not-valid",
      "missing",
    ]);
    expect(await links.nth(0).textContent()).toBe(`${sampleCredential(0).title}: shown here, and valid`);
    expect(await links.nth(0).getAttribute("data-index")).toBe("1");
    // The revoked credential is named by its leaf only: its title is a claim of a credential that did not verify.
    expect(await links.nth(1).textContent()).toBe(`${shortHex(revokedLeaf)}: shown here, but not valid`);
    expect(await links.nth(2).textContent()).toBe(`${shortHex(MISSING_LEAF)}: missing: not shown in this presentation`);
    expect(await shown(page)).not.toContain(sampleCredential(1).title);
    expect((await field(page, "/stackability/countsTowards")).text).toBe("MSc Data Science");
    expectVerifiedInBrowser(requests);
    await page.close();
  });

  it("never names a tampered copy on a 'builds on' line, even one sharing the genuine leaf", async () => {
    // A copy with the genuine leaf but a broken path (tampered), and one with a forged title (so another
    // leaf), both before the genuine credential: only the genuine one, third, may give the line its title.
    const sameLeaf = withBrokenPath(foundation);
    const forged = withForgedClaims(foundation);
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(createPresentation([stacked, sameLeaf, forged, foundation])));
    expect((await verdictOf(page)).code).toBe("mixed");
    const cards = page.getByTestId("credential-card");
    expect(await cards.evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-verdict")))).toEqual([
      "valid",
      "tampered",
      "tampered",
      "valid",
    ]);
    const line = cards.first().getByTestId("stack-link").first();
    expect(await line.getAttribute("data-leaf")).toBe(foundationLeaf);
    expect(await line.getAttribute("data-status")).toBe("valid");
    expect(await line.getAttribute("data-index")).toBe("3");
    expect(await line.textContent()).toBe(`${sampleCredential(0).title}: shown here, and valid`);
    expect(await shown(page)).not.toContain(FORGED_TITLE);
    expect(await shown(page)).not.toContain(FORGED_BODY);
    await page.close();

    // Without the genuine credential, the line has no title at all: the copies that did not verify give none.
    const alone = await openPage(browser.context, `${site}/`);
    await paste(alone.page, JSON.stringify(createPresentation([stacked, forged, sameLeaf])));
    expect((await verdictOf(alone.page)).code).toBe("mixed");
    const first = alone.page.getByTestId("credential-card").first().getByTestId("stack-link").first();
    expect(await first.getAttribute("data-status")).toBe("not-valid");
    expect(await first.getAttribute("data-index")).toBeNull();
    expect(await first.textContent()).toBe(`${shortHex(foundationLeaf)}: shown here, but not valid`);
    const text = await shown(alone.page);
    expect(text).not.toContain(FORGED_TITLE);
    expect(text).not.toContain(sampleCredential(0).title);
    expect(await alone.page.getByTestId("credential-title").count()).toBe(1); // the stacked credential's only
    await alone.page.close();
  });

  it("shows no stack for a credential that did not verify (its 'builds on' is a claim too)", async () => {
    const { page } = await openPage(browser.context, `${site}/`);
    await paste(page, JSON.stringify(createPresentation([withBrokenPath(stacked), foundation])));
    expect((await verdictOf(page)).code).toBe("mixed");
    expect(await page.getByTestId("stack").count()).toBe(0);
    expect(await shown(page)).not.toContain("MSc Data Science");
    await page.close();
  });

  it.each([
    ["text that is not JSON", "hello", "This is not a credential file: it is not JSON."],
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
