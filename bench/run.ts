/**
 * `npm run bench [-- --smoke | --full] [--only P1,P5]`: runs the benchmark sections (each in a
 * process of its own), prints the results table, and, unless `--smoke`, writes
 * `bench/results.json`, the table of docs/benchmarks.md and the README's summary of it.
 * `npm run bench -- --report` runs nothing: it rewrites both tables from `bench/results.json`.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runIsolated } from "./lib/isolate";
import {
  environment,
  markdownTable,
  mergeResults,
  readResults,
  type ResultsFile,
  updateReadme,
  updateReadmeSummary,
  writeResults,
} from "./lib/report";
import { type Mode, SECTION_IDS, type SectionId, type SectionResult } from "./lib/types";

const ROOT = join(__dirname, "..");
const RESULTS = join(__dirname, "results.json");

function selected(only: string | undefined): SectionId[] {
  if (only === undefined) return [...SECTION_IDS];
  const ids = only.split(",").map((s) => s.trim());
  const unknown = ids.filter((id) => !(SECTION_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(", ")} (known: ${SECTION_IDS.join(", ")})`);
  return SECTION_IDS.filter((id) => ids.includes(id));
}

/** The full table of docs/benchmarks.md and the README's summary, from `file`. */
async function writeTables(file: ResultsFile): Promise<void> {
  await updateReadme(join(ROOT, "docs", "benchmarks.md"), file);
  await updateReadmeSummary(join(ROOT, "README.md"), file);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      only: { type: "string" },
      report: { type: "boolean", default: false },
    },
  });
  if (values.report) {
    await writeTables(readResults(RESULTS));
    console.log("rewrote the tables of docs/benchmarks.md and README.md from bench/results.json");
    return;
  }
  if (values.smoke && values.full) throw new Error("--smoke and --full exclude each other");
  const mode: Mode = values.smoke ? "smoke" : values.full ? "full" : "default";
  const results: SectionResult[] = [];
  let failed = 0;
  for (const id of selected(values.only)) {
    process.stderr.write(`${id} (${mode})… `);
    try {
      const result = await runIsolated(id, mode);
      process.stderr.write(`${result.seconds.toFixed(1)} s\n`);
      results.push(result);
    } catch (error) {
      failed++;
      process.stderr.write(`FAILED\n${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
  console.log(`\n${markdownTable(results.flatMap((r) => r.rows))}\n`);
  for (const r of results) console.log(`${r.id} (${r.seconds.toFixed(1)} s): ${JSON.stringify(r.details)}`);
  if (mode !== "smoke" && results.length > 0) {
    const file = mergeResults(readResults(RESULTS), results, environment());
    await writeResults(RESULTS, file);
    await writeTables(file);
    console.log("\nwrote bench/results.json, the table of docs/benchmarks.md and the README's summary");
  }
  if (failed > 0) process.exitCode = 1;
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
