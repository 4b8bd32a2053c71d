import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALWAYS_DISCLOSED, type Bundle, parseBundle } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { anchorBatch, cli, tempFolder, writeFile } from "./harness";

describe("credroot disclose", () => {
  let fx: RegistryFixture;
  let folder: string;
  let full: string;
  let bundle: Bundle;
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
    bundle = (await anchorBatch(fx, [sampleCredential(0), sampleCredential(1)])).bundles[0]!;
    folder = tempFolder();
    full = writeFile(folder, "full.json", bundle);
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("writes a v2 copy with the named fields hidden and no secret, which still verifies as valid", async () => {
    const shared = join(folder, "shared.json");
    const disclosed = await cli(["disclose", full, "--hide", "learner.email,/assessment/grade", "-o", shared]);
    expect(disclosed).toEqual({
      status: 0,
      stdout: "",
      stderr: `wrote ${shared}; hidden: /assessment/grade, /learner/email\n`,
    });
    const copy = parseBundle(readFileSync(shared, "utf8"));
    expect(copy.version).toBe(2);
    expect(copy.secret).toBeUndefined();
    expect(Object.keys(copy.hidden ?? {})).toEqual(["/assessment/grade", "/learner/email"]);
    expect(copy.credential.learner).toEqual({ name: "Ana Novak", identifier: "S100000" });
    expect(readFileSync(shared, "utf8")).not.toContain("learner0@example.org");

    const verified = await cli(["verify", shared, ...trust()]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(`${shared}: VALID`);
    expect(verified.stdout).toMatch(/hidden +\/assessment\/grade, \/learner\/email/);
  });

  it("prints the new bundle on stdout without -o, and takes --hide more than once", async () => {
    const { status, stdout } = await cli(["disclose", full, "--hide", "learner", "--hide", "assessment.grade"]);
    expect(status).toBe(0);
    const copy = parseBundle(stdout);
    expect(Object.keys(copy.hidden ?? {}).sort()).toEqual([
      "/assessment/grade",
      "/learner/email",
      "/learner/identifier",
      "/learner/name",
    ]);
    expect(copy.credential.learner).toBeUndefined();
  });

  it("refuses to hide a field that identifies the credential, listing the fields always disclosed, and exits 2", async () => {
    expect(ALWAYS_DISCLOSED).toEqual(["/id", "/title", "/issuedOn", "/validUntil"]);
    const { status, stdout, stderr } = await cli(["disclose", full, "--hide", "title"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "credroot: /title identifies the credential and cannot be hidden " +
        "(always disclosed: /id, /title, /issuedOn, /validUntil)\n",
    );
    const help = await cli(["disclose", "--help"]);
    expect(help.stdout.replace(/\s+/g, " ")).toContain("/id, /title, /issuedOn, /validUntil cannot be hidden");
  });

  it("refuses a field the credential does not have", async () => {
    const { status, stderr } = await cli(["disclose", full, "--hide", "learner.shoeSize"]);
    expect(status).toBe(2);
    expect(stderr).toBe("credroot: the credential has no field /learner/shoeSize\n");
  });

  it("refuses to overwrite the bundle it reads", async () => {
    const { status, stderr } = await cli(["disclose", full, "--hide", "learner.email", "-o", full]);
    expect(status).toBe(2);
    expect(stderr).toContain("-o names the input bundle");
    expect(parseBundle(readFileSync(full, "utf8")).secret).toBeDefined();
  });

  it("exits 2 for a file that is not a bundle", async () => {
    const { status, stderr } = await cli(["disclose", writeFile(folder, "x.json", [1, 2]), "--hide", "learner"]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: invalid bundle: /);
  });

  it("refuses a bundle with a duplicate key in one line, exit 2", async () => {
    const text = JSON.stringify(bundle).replace('"name":', '"name":"Someone Else","name":');
    const file = writeFile(folder, "duplicate.json", text);
    const { status, stdout, stderr } = await cli(["disclose", file, "--hide", "learner.email"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe('credroot: the bundle repeats the key "name"\n');
  });

  it("tells a version 1 bundle to be re-issued", async () => {
    const file = join(__dirname, "../fixtures/bundle-v1.json");
    const { status, stderr } = await cli(["disclose", file, "--hide", "learner.email"]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: this is a version 1 credroot bundle, .*re-issue it\n$/);
  });
});
