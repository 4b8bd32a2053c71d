import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { mapLimit } from "../src/map-limit";

export { mapLimit };

/** Where the CLI writes: `process.stdout` / `process.stderr`, or a test's recorder. */
export interface Output {
  write(text: string): unknown;
  /** True for a terminal: progress bars are drawn only there. */
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** What a command may touch of the outside world, injectable so tests run commands in-process. */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  /** The environment (`CREDROOT_RPC_URL`, `CREDROOT_API_KEY`, `CREDROOT_PRIVATE_KEY`). */
  env: Readonly<Record<string, string | undefined>>;
}

/**
 * Exit statuses. 1 is a definite "no" (a bundle is not valid, a row is invalid, the registry or
 * the service refused); 2 means the answer could not be obtained, so a script can tell a forged
 * credential from a flaky network.
 */
export const EXIT = { ok: 0, refused: 1, couldNot: 2, bug: 70 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports as one line (plus `details`, one per line) and an exit status. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A mistake in how the command was called. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT.couldNot);
}

/** `--flag` if given, else the environment variable, else undefined. */
export function flagOrEnv(io: CliIo, flag: string | undefined, variable: string): string | undefined {
  const value = flag ?? io.env[variable];
  return value === undefined || value === "" ? undefined : value;
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ENOENT") return "no such file";
  if (code === "EISDIR") return "it is a folder";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  return error instanceof Error ? error.message : String(error);
}

/** The text of `path`, or a {@link CliError} (exit 2) saying why it cannot be read. */
export function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${reason(error)}`, EXIT.couldNot);
  }
}

/** The bytes of `path` (a PDF, or a file that may be one), or a {@link CliError} (exit 2) saying why it cannot be read. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${reason(error)}`, EXIT.couldNot);
  }
}

/** Pretty JSON with a final newline, as every file and stdout document of the CLI is written. */
export function jsonText(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Writes `text` (or bytes) to `path`; `exclusive` refuses to replace an existing file. */
export function writeText(path: string, text: string | Uint8Array, options: { exclusive?: boolean } = {}): void {
  try {
    writeFileSync(path, text, { flag: options.exclusive ? "wx" : "w" });
  } catch (error) {
    const why = (error as { code?: unknown }).code === "EEXIST" ? "it already exists" : reason(error);
    throw new CliError(`cannot write ${path}: ${why}`, EXIT.couldNot);
  }
}

/**
 * Checks that `folder` is new or empty, before anything is submitted or anchored: bundles of two
 * batches must not mix, and a half-written folder must not be mistaken for a finished one.
 */
export function assertEmptyFolder(folder: string): void {
  let entries: string[];
  try {
    if (!existsSync(folder)) return;
    entries = readdirSync(folder);
  } catch (error) {
    throw new CliError(`cannot use ${folder} as the output folder: ${reason(error)}`, EXIT.couldNot);
  }
  if (entries.length > 0) throw new CliError(`${folder} is not empty: choose another --out folder`, EXIT.couldNot);
}

/** Creates `folder` (and its parents) if needed. */
export function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw new CliError(`cannot create ${folder}: ${reason(error)}`, EXIT.couldNot);
  }
}

/**
 * One CSV cell as RFC 4180 writes it (quoted, quotes doubled, when it holds a comma, a quote or a line break),
 * with a cell a spreadsheet would read as a formula (starting with = + - @, a tab or a carriage return)
 * prefixed with a single quote, as OWASP recommends: text from a service cannot become a formula or a column.
 */
export function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (no line break) of these cells, each escaped by {@link csvCell}. */
export function csvLine(cells: readonly (string | number)[]): string {
  return cells.map(csvCell).join(",");
}

/** `1.2 s`, `850 ms`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join("  ")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

/** What a command's registration needs: the io, and where to report its exit status. */
export interface CommandContext {
  io: CliIo;
  exit: (code: ExitCode) => void;
}
