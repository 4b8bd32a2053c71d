import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundleFor, newBatchId, prepareBatch } from "../../src";
import { parsePresentation } from "../../src/presentation";
import { sampleCredential } from "../../scripts/lib/samples";
import { cli, tempFolder, writeFile } from "./harness";

const present = (argv: readonly string[]) => cli(["present", ...argv]);

const context = { chainId: 31337, registry: `0x${"11".repeat(20)}`, issuerId: 1, batchId: newBatchId() };
const batch = prepareBatch([sampleCredential(0), sampleCredential(1)], context);
const bundles = [0, 1].map((i) => bundleFor(batch, i, 3));

describe("credroot present", () => {
  it("writes the bundles, in order, into one version 2 presentation file", async () => {
    const folder = tempFolder();
    const files = bundles.map((b, i) => writeFile(folder, `b${i}.json`, b));
    const out = join(folder, "presentation.json");
    const { status, stderr } = await present([...files, "-o", out]);
    expect(status).toBe(0);
    // Issue 15, point 22: samples 0 and 1 are two learners, which the learner is told.
    expect(stderr).toBe(
      'warning: the valid credentials do not all name the same learner ("S100000", "S100001"): ' +
        `the answers add up credentials of different people\nwrote ${out} (2 bundles)\n`,
    );
    const presentation = parsePresentation(readFileSync(out, "utf8"));
    expect(presentation).toMatchObject({ type: "credroot/presentation", version: 2 });
    expect(presentation.bundles).toEqual(bundles);
  });

  it("prints the presentation on stdout without -o", async () => {
    const folder = tempFolder();
    const { status, stdout } = await present([writeFile(folder, "b.json", bundles[0])]);
    expect(status).toBe(0);
    expect(parsePresentation(stdout).bundles).toEqual([bundles[0]]);
  });

  it("refuses a bundle with a duplicate key, naming its file, exit 2", async () => {
    const folder = tempFolder();
    const text = JSON.stringify(bundles[1]).replace('"title":', '"title":"Doctor of Medicine","title":');
    const bad = writeFile(folder, "dup.json", text);
    const { status, stdout, stderr } = await present([writeFile(folder, "b.json", bundles[0]), bad]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(`credroot: ${bad} is not a bundle: the bundle repeats the key "title"\n`);
  });

  it("refuses a version 1 bundle, telling it to be re-issued", async () => {
    const v1 = join(__dirname, "../fixtures/bundle-v1.json");
    const { status, stderr } = await present([v1]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/is not a bundle: this is a version 1 credroot bundle, .*re-issue it\n$/);
  });

  it("exits 2 naming a file that is not a bundle", async () => {
    const folder = tempFolder();
    const bad = writeFile(folder, "bad.json", { hello: "world" });
    const { status, stderr } = await present([writeFile(folder, "b.json", bundles[0]), bad]);
    expect(status).toBe(2);
    expect(stderr).toContain(`${bad} is not a bundle`);
  });
});
