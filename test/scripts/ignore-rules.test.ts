import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(__dirname, "../..");
/** Every file the walkthroughs of README.md and docs/ (cli.md, http-api.md, web.md) write (curl > …, -o …, --out …). */
const WRITTEN = [
  "bundles/2026-06/0001.json",
  "bundles/2026-06/credentials.csv",
  "out/shared.json",
  "bundle.json",
  "shared.json",
  "presentation.json",
  "badge.json",
  "results.json",
  "verifier/app.js",
];

describe("the documented walkthroughs in a checkout", () => {
  const dir = mkdtempSync(join(tmpdir(), "credroot-ignore-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes only what git and Prettier ignore, so `npm test` stays green", () => {
    for (const file of [".gitignore", ".prettierignore"]) copyFileSync(join(ROOT, file), join(dir, file));
    for (const file of WRITTEN) {
      mkdirSync(join(dir, file, ".."), { recursive: true });
      writeFileSync(join(dir, file), '{"badly":   "formatted"}');
    }
    execFileSync("git", ["init", "-q"], { cwd: dir });
    const git = spawnSync("git", ["check-ignore", ...WRITTEN], { cwd: dir, encoding: "utf8" });
    expect(git.stdout.trim().split("\n")).toEqual(WRITTEN);
    const prettier = spawnSync(process.execPath, [require.resolve("prettier/bin/prettier.cjs"), "--check", "."], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(prettier.status, prettier.stdout + prettier.stderr).toBe(0);
  });

  it("bin/credroot.cjs runs from any folder", () => {
    const run = spawnSync(process.execPath, [join(ROOT, "bin/credroot.cjs"), "--version"], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
