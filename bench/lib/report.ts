import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { format } from "prettier";
import { type Mode, type Quantity, type Row, SECTION_IDS, type SectionId, type SectionResult } from "./types";

const int = (value: number) => Math.round(value).toLocaleString("en-US");

/** `54,656 gas`, `1.23 M hash/s`, `12.3 s`, `2,345 B`… */
export function formatQuantity(q: Quantity | null): string {
  if (q === null) return "n/a";
  switch (q.unit) {
    case "gas":
      return `${int(q.value)} gas`;
    case "hash/s":
      return `${(q.value / 1e6).toFixed(2)} M hash/s`;
    case "s":
      return `${q.value < 10 ? q.value.toFixed(2) : q.value.toFixed(1)} s`;
    case "ms":
      return `${q.value.toFixed(1)} ms`;
    case "req/s":
      return `${int(q.value)} req/s`;
    case "B":
      return `${int(q.value)} B`;
    case "MB":
      return `${int(q.value)} MB`;
    case "calls":
      return int(q.value);
  }
}

function formatRatio(row: Row): string {
  if (row.ratio === null) return "—";
  return row.ratioAs === "percent" ? `${(row.ratio * 100).toFixed(0)}%` : `${row.ratio.toFixed(2)}×`;
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** The results as a Markdown table: `| # | figure | measured | baseline | ratio | target | met? |`. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = [
    "| # | figure | measured | baseline | ratio | target | met? |",
    "| --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const row of rows) {
    const met = row.met === null ? "—" : row.met ? "yes" : "**no**";
    const baseline = row.baseline ? formatQuantity(row.baseline) : "—";
    const values = [row.id, row.figure, formatQuantity(row.measured), baseline, formatRatio(row)];
    lines.push(`| ${[...values, row.target, met].map(cell).join(" | ")} |`);
  }
  return lines.join("\n");
}

/** Where and how a run was made. */
export interface Environment {
  /** `git describe --always --dirty` of the tree measured: other work may land between runs. */
  commit: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGb: number;
  date: string;
}

function commitOf(): string {
  try {
    return execFileSync("git", ["describe", "--always", "--dirty"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function environment(): Environment {
  return {
    commit: commitOf(),
    node: process.version,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/** `bench/results.json`: the last result of every section (a run with `--only` replaces just its own). */
export interface ResultsFile {
  version: 1;
  sections: Partial<Record<SectionId, SectionResult & { environment: Environment }>>;
}

export function readResults(path: string): ResultsFile {
  if (!existsSync(path)) return { version: 1, sections: {} };
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { version?: unknown };
  if (parsed.version !== 1) throw new Error(`${path} is not version 1 of the results file`);
  return parsed as ResultsFile;
}

export function mergeResults(previous: ResultsFile, results: readonly SectionResult[], env: Environment): ResultsFile {
  const sections = { ...previous.sections };
  for (const result of results) sections[result.id] = { ...result, environment: env };
  return { version: 1, sections };
}

/** Every row of the file, in figure order. */
export function allRows(file: ResultsFile): Row[] {
  return SECTION_IDS.flatMap((id) => file.sections[id]?.rows ?? []);
}

export async function writeResults(path: string, file: ResultsFile): Promise<void> {
  writeFileSync(path, await format(JSON.stringify(file), { parser: "json", printWidth: 120 }));
}

const START = "<!-- bench:start -->";
const END = "<!-- bench:end -->";

function modeLabel(mode: Mode): string {
  return mode === "full" ? "`--full`" : mode === "default" ? "default sizes" : "`--smoke`";
}

/** The generated part of the README's "Benchmarks" section: when and where, the table, the notes. */
async function readmeSection(file: ResultsFile): Promise<string> {
  const runs = SECTION_IDS.flatMap((id) => {
    const s = file.sections[id];
    if (!s) return [];
    const { date, commit } = s.environment;
    return [`${id} ${date.slice(0, 10)} at ${commit}, ${modeLabel(s.mode)}, ${s.seconds.toFixed(0)} s`];
  });
  const env = Object.values(file.sections)[0]?.environment;
  const machine = env ? `Node ${env.node} on ${env.cores} × ${env.cpu}, ${env.memoryGb} GB RAM` : "";
  const notes = allRows(file)
    .filter((row) => row.note)
    .map((row) => `- ${row.id}, ${row.figure}: ${row.note ?? ""}.`);
  const text = [
    `Last measured with ${machine}, a machine shared with other jobs, which is why every comparison is a ratio ` +
      "against a baseline measured in the same run. Raw numbers, phases and rounds: `bench/results.json`.",
    "",
    markdownTable(allRows(file)),
    "",
    ...notes,
    "",
    `Runs (section, date and commit, sizes, wall time): ${runs.join("; ")}.`,
  ].join("\n");
  return (await format(text, { parser: "markdown", printWidth: 120 })).trimEnd();
}

/** Rewrites what lies between the `start` and `end` markers of the Markdown file at `path` with `body`. */
function replaceBetween(path: string, start: string, end: string, body: string): void {
  const text = readFileSync(path, "utf8");
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${path} has no ${start} … ${end} markers`);
  writeFileSync(path, `${text.slice(0, from + start.length)}\n\n${body}\n\n${text.slice(to)}`);
}

/** Rewrites what lies between the `bench:start` and `bench:end` markers of docs/benchmarks.md. */
export async function updateReadme(path: string, file: ResultsFile): Promise<void> {
  replaceBetween(path, START, END, await readmeSection(file));
}

const SUMMARY_START = "<!-- bench:summary:start -->";
const SUMMARY_END = "<!-- bench:summary:end -->";

/** The README's summary: every figure that has a target, with its same-run ratio, from the latest runs. */
async function summarySection(file: ResultsFile): Promise<string> {
  const rows = allRows(file).filter((row) => row.met !== null);
  const newest = Object.values(file.sections)
    .map((s) => s.environment.date.slice(0, 10))
    .sort()
    .at(-1);
  const lines = [
    `The latest \`npm run bench\` figures (newest run ${newest ?? "never"}) against their targets; the method, the`,
    "baseline of each ratio and every other figure are in [benchmarks.md](docs/benchmarks.md).",
    "",
    "| # | figure | measured | ratio | target | met? |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((row) => {
      const values = [row.id, row.figure, formatQuantity(row.measured), formatRatio(row), row.target];
      return `| ${[...values, row.met ? "yes" : "**no**"].map(cell).join(" | ")} |`;
    }),
  ];
  return (await format(lines.join("\n"), { parser: "markdown", printWidth: 120 })).trimEnd();
}

/** Rewrites what lies between the README's `bench:summary:start` and `bench:summary:end` markers. */
export async function updateReadmeSummary(path: string, file: ResultsFile): Promise<void> {
  replaceBetween(path, SUMMARY_START, SUMMARY_END, await summarySection(file));
}
