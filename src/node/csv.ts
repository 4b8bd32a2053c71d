// Node only (csv-parse uses Buffer): src/node/ is the library's Node room; src/index.ts stays browser-safe.
import { CsvError, type InfoRecord, parse } from "csv-parse/sync";
import { credentialSchema } from "../credential";
import { CredrootError, type ErrorDetail } from "../errors";

export { columnOf } from "../schema-errors";

/** Most credential rows one CSV upload may hold. */
export const MAX_CSV_ROWS = 1_000_000;

export interface ParseCredentialsCsvOptions {
  /** Most credential rows accepted; {@link MAX_CSV_ROWS} by default. */
  maxRows?: number;
}

export interface ParseCredentialsCsvReturnType {
  /** One plain object per data row, not yet validated: `prepareBatch` does that. */
  credentials: unknown[];
  /** `lines[i]` is the 1-based line of the file on which credential `i` starts. */
  lines: number[];
}

type CellKind = "array" | "number" | "string";

/** A leaf field of the credential schema, which is what one CSV column holds. */
interface Column {
  readonly path: readonly string[];
  readonly kind: CellKind;
  /** `path` split into the objects that hold the field and its own key, computed once. */
  readonly parents: readonly string[];
  readonly key: string;
}

interface SchemaNode {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, SchemaNode>>;
}

function leafColumns(node: SchemaNode, prefix: readonly string[]): Column[] {
  return Object.entries(node.properties ?? {}).flatMap(([key, child]) => {
    const path = [...prefix, key];
    if (child.properties !== undefined) return leafColumns(child, path);
    const kind =
      child.type === "array" ? "array" : child.type === "number" || child.type === "integer" ? "number" : "string";
    return [{ path, kind, parents: prefix, key } satisfies Column];
  });
}

const COLUMNS = leafColumns(credentialSchema, []);
const escapeToken = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
/** Both spellings of every column: `learner.name` and the JSON Pointer `/learner/name`. */
const COLUMN_BY_NAME = new Map(
  COLUMNS.flatMap((c) => [[c.path.join("."), c] as const, [`/${c.path.map(escapeToken).join("/")}`, c] as const]),
);

/**
 * Every column a credentials CSV may have: the schema's leaf fields as dotted paths, in schema
 * order. For documentation and a downloadable template.
 * @example credentialColumns().join(",") // "id,title,description,learner.name,…"
 */
export function credentialColumns(): string[] {
  return COLUMNS.map((c) => c.path.join("."));
}

/**
 * Turns a CSV upload, one credential a row under a header of column names (see
 * {@link credentialColumns}; `/learner/name` is accepted too), into plain credential objects for
 * `prepareBatch`. Cells are trimmed and an empty cell leaves its field out; array cells are split
 * on `|`; number cells in decimal notation become numbers, anything else stays a string for the
 * schema to report. The delimiter is `,` or `;`, whichever the header line holds more of.
 * @throws CredrootError `INVALID_ARGUMENT` for malformed CSV (message and `details` name the line),
 * unknown or duplicate columns, no data rows, or more than `maxRows` rows.
 * @example
 * const { credentials, lines } = parseCredentialsCsv(upload);
 * const batch = prepareBatch(credentials); // row i of its errors is line lines[i] of the file
 */
export function parseCredentialsCsv(
  text: string,
  options: ParseCredentialsCsvOptions = {},
): ParseCredentialsCsvReturnType {
  const maxRows = options.maxRows ?? MAX_CSV_ROWS;
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  // Parsed as bytes because csv-parse reports positions in bytes; they give exact line numbers.
  const input = Buffer.from(body, "utf8");
  const lineAt = lineCounter(input);
  const credentials: unknown[] = [];
  const lines: number[] = [];
  let header: Column[] | undefined;
  let previousEnd = 0; // byte offset just past the previous record
  const onRecord = (record: string[], info: InfoRecord): null => {
    const line = recordStartLine(record, { input, lineAt, from: previousEnd, to: info.bytes });
    previousEnd = info.bytes;
    if (header === undefined) {
      header = headerColumns(record);
    } else {
      if (credentials.length === maxRows) throw csvError(line, `the CSV has more than ${maxRows} credential rows`);
      credentials.push(toCredential(record, header));
      lines.push(line);
    }
    return null; // kept here rather than in csv-parse's result array
  };
  try {
    parse(input, {
      delimiter: detectDelimiter(body),
      trim: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      on_record: onRecord,
    });
  } catch (error) {
    throw error instanceof CsvError
      ? fromCsvError(error, { input, lineAt, from: previousEnd, columns: header?.length ?? 0 })
      : error;
  }
  if (credentials.length === 0) throw new CredrootError("INVALID_ARGUMENT", "the CSV has no credential rows");
  return { credentials, lines };
}

function detectDelimiter(body: string): "," | ";" {
  const firstLine = body.split(/\r\n|\r|\n/, 1)[0] ?? "";
  const count = (char: string) => firstLine.split(char).length - 1;
  return count(";") > count(",") ? ";" : ",";
}

/** `awardingBody.name`, `/awardingBody/country`…: columns of format v1, gone in v2. */
const AWARDING_BODY = /^(?:awardingBody(?:\.|$)|\/awardingBody(?:\/|$))/;

/**
 * Format v1's awarding body columns get a refusal of their own: the awarding body is no longer
 * a claim of the credential but the issuer the registry records, so no row can name another.
 */
function refuseAwardingBody(record: readonly string[]): void {
  const columns = record.flatMap((cell, i) => (AWARDING_BODY.test(cell.trim()) ? [{ name: cell.trim(), i }] : []));
  if (columns.length === 0) return;
  const names = columns.map((c) => c.name).join(", ");
  const message =
    `CSV header: ${names}: the awarding body now comes from the registry (the name it records for your issuer), ` +
    "not from the CSV; remove the awardingBody columns and give the issuer's country in an issuerCountry column";
  const details = columns.map(({ name, i }) => ({
    path: `column ${i + 1}`,
    message: `${JSON.stringify(name)}: the awarding body now comes from the registry`,
  }));
  throw new CredrootError("INVALID_ARGUMENT", message, { details });
}

/** Maps every header cell to its column; unknown and duplicate columns are rejected together. */
function headerColumns(record: readonly string[]): Column[] {
  refuseAwardingBody(record);
  const details: ErrorDetail[] = [];
  const seen = new Map<Column, number>();
  const columns = record.map((cell, i) => {
    const name = cell.trim();
    const column = COLUMN_BY_NAME.get(name);
    const at = `column ${i + 1}`;
    if (column === undefined) details.push({ path: at, message: `unknown column ${JSON.stringify(name)}` });
    else if (seen.has(column)) {
      const message = `duplicate column ${JSON.stringify(name)} (the field of column ${seen.get(column)! + 1})`;
      details.push({ path: at, message });
    } else seen.set(column, i);
    return column;
  });
  if (details.length > 0) {
    const message = `CSV header: ${details.map((d) => d.message).join("; ")}`;
    throw new CredrootError("INVALID_ARGUMENT", message, { details });
  }
  return columns as Column[]; // every entry was checked above
}

function toCredential(record: readonly string[], columns: readonly Column[]): Record<string, unknown> {
  const credential: Record<string, unknown> = {};
  for (let i = 0; i < record.length; i++) {
    const column = columns[i]!; // csv-parse rejects rows whose length differs from the header's
    const value = cellValue(record[i]!.trim(), column.kind);
    if (value === undefined) continue;
    // Keys come from the schema only, so no "__proto__" can get here.
    let node = credential;
    for (const key of column.parents) node = (node[key] ??= {}) as Record<string, unknown>;
    node[column.key] = value;
  }
  return credential;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function cellValue(cell: string, kind: CellKind): unknown {
  if (cell === "") return undefined;
  if (kind === "number") {
    // Decimal notation only: Number() would also read "0x1F", "0b1" or "Infinity".
    if (!DECIMAL.test(cell)) return cell;
    const n = Number(cell);
    return Number.isFinite(n) ? n : cell; // "1e999"
  }
  if (kind === "array") {
    const items: string[] = [];
    for (const item of cell.split("|")) if (item.trim() !== "") items.push(item.trim());
    return items.length > 0 ? items : undefined; // "|" alone is as empty as ""
  }
  return cell;
}

const LF = 0x0a;
const CR = 0x0d;
/** LF, CR, space and tab. */
const BLANK = new Set([LF, CR, 0x20, 0x09]);

/**
 * `lineAt(offset)`: the 1-based line holding byte `offset`. csv-parse's own `info.lines` counts a
 * CRLF inside a quoted cell twice (7.0.3), which Excel files have; counting here avoids that.
 * Offsets are asked in increasing order, so counting resumes where it stopped.
 */
function lineCounter(input: Buffer): (offset: number) => number {
  // A line break is an LF, or a CR that no LF follows. The next of each is kept, so that a file
  // with no CR at all is not searched to its end once per record.
  let line = 1;
  let nextLF = input.indexOf(LF);
  let nextCR = input.indexOf(CR);
  let position = 0;
  const lineAt = (offset: number): number => {
    if (offset < position) [line, nextLF, nextCR] = [1, input.indexOf(LF), input.indexOf(CR)];
    position = offset;
    for (; nextLF !== -1 && nextLF < offset; nextLF = input.indexOf(LF, nextLF + 1)) line++;
    for (; nextCR !== -1 && nextCR < offset; nextCR = input.indexOf(CR, nextCR + 1))
      if (input[nextCR + 1] !== LF) line++;
    return line;
  };
  return lineAt;
}

interface RecordSpan {
  input: Buffer;
  lineAt: (offset: number) => number;
  /** Byte offset just past the previous record (0 for the first). */
  from: number;
  /** Byte offset just past this record, its line break included. */
  to: number;
}

/** The line a record starts on: the line it ends on, less the line breaks inside its cells. */
function recordStartLine(record: readonly string[], { input, lineAt, from, to }: RecordSpan): number {
  const fromLine = lineAt(from);
  const last = input[to - 1];
  const endLine = lineAt(to) - (last === LF || last === CR ? 1 : 0);
  // Most records fill the one line after the previous record: no cell of theirs needs searching.
  return endLine === fromLine ? endLine : endLine - breaksInCells(record);
}

function breaksInCells(record: readonly string[]): number {
  let count = 0;
  for (const cell of record) if (/[\r\n]/.test(cell)) count += cell.split(/\r\n|\r|\n/).length - 1;
  return count;
}

const CSV_PROBLEMS: Partial<Record<string, string>> = {
  CSV_QUOTE_NOT_CLOSED: "a quoted cell is never closed",
  INVALID_OPENING_QUOTE: "a quote inside an unquoted cell (quote the whole cell and double the quote)",
  CSV_INVALID_CLOSING_QUOTE: "a closing quote is followed by other characters",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "a closing quote is followed by other characters",
};

interface CsvErrorContext extends Omit<RecordSpan, "to"> {
  /** Columns of the header. */
  columns: number;
}

function fromCsvError(error: CsvError, { columns, ...span }: CsvErrorContext): CredrootError {
  const { lineAt } = span;
  const bytes = typeof error.bytes === "number" ? error.bytes : span.from;
  if (error.code === "CSV_RECORD_INCONSISTENT_FIELDS_LENGTH" && Array.isArray(error.record)) {
    const record = error.record as string[];
    const line = recordStartLine(record, { ...span, to: bytes });
    const cells = record.length === 1 ? "1 cell" : `${record.length} cells`;
    return csvError(line, `${cells}, but the header has ${columns} columns`, error);
  }
  // Elsewhere `bytes` is where the cell in trouble begins: at its delimiter, or where its record
  // begins but before any blank lines that csv-parse skipped there.
  let start = bytes;
  while (start < span.input.length && BLANK.has(span.input[start]!)) start++;
  return csvError(lineAt(start), CSV_PROBLEMS[error.code] ?? error.message, error);
}

function csvError(line: number, message: string, cause?: unknown): CredrootError {
  return new CredrootError("INVALID_ARGUMENT", `CSV line ${line}: ${message}`, {
    cause,
    details: [{ path: `line ${line}`, message }],
  });
}
