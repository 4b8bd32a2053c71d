import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readResults, updateReadme, updateReadmeSummary } from "../../bench/lib/report";

const ROOT = join(__dirname, "../..");
const results = () => readResults(join(ROOT, "bench", "results.json"));

describe("the benchmark tables are the latest run's (bench/results.json)", () => {
  const dir = mkdtempSync(join(tmpdir(), "credroot-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["README.md", updateReadmeSummary],
    ["docs/benchmarks.md", updateReadme],
  ] as const)("%s holds exactly what the results file generates", async (file, update) => {
    const copy = join(dir, file.replace("/", "-"));
    copyFileSync(join(ROOT, file), copy);
    await update(copy, results());
    // `npm run bench -- --report` rewrites the committed file the same way.
    expect(readFileSync(copy, "utf8")).toBe(readFileSync(join(ROOT, file), "utf8"));
  });

  it("lists in the README every figure that has a target, and names the unmet ones", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const rows = Object.values(results().sections).flatMap((s) => s.rows);
    for (const row of rows.filter((r) => r.met !== null)) {
      const line = readme
        .split("\n")
        .find((l) => l.startsWith(`| ${row.id.padEnd(3)} | ${row.figure.replace(/\|/g, "\\|")}`));
      expect(line, row.figure).toBeDefined();
      expect(line!.trimEnd().endsWith(row.met ? "| yes    |" : "| **no** |"), line).toBe(true);
    }
  });

  it("refuses a file without the markers rather than appending a table somewhere", async () => {
    const copy = join(dir, "no-markers.md");
    writeFileSync(copy, "# Nothing here\n");
    await expect(updateReadmeSummary(copy, results())).rejects.toThrow(/no <!-- bench:summary:start -->/);
    expect(readFileSync(copy, "utf8")).toBe("# Nothing here\n");
  });
});
