import type { ErrorObject } from "ajv";
import type { ErrorDetail } from "./errors";

/** Turns Ajv's errors into `{ path, message }` pairs that name the offending field. */
export function schemaErrors(errors: readonly ErrorObject[] | null | undefined): ErrorDetail[] {
  return (errors ?? []).map((error) => {
    let path = error.instancePath;
    if (error.keyword === "required") path += `/${String(error.params.missingProperty)}`;
    if (error.keyword === "additionalProperties") path += `/${String(error.params.additionalProperty)}`;
    return { path: path || "/", message: messageOf(error) };
  });
}

/** Ajv's message, but a format error says the form expected (`must match format "date"` does not). */
function messageOf(error: ErrorObject): string {
  if (error.keyword === "additionalProperties") return "is not a known field";
  if (error.keyword === "format") {
    const format = String(error.params.format);
    if (format in FORMATS) return `must be ${FORMATS[format]}`;
  }
  return error.message ?? "is invalid";
}

/** Formats whose name alone does not tell a registrar what to type. */
const FORMATS: Readonly<Record<string, string>> = {
  date: "a date in the form YYYY-MM-DD (2026-06-30)",
};

/**
 * The CSV column of a field's JSON Pointer: `/workload/ects` → `workload.ects` (what the header of
 * a credentials CSV calls it); `/skills/1` → `skills` (an array is one column).
 */
export function columnOf(pointer: string): string {
  const tokens = pointer
    .split("/")
    .slice(1)
    .filter((token) => !/^\d+$/.test(token))
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
  return tokens.length === 0 ? pointer : tokens.join(".");
}

/** `path message; path message` — one line for a CLI or an HTTP error body. */
export function describeDetails(details: readonly ErrorDetail[], limit = 5): string {
  const shown = details.slice(0, limit).map((d) => `${d.path} ${d.message}`);
  const more = details.length > limit ? `; and ${details.length - limit} more` : "";
  return shown.join("; ") + more;
}
