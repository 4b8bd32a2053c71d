import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { createPresentation } from "../../src";
import { openPage, verdictOf } from "../support/browser";
import {
  browser,
  checks,
  expectVerifiedInBrowser,
  field,
  FORGED_BODY,
  FORGED_TITLE,
  foundation,
  foundationLeaf,
  fx,
  markup,
  MARKUP_TITLE,
  MISSING_LEAF,
  paste,
  revoked,
  revokedLeaf,
  rpc,
  shortHex,
  shown,
  site,
  stacked,
  useVerifierPage,
  withBrokenPath,
  withForgedClaims,
} from "./verifier-fixture";

/* The web verifier page on bundles and presentations: verdicts, what it shows, what it refuses. */

describe("web verifier page in Chromium", () => {
  useVerifierPage();

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
});
