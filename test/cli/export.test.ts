import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { bundleFor, discloseBundle, initHasher, parseBundle, prepareBatch } from "../../src";
import { addExportCommand } from "../../src/cli/export";
import { addImportCommand } from "../../src/cli/import";
import { type ExitCode, EXIT } from "../../src/cli/io";
import { buildProgram, report } from "../../src/cli/main";
import { TEST_ANCHOR } from "../src/helpers";
import { type CliRun, recorder, tempFolder, writeFile } from "./harness";

/**
 * `cli()` of the harness, with export and import added to the program when main.ts does not
 * register them yet; once it does, this is `cli()` itself.
 */
async function cli(argv: readonly string[]): Promise<CliRun> {
  const [stdout, stderr] = [recorder(), recorder()];
  const io = { stdout, stderr, env: {} };
  let status: ExitCode = EXIT.ok;
  const context = { io, exit: (code: ExitCode) => (status = code) };
  const program = buildProgram(context);
  const has = (name: string) => program.commands.some((c) => c.name() === name);
  if (!has("export")) addExportCommand(program, context);
  if (!has("import")) addImportCommand(program, context);
  try {
    await initHasher();
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    status = report(io, error);
  }
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

const full = bundleFor(prepareBatch([sampleCredential(0), sampleCredential(1)]), 0, TEST_ANCHOR);
const shared = discloseBundle(full, ["learner.email"]);

describe("credroot export", () => {
  const folder = tempFolder();
  const bundleFile = writeFile(folder, "shared.json", shared);

  it("prints an Open Badges 3.0 credential on stdout by default", async () => {
    const { status, stdout, stderr } = await cli(["export", bundleFile]);
    expect([status, stderr]).toEqual([0, ""]);
    const doc = JSON.parse(stdout) as { type: string[]; proof: { type: string; hidden: string[] } };
    expect(doc.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
    expect(doc.proof).toMatchObject({ type: "CredrootMerkleAnchor2026", hidden: ["/learner/email"] });
    expect(stdout).not.toContain("learner0@example.org");
  });

  it("writes a plain VC with -o, and import gives the bundle back unchanged", async () => {
    const vc = join(folder, "vc.json");
    const exported = await cli(["export", bundleFile, "--format", "vc", "-o", vc]);
    expect(exported).toEqual({ status: 0, stdout: "", stderr: `wrote ${vc} (Verifiable Credential 2.0)\n` });
    const back = join(folder, "back.json");
    const imported = await cli(["import", vc, "-o", back]);
    expect(imported).toEqual({ status: 0, stdout: "", stderr: `wrote ${back} (bundle)\n` });
    expect(parseBundle(readFileSync(back, "utf8"))).toEqual(shared);
    expect(parseBundle((await cli(["import", vc])).stdout)).toEqual(shared);
  });

  it("exits 2 for an unknown format, a file that is not a bundle, or -o naming the input", async () => {
    const format = await cli(["export", bundleFile, "--format", "pdf"]);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain("Allowed choices are vc, ob3");
    const notBundle = await cli(["export", writeFile(folder, "x.json", [1])]);
    expect(notBundle.status).toBe(2);
    expect(notBundle.stderr).toMatch(/^credroot: invalid bundle: /);
    const same = await cli(["export", bundleFile, "-o", bundleFile]);
    expect(same).toMatchObject({ status: 2, stderr: "credroot: -o names the input file: write to another file\n" });
  });
});

describe("credroot import", () => {
  const folder = tempFolder();

  it("refuses a credential whose visible title was edited, in one line, exit 2", async () => {
    const doc = JSON.parse((await cli(["export", writeFile(folder, "b.json", full)])).stdout) as { name: string };
    doc.name = "Doctorate in Everything";
    const { status, stdout, stderr } = await cli(["import", writeFile(folder, "edited.json", doc)]);
    expect([status, stdout]).toEqual([2, ""]);
    expect(stderr).toBe("credroot: the credential's /name disagrees with its embedded bundle\n");
  });

  it("refuses a credential without a credroot proof, and a missing file", async () => {
    const none = await cli(["import", writeFile(folder, "none.json", { type: ["VerifiableCredential"] })]);
    expect(none).toMatchObject({
      status: 2,
      stderr: "credroot: the credential carries no CredrootMerkleAnchor2026 proof\n",
    });
    const missing = await cli(["import", join(folder, "nope.json")]);
    expect(missing).toMatchObject({
      status: 2,
      stderr: `credroot: cannot read ${join(folder, "nope.json")}: no such file\n`,
    });
  });
});
