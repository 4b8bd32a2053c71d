/**
 * What the web verifier page tests (test/web/verifier*.test.ts) share: the page served by a
 * service on a local chain, the credentials it issued, hostile copies of them, and helpers that
 * drive the page in Chromium and read what it shows.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { type Bundle, bundlePath, fromHex32, type Hex32, joinBase64url, verifyBundle } from "../../src";
import { buildWeb } from "../../server/web/build";
import { fetchBundle, issueFinalBatch } from "../server/helpers";
import { type Browser, launchChromium, type SeenRequest } from "../support/browser";
import { type ServiceFixture, startService, waitFor } from "../support/service";

export const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
/** A leaf no credential has: a part of a stack that the presentation does not show. */
export const MISSING_LEAF = `0x${"ab".repeat(32)}`;
/** A title that is markup: the page must show it as these characters, never run or render it. */
export const MARKUP_TITLE = `<img src=x onerror="window.__pwned=1"><b>Bold</b> & "quoted"`;
/** What a forger writes into a copy: none of it may ever appear on the page. */
export const FORGED_TITLE = "Doctorate in Everything";
export const FORGED_BODY = "Harvard University";
export const shortHex = (hex: string) => `${hex.slice(0, 10)}…${hex.slice(-6)}`;

/** The same credential, same leaf, with a Merkle path that leads elsewhere: a tampered copy. */
export function withBrokenPath(bundle: Bundle): Bundle {
  const path = bundlePath(bundle).map(fromHex32);
  const first = path[0]!;
  first[0] = first[0]! ^ 0xff;
  return { ...structuredClone(bundle), proof: joinBase64url(path) };
}

/** A copy whose claims were edited: another title, and an awarding body the v2 format does not even have. */
export function withForgedClaims(bundle: Bundle): Bundle {
  const forged = structuredClone(bundle);
  forged.credential.title = FORGED_TITLE;
  forged.credential.learner = { name: "Mallory Impostor" };
  forged.credential.awardingBody = { name: FORGED_BODY };
  return forged;
}

// What useVerifierPage() sets up, for the calling file's tests.
export let browser: Browser;
export let fx: ServiceFixture;
export let site: string;
/** The chain's JSON-RPC origin, which the page must ask itself. */
export let rpc: string;
export let foundation: Bundle;
export let revoked: Bundle;
export let stacked: Bundle;
export let markup: Bundle;
export let foundationId: string;
export let foundationLeaf: Hex32;
export let revokedLeaf: Hex32;
/** Undone in reverse order after the tests, as far as the setup got. */
export const cleanups: (() => Promise<void>)[] = [];

/**
 * Inside the calling file's "web verifier page in Chromium" describe: Chromium, the service on a
 * web build of its own, listening on loopback, with a final batch of two credentials (the second
 * revoked through the API) and a batch stacking on them; all undone after its tests.
 */
export function useVerifierPage(): void {
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
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup(); // this file's only
  });
}

/** The verdict came from the chain: a POST to the RPC origin, and nothing asked of the service but files. */
export function expectVerifiedInBrowser(requests: readonly SeenRequest[], alsoFetched: string[] = []): void {
  expect(requests.some((r) => r.method === "POST" && r.url.startsWith(rpc))).toBe(true);
  const fromService = requests
    .filter((r) => r.url.startsWith(site))
    .map((r) => `${r.method} ${new URL(r.url).pathname}`);
  expect(fromService.every((r) => r.startsWith("GET "))).toBe(true);
  expect(fromService.filter((r) => r.includes("/v1/")).sort()).toEqual(alsoFetched.sort());
  expect(fromService.some((r) => r.includes("/v1/verify"))).toBe(false);
}

export async function paste(page: Page, text: string): Promise<void> {
  await page.getByTestId("paste-input").fill(text);
  await page.getByTestId("paste-verify").click();
}

export async function checks(page: Page): Promise<Record<string, string | null>> {
  const rows = await page.getByTestId("check").all();
  return Object.fromEntries(
    await Promise.all(
      rows.map(async (row) => [await row.getAttribute("data-check"), await row.getAttribute("data-ok")]),
    ),
  ) as Record<string, string | null>;
}

export async function field(page: Page, pointer: string) {
  const node = page.locator(`[data-testid=field][data-pointer="${pointer}"]`);
  return { hidden: await node.getAttribute("data-hidden"), text: await node.textContent() };
}

/** The text of the result area: what a person sees of the credential(s). */
export const shown = (page: Page) => page.getByTestId("details").innerText();
