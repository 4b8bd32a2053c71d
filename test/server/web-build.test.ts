import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { parseTrustConfig } from "../../src";
import { loadWebAssets } from "../../server/web/assets";
import { launchChromium } from "../support/browser";

const run = promisify(execFile);
const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const scratch = mkdtempSync(join(tmpdir(), "credroot-web-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `npm run build:web -- …args`, as the tsx script it runs. */
function buildWebCli(...args: string[]) {
  return run(process.execPath, [require.resolve("tsx/cli"), "scripts/build-web.ts", ...args]);
}

describe("loadWebAssets", () => {
  it("builds the page when its folder is missing (a fresh checkout) and serves it under <base href=/>", async () => {
    const dir = join(scratch, "fresh");
    const assets = await loadWebAssets(dir);
    expect(existsSync(join(dir, "app.js"))).toBe(true);
    expect(assets.html).toContain('<base href="/" />');
    expect(assets.js).not.toContain("new Function"); // schemas were compiled ahead of time: no eval under the CSP
  });
});

describe("npm run build:web", () => {
  it("writes a static copy with its config.json from --rpc, --chain-id and --registry", async () => {
    const out = join(scratch, "static");
    const { stdout } = await buildWebCli(
      "--rpc",
      "https://rpc.example",
      "--chain-id",
      "10",
      "--registry",
      REGISTRY,
      "--out",
      out,
    );
    expect(stdout).toContain(`web verifier page written to ${out} (with config.json)`);
    for (const file of ["index.html", "app.js", "style.css"]) expect(existsSync(join(out, file))).toBe(true);
    expect(parseTrustConfig(JSON.parse(readFileSync(join(out, "config.json"), "utf8")))).toEqual({
      chains: [{ chainId: 10, registries: [REGISTRY], rpcUrl: "https://rpc.example" }],
    });
  });

  it.each([
    [["--rpc", "https://rpc.example"], "--rpc, --chain-id and --registry go together"],
    [["--rpc", "https://rpc.example", "--chain-id", "1", "--registry", "0x1234"], "must be a 0x… contract address"],
    [["--rpc", "rpc.example", "--chain-id", "1", "--registry", REGISTRY], "must be an http(s) URL"],
  ])("refuses %j in one line", async (args, message) => {
    const error = await buildWebCli(...args, "--out", join(scratch, "refused")).then(
      () => new Error("it succeeded"),
      (e: unknown) => e as Error & { stderr: string },
    );
    expect((error as { stderr?: string }).stderr ?? "").toContain(message);
    expect(existsSync(join(scratch, "refused"))).toBe(false);
  });
});

describe("launchChromium", () => {
  it("fails in one line saying how to install Chromium when it is missing", async () => {
    await expect(launchChromium("/nonexistent/chromium")).rejects.toThrow(
      "/nonexistent/chromium is missing: run ./scripts/test-deps.sh",
    );
  });
});
