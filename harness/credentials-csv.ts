import type { Credential } from "../src";
import { credentialColumns } from "../src/node/csv";

/** A cell as a spreadsheet would write it: quoted when it holds a delimiter, a quote or a line break. */
function cell(value: unknown): string {
  if (value === undefined) return "";
  const text = Array.isArray(value) ? value.map(scalar).join("|") : scalar(value);
  return /[",;\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function scalar(value: unknown): string {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return String(value);
  throw new Error(`a CSV cell cannot hold ${JSON.stringify(value)}`);
}

function valueAt(credential: Credential, column: string): unknown {
  let node: unknown = credential;
  for (const key of column.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/**
 * The CSV upload `POST /v1/batches` takes for these credentials: a header of every column
 * (dotted names, as `credentialColumns()` lists them), one row per credential, arrays joined by `|`.
 */
export function credentialsCsv(credentials: readonly Credential[]): string {
  const columns = credentialColumns();
  const rows = credentials.map((c) => columns.map((column) => cell(valueAt(c, column))).join(","));
  return [columns.join(","), ...rows].join("\n") + "\n";
}
