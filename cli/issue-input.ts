import { extname, join } from "node:path";
import { type ErrorDetail, isCredrootError, parseStrictJson } from "../src";
import { columnOf } from "../src/node/csv";
import { CliError, EXIT, readText, usageError } from "./io";

/** The flags of `credroot issue`, both modes. */
export interface IssueFlags {
  api?: string;
  key?: string;
  rpc?: string;
  chainId?: number;
  registry?: string;
  out: string;
  until: "anchored" | "final";
  timeout: number;
}

/** The file to issue: CSV text as is, or the credentials (and batch `uri`) of a JSON file. */
export type IssueInput =
  { kind: "csv"; file: string; text: string } | { kind: "json"; file: string; credentials: unknown[]; uri: string };

/** What `issue` reports once every bundle is written. */
export interface IssueSummary {
  count: number;
  /** The batch id (a UUID): what the chain and the service know the batch by. */
  batchId: string;
  issuerId?: number;
  root: string;
  txHash: string;
  blockNumber: number;
  status?: string;
  /** Through a service: the file listing each bundle's credential id and share link. */
  index?: string;
}

/** One invalid field of one row: `row` counts the credentials from 1, `line` is the CSV line. */
export interface RowProblem {
  row: number;
  line?: number;
  path: string;
  message: string;
}

/**
 * Reads the file to issue, by extension: `.csv` as text (parsed by the service or by `issue --rpc`),
 * `.json` (read strictly: no duplicate key, no lone surrogate) as an array of credentials or
 * `{ credentials, uri }`.
 * @throws CliError exit 2 for an unreadable file or another extension, exit 1 for JSON that is not a batch.
 */
export function readIssueInput(file: string): IssueInput {
  const extension = extname(file).toLowerCase();
  if (extension === ".csv") return { kind: "csv", file, text: readText(file) };
  if (extension !== ".json") throw usageError(`${file}: give a .csv or a .json file`);
  const text = readText(file);
  let value: unknown;
  try {
    value = parseStrictJson(text, "INVALID_ARGUMENT", file);
  } catch (error) {
    if (!isCredrootError(error)) throw error;
    throw new CliError(`${error.message}; nothing was issued`, EXIT.refused);
  }
  if (Array.isArray(value)) return { kind: "json", file, credentials: value as unknown[], uri: "" };
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  if (!Array.isArray(record.credentials)) {
    throw new CliError(`${file} holds neither an array of credentials nor { "credentials": [...] }`, EXIT.refused);
  }
  return {
    kind: "json",
    file,
    credentials: record.credentials as unknown[],
    uri: typeof record.uri === "string" ? record.uri : "",
  };
}

/** `prepareBatch`'s details (`/3/learner/name`) as rows, with their CSV lines when known. */
export function rowProblems(details: readonly ErrorDetail[], lines: readonly number[] | null): RowProblem[] {
  return details.map((d) => {
    const [, row = "", ...rest] = d.path.split("/");
    const line = lines?.[Number(row)];
    const pointer = `/${rest.join("/")}`;
    return {
      row: Number(row) + 1,
      ...(line === undefined ? {} : { line }),
      path: lines === null ? pointer : columnOf(pointer),
      message: d.message,
    };
  });
}

/** The error that lists every invalid row: `line 4: learner.name must …` (CSV) or `credential 3: /learner/name …`. */
export function invalidRows(message: string, problems: readonly RowProblem[]): CliError {
  const lines = problems.map(
    (p) => `${p.line === undefined ? `credential ${p.row}` : `line ${p.line}`}: ${p.path} ${p.message}`,
  );
  return new CliError(message, EXIT.refused, lines);
}

/** `0001.json`…: files sort in row order, whatever the batch size. */
export function bundlePath(folder: string, index: number, count: number): string {
  return join(folder, `${String(index + 1).padStart(Math.max(4, String(count).length), "0")}.json`);
}
