import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const SCRIPT = join(__dirname, "../../scripts/test-deps.sh");

/**
 * Runs scripts/test-deps.sh with stand-ins for dpkg-query, apt-get, sudo and id on the PATH, which
 * record what they were asked to do: nothing is installed.
 */
describe("scripts/test-deps.sh", () => {
  let bin: string;
  let calls: string;

  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), "credroot-testdeps-"));
    calls = join(bin, "calls.log");
    writeFileSync(calls, "");
  });

  afterEach(() => {
    rmSync(bin, { recursive: true, force: true });
  });

  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };

  const runWith = async (installed: string[], uid: number) => {
    stub(
      "dpkg-query",
      `for p in ${installed.join(" ")}; do [ "\${@: -1}" = "$p" ] && { echo -n "install ok installed"; exit 0; }; done; exit 1`,
    );
    stub("apt-get", `echo "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> ${calls}`);
    stub("sudo", `echo "sudo" >> ${calls}; "$@"`);
    stub("id", `echo ${uid}`);
    await run("bash", [SCRIPT], { env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` } });
    return readFileSync(calls, "utf8").trim().split("\n").filter(Boolean);
  };

  it("does nothing when postgresql and chromium are installed", async () => {
    expect(await runWith(["postgresql", "chromium"], 0)).toEqual([]);
  });

  it("updates the package lists, then installs only what is missing, non-interactively, as root without sudo", async () => {
    const log = await runWith(["postgresql"], 0);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^apt-get update /);
    expect(log[1]).toMatch(/^apt-get install -y .* chromium DEBIAN_FRONTEND=noninteractive$/);
    expect(log[1]).not.toContain("postgresql");
  });

  it("goes through sudo when not root", async () => {
    const log = await runWith([], 1000);
    expect(log.filter((line) => line === "sudo")).toHaveLength(2);
    expect(log.at(-1)).toMatch(/^apt-get install -y .* postgresql chromium DEBIAN_FRONTEND=noninteractive$/);
  });
});
