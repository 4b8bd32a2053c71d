import type { ErrorObject } from "ajv";
import type { ErrorDetail } from "./errors";

/** Turns Ajv's errors into `{ path, message }` pairs that name the offending field. */
export function schemaErrors(errors: readonly ErrorObject[] | null | undefined): ErrorDetail[] {
  return (errors ?? []).map((error) => {
    let path = error.instancePath;
    if (error.keyword === "required") path += `/${String(error.params.missingProperty)}`;
    if (error.keyword === "additionalProperties") path += `/${String(error.params.additionalProperty)}`;
    const message = error.keyword === "additionalProperties" ? "is not a known field" : (error.message ?? "is invalid");
    return { path: path || "/", message };
  });
}

/** `path message; path message` — one line for a CLI or an HTTP error body. */
export function describeDetails(details: readonly ErrorDetail[], limit = 5): string {
  const shown = details.slice(0, limit).map((d) => `${d.path} ${d.message}`);
  const more = details.length > limit ? `; and ${details.length - limit} more` : "";
  return shown.join("; ") + more;
}
