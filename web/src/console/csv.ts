/*
 * A CSV file as a table the registrar can edit in place, and back to CSV text: RFC 4180 quoting, `,`
 * or `;` (whichever the header holds more of, as the service reads it), a leading byte-order mark dropped.
 */

export interface CsvTable {
  delimiter: "," | ";";
  header: string[];
  rows: string[][];
}

/** Splits CSV text into rows of cells. */
export function parseCsv(text: string): CsvTable {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const firstLine = body.split(/\r?\n/, 1)[0] ?? "";
  const delimiter = firstLine.split(";").length > firstLine.split(",").length ? ";" : ",";
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === "") quoted = true;
    else if (c === delimiter) {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && body[i + 1] === "\n") i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => r.some((value) => value.trim() !== ""));
  const [header = [], ...data] = nonEmpty;
  return { delimiter, header, rows: data };
}

function cellText(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The table as CSV text again (what is resubmitted after the registrar's edits). */
export function toCsv(table: CsvTable): string {
  const line = (cells: readonly string[]) => cells.map((c) => cellText(c, table.delimiter)).join(table.delimiter);
  return [line(table.header), ...table.rows.map(line)].join("\n") + "\n";
}

/** The header index of the column an error names: `learner.name`, or a JSON Pointer `/learner/name`. */
export function columnIndex(header: readonly string[], path: string): number {
  const dotted = path.startsWith("/") ? path.slice(1).split("/").join(".") : path;
  const exact = header.findIndex((h) => h.trim() === dotted || h.trim() === path);
  if (exact >= 0) return exact;
  // A field inside a column (`/workload/ects/0`): the longest column that is a prefix of it.
  let best = -1;
  for (const [i, h] of header.entries()) {
    const name = h.trim();
    if (name !== "" && dotted.startsWith(`${name}.`) && (best < 0 || name.length > header[best]!.trim().length)) {
      best = i;
    }
  }
  return best;
}
