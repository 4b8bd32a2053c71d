import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium: the tests never download a browser. */
export const CHROMIUM = "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A headless Chromium with a new, empty profile; `close()` also deletes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Launches Debian's Chromium through playwright-core; `extraArgs` e.g. map a host name to
 * 127.0.0.1 (`--host-resolver-rules=MAP credroot.test 127.0.0.1`), so nothing leaves the machine.
 * @throws Error in one line saying how to install it when it is missing (the test fails, never skips).
 */
export async function launchChromium(executablePath = CHROMIUM, extraArgs: readonly string[] = []): Promise<Browser> {
  if (!existsSync(executablePath)) throw new Error(`${executablePath} is missing: run ./scripts/test-deps.sh`);
  const profile = mkdtempSync(join(tmpdir(), "credroot-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath, args: [...ARGS, ...extraArgs] });
  context.setDefaultTimeout(10_000); // a page that never gets ready fails in seconds, not minutes
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A request the page made: what a test checks to show the verdict came from the chain, not a server. */
export interface SeenRequest {
  method: string;
  url: string;
}

/** A page that records every request it makes, opened at `url` and ready (config loaded, link checked). */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; requests: SeenRequest[] }> {
  const page = await context.newPage();
  const requests: SeenRequest[] = [];
  page.on("request", (request) => requests.push({ method: request.method(), url: request.url() }));
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  return { page, requests };
}

/** Waits until the verdict is no longer pending (or is `code`) and returns its code and text. */
export async function verdictOf(page: Page, code?: string): Promise<{ code: string; text: string }> {
  await page.waitForFunction((expected) => {
    const box = document.getElementById("verdict");
    const current = box?.dataset.code ?? "";
    return expected ? current === expected : current !== "" && current !== "checking";
  }, code);
  const box = page.getByTestId("verdict");
  return { code: (await box.getAttribute("data-code")) ?? "", text: (await box.textContent()) ?? "" };
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
};

/** A plain static file server for `dir` on 127.0.0.1 (what anyone hosting a static copy would run). */
export async function serveStatic(dir: string): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(dir) || !existsSync(file)) {
      response.writeHead(404).end("not found");
      return;
    }
    response.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
    response.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
