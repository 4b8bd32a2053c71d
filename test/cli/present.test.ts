import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { bundleFor, prepareBatch } from "../../src";
import { addPresentCommand } from "../../src/cli/present";
import type { ExitCode } from "../../src/cli/io";
import { report } from "../../src/cli/main";
import { parsePresentation } from "../../src/presentation";
import { sampleCredential } from "../../scripts/lib/samples";
import { recorder, tempFolder, writeFile } from "./harness";

/** Runs `credroot present …argv` with only the present command registered (main.ts not yet wired). */
async function present(argv: readonly string[]) {
  const [stdout, stderr] = [recorder(), recorder()];
  let status: ExitCode = 0;
  const program = new Command("credroot").exitOverride();
  addPresentCommand(program, { io: { stdout, stderr, env: {} }, exit: (code) => (status = code) });
  try {
    await program.parseAsync(["present", ...argv], { from: "user" });
  } catch (error) {
    status = report({ stdout, stderr, env: {} }, error);
  }
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

const batch = prepareBatch([sampleCredential(0), sampleCredential(1)]);
const anchor = {
  chainId: 31337,
  registry: `0x${"11".repeat(20)}`,
  issuerId: 1,
  txHash: `0x${"ab".repeat(32)}` as const,
  blockNumber: 3,
};
const bundles = [0, 1].map((i) => bundleFor(batch, i, anchor));

describe("credroot present", () => {
  it("writes the bundles, in order, into one presentation file", async () => {
    const folder = tempFolder();
    const files = bundles.map((b, i) => writeFile(folder, `b${i}.json`, b));
    const out = join(folder, "presentation.json");
    const { status, stderr } = await present([...files, "-o", out]);
    expect(status).toBe(0);
    expect(stderr).toBe(`wrote ${out} (2 bundles)\n`);
    expect(parsePresentation(readFileSync(out, "utf8")).bundles).toEqual(bundles);
  });

  it("prints the presentation on stdout without -o", async () => {
    const folder = tempFolder();
    const { status, stdout } = await present([writeFile(folder, "b.json", bundles[0])]);
    expect(status).toBe(0);
    expect(parsePresentation(stdout).bundles).toEqual([bundles[0]]);
  });

  it("exits 2 naming a file that is not a bundle", async () => {
    const folder = tempFolder();
    const bad = writeFile(folder, "bad.json", { hello: "world" });
    const { status, stderr } = await present([writeFile(folder, "b.json", bundles[0]), bad]);
    expect(status).toBe(2);
    expect(stderr).toContain(`${bad} is not a bundle`);
  });
});
