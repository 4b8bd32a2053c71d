import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { ESLint } from "eslint";
import { afterAll, describe, expect, it } from "vitest";

// The layers are enforced by `npm run lint:layers` (dependency-cruiser, .dependency-cruiser.cjs) and by
// ESLint's no-restricted-globals for browser-safe files. These tests make a deliberately wrong import in a
// scratch copy of the rooms and check that the rules refuse it, so a loosened rule fails here.
const ROOT = resolve(__dirname, "../..");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");
const run = promisify(execFile);
const scratch: string[] = [];

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** Runs the project's layer rules over a tree of `files` (path → source); the rules it broke, by name. */
async function brokenRules(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "credroot-layers-"));
  scratch.push(dir);
  copyFileSync(join(ROOT, ".dependency-cruiser.cjs"), join(dir, ".dependency-cruiser.cjs"));
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "commonjs", strict: true } }));
  const all = { "src/index.ts": "export const ok = 1;\n", ...files };
  for (const [path, source] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const rooms = [...new Set(Object.keys(all).map((path) => path.split("/")[0]!))];
  try {
    await run(process.execPath, [DEPCRUISE, "--config", ".dependency-cruiser.cjs", ...rooms], { cwd: dir });
    return [];
  } catch (error) {
    // Violations make depcruise exit non-zero (their count) (what fails `npm test`), with one "error <rule>:" line each.
    const { code, stdout } = error as { code: number; stdout: string };
    expect(code).toBeGreaterThan(0);
    return [...new Set([...stdout.matchAll(/^\s*error ([\w-]+):/gm)].map((m) => m[1]!))].sort();
  }
}

describe("the layer rules (.dependency-cruiser.cjs, run by npm test)", () => {
  it("accept the layout as it should be", async () => {
    expect(
      await brokenRules({
        "src/node/csv.ts":
          'import { readFileSync } from "node:fs";\nimport { ok } from "../index";\nexport { ok, readFileSync };\n',
        "cli/main.ts":
          'import { ok } from "../src";\nimport { readFileSync } from "node:fs";\nexport { ok, readFileSync };\n',
        "server/app.ts": 'import { ok } from "../src";\nexport { ok };\n',
        "harness/service.ts": 'import { ok } from "../server/app";\nexport { ok };\n',
        "bench/run.ts": 'import { ok } from "../harness/service";\nexport { ok };\n',
        "web/src/main.ts": 'import { ok } from "../../src";\nexport { ok };\n',
        "test/a.test.ts": 'import { ok } from "../harness/service";\nexport { ok };\n',
      }),
    ).toEqual([]);
  }, 30_000);

  it("refuse a Node built-in in the browser-safe library", async () => {
    expect(
      await brokenRules({ "src/hash.ts": 'import { createHash } from "node:crypto";\nexport { createHash };\n' }),
    ).toEqual(["library-is-browser-safe"]);
  }, 30_000);

  it("refuse the library importing the service or the CLI, and browser-safe files importing src/node/", async () => {
    expect(
      await brokenRules({
        "server/app.ts": "export const app = 1;\n",
        "cli/main.ts": "export const main = 1;\n",
        "src/node/csv.ts": "export const csv = 1;\n",
        "src/a.ts": 'import { app } from "../server/app";\nexport { app };\n',
        "src/b.ts": 'import { main } from "../cli/main";\nexport { main };\n',
        "src/c.ts": 'import { csv } from "./node/csv";\nexport { csv };\n',
      }),
    ).toEqual(["browser-safe-library-not-node-room", "library-stands-alone"]);
  }, 30_000);

  it("refuse the web page importing the service, and bench or the harness importing tests", async () => {
    expect(
      await brokenRules({
        "server/app.ts": "export const app = 1;\n",
        "test/support/db.ts": "export const db = 1;\n",
        "web/src/main.ts": 'import { app } from "../../server/app";\nexport { app };\n',
        "bench/run.ts": 'import { db } from "../test/support/db";\nexport { db };\n',
      }),
    ).toEqual(["only-tests-import-tests", "web-is-browser-safe"]);
  }, 30_000);

  it("refuse the service importing the CLI, the CLI importing the service, and import cycles", async () => {
    expect(
      await brokenRules({
        "server/app.ts": 'import { main } from "../cli/main";\nexport const app = main;\n',
        "cli/main.ts": "export const main = 1;\n",
        "cli/other.ts": 'import { app } from "../server/app";\nexport { app };\n',
        "src/a.ts": 'import { b } from "./b";\nexport const a = () => b;\n',
        "src/b.ts": 'import { a } from "./a";\nexport const b = () => a;\n',
      }),
    ).toEqual(["cli-is-a-client", "no-cycles", "service-not-cli"]);
  }, 30_000);
});

describe("no Node globals in browser-safe files (eslint.config.mjs)", () => {
  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (path: string, source: string) =>
    (await eslint.lintText(source, { filePath: join(ROOT, path) }))[0]!.messages.map((m) => m.ruleId);

  it("refuses Buffer and process in src/ and web/src/, allows them in src/node/", async () => {
    const source = 'export const n = Buffer.from("x").length + Number(process.env.N);\n';
    expect(await lint("src/json.ts", source)).toEqual(["no-restricted-globals", "no-restricted-globals"]);
    expect(await lint("web/src/main.ts", source)).toEqual(["no-restricted-globals", "no-restricted-globals"]);
    expect(await lint("src/node/csv.ts", source)).toEqual([]);
  }, 60_000);
});
