import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ensureWebBuild, webBuildState } from "../../scripts/lib/build";

const ROOT = resolve(__dirname, "../..");
const scratch = mkdtempSync(join(tmpdir(), "credroot-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder with a page's sources and, when `built`, a build of them dated `builtAt` (seconds). */
function site(name: string, built: boolean, builtAt = 1_500_000_000): { dist: string; inputs: string[] } {
  const dir = join(scratch, name);
  const source = join(dir, "src", "main.ts");
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(source, "export {};\n");
  utimesSync(source, 1_000_000_000, 1_000_000_000);
  utimesSync(join(dir, "src"), 1_000_000_000, 1_000_000_000);
  const dist = join(dir, "dist");
  if (built) {
    mkdirSync(dist);
    for (const file of ["index.html", "app.js", "style.css"]) {
      writeFileSync(join(dist, file), "");
      utimesSync(join(dist, file), builtAt, builtAt);
    }
  }
  return { dist, inputs: [join(dir, "src")] };
}

describe("webBuildState", () => {
  it("is missing without a build, current when the build is newer than every source, stale otherwise", () => {
    const none = site("none", false);
    expect(webBuildState(none.dist, none.inputs)).toBe("missing");
    const fresh = site("fresh", true);
    expect(webBuildState(fresh.dist, fresh.inputs)).toBe("current");
    const old = site("old", true, 500_000_000);
    expect(webBuildState(old.dist, old.inputs)).toBe("stale");
  });

  it("is missing when one of the build's files is gone, stale when a source was added since", () => {
    const partial = site("partial", true);
    rmSync(join(partial.dist, "style.css"));
    expect(webBuildState(partial.dist, partial.inputs)).toBe("missing");
    const added = site("added", true);
    writeFileSync(join(added.inputs[0]!, "new.ts"), "export {};\n");
    expect(webBuildState(added.dist, added.inputs)).toBe("stale");
  });
});

describe("ensureWebBuild (npm start)", () => {
  it("leaves a current build alone, and builds one that is missing, saying so", async () => {
    const fresh = site("kept", true);
    const said: string[] = [];
    expect(await ensureWebBuild((line) => said.push(line), fresh)).toBe(false);
    expect(said).toEqual([]);
    const none = site("built", false);
    expect(await ensureWebBuild((line) => said.push(line), none)).toBe(true);
    expect(said).toEqual([`building the web verifier page in ${none.dist}…`]);
    expect(existsSync(join(none.dist, "app.js"))).toBe(true);
    expect(webBuildState(none.dist, none.inputs)).toBe("current");
  });
});

/** `npm run <script>` in `cwd`, settled with its exit code and output. */
function npmRun(cwd: string, script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, RPC_URL: "", CHAIN_ID: "", REGISTRY_ADDRESS: "", ISSUER_PRIVATE_KEY: "" };
  return new Promise((done) => {
    execFile("npm", ["run", "-s", script], { cwd, env }, (error, stdout, stderr) => {
      done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe("npm run serve builds nothing", () => {
  it("stops in one line naming npm run build in a checkout without it, and starts once it has run", async () => {
    // A checkout of what `npm run serve` and `npm run build` use, with no web/dist, no contracts
    // and so no artifacts: the service needs the page only.
    const checkout = join(scratch, "checkout");
    for (const path of ["package.json", "tsconfig.json", "hardhat.config.ts", "src", "server", "scripts", "web"]) {
      cpSync(join(ROOT, path), join(checkout, path), {
        recursive: true,
        filter: (from) => !/^web\/dist/.test(relative(ROOT, from)),
      });
    }
    symlinkSync(join(ROOT, "node_modules"), join(checkout, "node_modules"));

    const refused = await npmRun(checkout, "serve");
    expect(refused).toEqual({
      code: 1,
      stdout: "",
      stderr: "credroot could not start: the web verifier page (web/dist) is not built: run `npm run build`\n",
    });
    expect(existsSync(join(checkout, "web/dist"))).toBe(false);

    const built = await npmRun(checkout, "build");
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toContain(`web verifier page written to ${join(checkout, "web/dist")}`);
    // Past the build check, into the service's own start-up: here its configuration, which is empty.
    const started = await npmRun(checkout, "serve");
    expect(started.code).toBe(2);
    expect(started.stderr).not.toContain("web verifier page");
    expect(started.stderr).toMatch(/RPC_URL/);
  }, 90_000);
});
