import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleFor, parseBundle, prepareBatch } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../support/registry";
import { cli, tempFolder, writeFile } from "./harness";

describe("credroot disclose", () => {
  let fx: RegistryFixture;
  let folder: string;
  let full: string;
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
    const batch = prepareBatch([sampleCredential(0), sampleCredential(1)]);
    const { txHash, blockNumber } = await fx.issuer.anchor(batch.root, batch.count);
    const anchor = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, txHash, blockNumber };
    folder = tempFolder();
    full = writeFile(folder, "full.json", bundleFor(batch, 0, anchor));
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("writes a copy with the named fields hidden, which still verifies as valid", async () => {
    const shared = join(folder, "shared.json");
    const disclosed = await cli(["disclose", full, "--hide", "learner.email,/assessment/grade", "-o", shared]);
    expect(disclosed).toEqual({
      status: 0,
      stdout: "",
      stderr: `wrote ${shared}; hidden: /assessment/grade, /learner/email\n`,
    });
    const bundle = parseBundle(readFileSync(shared, "utf8"));
    expect(bundle.credential.fields["/learner/email"]).toEqual({
      hash: expect.stringMatching(/^0x[0-9a-f]{64}$/) as unknown,
    });
    expect(bundle.credential.fields["/learner/name"]).toHaveProperty("value", "Ana Novak");

    const verified = await cli(["verify", shared, ...trust()]);
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(`${shared}: VALID`);
    expect(verified.stdout).toMatch(/hidden +\/assessment\/grade, \/learner\/email/);
  });

  it("prints the new bundle on stdout without -o, and takes --hide more than once", async () => {
    const { status, stdout } = await cli(["disclose", full, "--hide", "learner", "--hide", "assessment.grade"]);
    expect(status).toBe(0);
    const hidden = Object.entries(parseBundle(stdout).credential.fields)
      .filter(([, field]) => "hash" in field)
      .map(([pointer]) => pointer);
    expect(hidden.sort()).toEqual(["/assessment/grade", "/learner/email", "/learner/identifier", "/learner/name"]);
  });

  it("refuses to hide a field that identifies the credential, and exits 2", async () => {
    const { status, stdout, stderr } = await cli(["disclose", full, "--hide", "title"]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("credroot: /title identifies the credential and cannot be hidden\n");
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
    expect(parseBundle(readFileSync(full, "utf8")).credential.fields["/learner/email"]).toHaveProperty("value");
  });

  it("exits 2 for a file that is not a bundle", async () => {
    const { status, stderr } = await cli(["disclose", writeFile(folder, "x.json", [1, 2]), "--hide", "learner"]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: invalid bundle: /);
  });
});
