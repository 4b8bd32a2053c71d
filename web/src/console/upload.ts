/*
 * Upload a batch: the file is checked by the service (`POST /v1/batches/validate`, nothing stored), every
 * invalid row and column is shown in place — a CSV as a table whose cells can be corrected here — then
 * the batch is submitted and followed to `final`.
 */
import { byId, el } from "../dom";
import { ApiError, type ProblemDetail, problemText, request } from "./api";
import { columnIndex, type CsvTable, parseCsv, toCsv } from "./csv";
import { watchBatch } from "./watch";

/** Rows shown as editable cells besides those with a problem (a large file is fixed in the spreadsheet). */
const SHOWN_ROWS = 100;

interface Upload {
  name: string;
  csv: CsvTable | null;
  json: unknown;
  /** The Idempotency-Key of the submission of what was last checked valid: a double click submits once. */
  submitKey: string | null;
}

const fileInput = byId("upload-file", HTMLInputElement);
const status = byId("upload-status", HTMLElement);
const problemsBox = byId("upload-problems", HTMLElement);
const tableBox = byId("upload-table", HTMLElement);
const checkButton = byId("upload-check", HTMLButtonElement);
const submitButton = byId("upload-submit", HTMLButtonElement);

let upload: Upload | null = null;

const cellId = (row: number, column: number) => `cell-${row}-${column}`;

/** 128 random bits as hex: `crypto.randomUUID` exists only on https and localhost, a LAN address has neither. */
function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function bodyOf(current: Upload): { csv: string } | { json: unknown } {
  return current.csv ? { csv: toCsv(current.csv) } : { json: current.json };
}

/** "Row 2 (line 3), column learner.name" — how the service counts rows (from 1) and names columns. */
function whereWords(detail: ProblemDetail): string {
  const parts: string[] = [];
  if (detail.row !== undefined)
    parts.push(`Row ${detail.row}${detail.line === undefined ? "" : ` (line ${detail.line})`}`);
  const column = detail.path.startsWith("/") ? detail.path.slice(1).split("/").join(".") : detail.path;
  if (column !== "") parts.push(`${upload?.csv ? "column" : "field"} ${column}`);
  return parts.length > 0 ? parts.join(", ") : "The file";
}

function renderTable(problems: readonly ProblemDetail[]): void {
  const table = upload?.csv;
  if (!table) {
    tableBox.replaceChildren();
    return;
  }
  const byCell = new Map<string, string[]>();
  const badRows = new Set<number>();
  for (const p of problems) {
    if (p.row === undefined) continue;
    badRows.add(p.row - 1);
    const key = `${p.row - 1}:${columnIndex(table.header, p.path)}`;
    byCell.set(key, [...(byCell.get(key) ?? []), p.message]);
  }
  const head = el(
    "tr",
    {},
    el("th", { scope: "col" }, "Row"),
    ...table.header.map((h) => el("th", { scope: "col" }, h)),
  );
  const rows = table.rows.flatMap((cells, r) => {
    if (r >= SHOWN_ROWS && !badRows.has(r)) return [];
    const tds = table.header.map((column, c) => {
      const messages = byCell.get(`${r}:${c}`) ?? [];
      const input = el("input", {
        id: cellId(r, c),
        value: cells[c] ?? "",
        "aria-label": `Row ${r + 1}, ${column}`,
        "data-testid": "cell",
        "data-row": String(r + 1),
        "data-column": column,
      });
      input.addEventListener("input", () => {
        while (cells.length <= c) cells.push("");
        cells[c] = input.value;
        edited();
      });
      if (messages.length === 0) return el("td", {}, input);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${cellId(r, c)}-error`);
      const note = el("span", { class: "cell-error", id: `${cellId(r, c)}-error` }, messages.join("; "));
      return el("td", { "data-invalid": "true" }, input, note);
    });
    const rowProblems = byCell.get(`${r}:-1`);
    const label = el(
      "th",
      { scope: "row" },
      String(r + 1),
      rowProblems ? el("span", { class: "cell-error" }, rowProblems.join("; ")) : null,
    );
    return [el("tr", badRows.has(r) ? { "data-invalid": "true" } : {}, label, ...tds)];
  });
  const hidden = table.rows.length - rows.length;
  tableBox.replaceChildren(
    el(
      "table",
      { "data-testid": "upload-grid" },
      el(
        "caption",
        { class: "small" },
        `${upload?.name ?? "the file"}: ${table.rows.length} rows${hidden > 0 ? ` (${hidden} rows without problems not shown)` : ""}`,
      ),
      el("thead", {}, head),
      el("tbody", {}, ...rows),
    ),
  );
}

function renderProblems(message: string, problems: readonly ProblemDetail[]): void {
  const items = problems.map((p) => {
    const r = p.row === undefined ? -1 : p.row - 1;
    const c = upload?.csv ? columnIndex(upload.csv.header, p.path) : -1;
    const go =
      r >= 0 && c >= 0
        ? el("button", { type: "button", class: "small", "data-testid": "problem-go" }, "Go to the cell")
        : null;
    go?.addEventListener("click", () => document.getElementById(cellId(r, c))?.focus());
    return el("li", { "data-testid": "problem" }, el("strong", {}, `${whereWords(p)}: `), p.message, go);
  });
  problemsBox.replaceChildren(
    el(
      "div",
      { class: "problems", role: "alert", "data-testid": "problems" },
      el("p", {}, message),
      items.length > 0 ? el("ul", {}, ...items) : null,
    ),
  );
}

function edited(): void {
  if (!upload) return;
  upload.submitKey = null;
  submitButton.disabled = true;
  checkButton.disabled = false;
  status.textContent = "Changed: check again before submitting.";
}

/** Asks the service to check the upload as it is now; shows every problem, or enables Submit. */
async function check(): Promise<void> {
  const current = upload;
  if (!current) return;
  checkButton.disabled = true;
  submitButton.disabled = true;
  status.textContent = "Checking…";
  try {
    const { count } = await request<{ count: number }>("/v1/batches/validate", bodyOf(current));
    if (upload !== current) return;
    current.submitKey = randomKey();
    problemsBox.replaceChildren();
    renderTable([]);
    status.textContent = `All ${count} credentials are valid. Nothing is stored yet: submit the batch to issue them.`;
    submitButton.disabled = false;
  } catch (error) {
    if (upload !== current) return;
    checkButton.disabled = false;
    const details = error instanceof ApiError ? error.details : [];
    status.textContent = details.length > 0 ? `${details.length} problem(s) found: nothing was stored.` : "";
    renderProblems(problemText(error), details);
    renderTable(details);
  }
}

async function submit(): Promise<void> {
  const current = upload;
  if (!current?.submitKey) return;
  submitButton.disabled = true;
  status.textContent = "Submitting…";
  try {
    const body = bodyOf(current);
    const accepted = await request<{ id: string; count: number }>("/v1/batches", {
      ...body,
      headers: { "idempotency-key": current.submitKey },
    });
    status.textContent = `Batch submitted: ${accepted.count} credentials (batch ${accepted.id}).`;
    upload = null;
    fileInput.value = "";
    tableBox.replaceChildren();
    checkButton.disabled = true;
    watchBatch(accepted.id);
  } catch (error) {
    const details = error instanceof ApiError ? error.details : [];
    renderProblems(problemText(error), details);
    renderTable(details);
    status.textContent = "Not submitted.";
    checkButton.disabled = false;
  }
}

async function load(file: File): Promise<void> {
  const text = await file.text();
  const isJson = /\.json$/i.test(file.name) || text.trimStart().startsWith("{");
  problemsBox.replaceChildren();
  if (isJson) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      upload = null;
      renderProblems(`${file.name} is not JSON: ${(error as Error).message}`, []);
      return;
    }
    upload = { name: file.name, csv: null, json, submitKey: null };
  } else {
    upload = { name: file.name, csv: parseCsv(text), json: null, submitKey: null };
  }
  renderTable([]);
  await check();
}

/** Wires the upload section. */
export function setUpUpload(): void {
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) void load(file);
  });
  checkButton.addEventListener("click", () => void check());
  submitButton.addEventListener("click", () => void submit());
}
