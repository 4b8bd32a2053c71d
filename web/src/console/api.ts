/*
 * The console's one way to the service: every request carries the API key in the Authorization
 * header (never in a URL), and every error comes back as the service's `{ code, message, details }`.
 */

/** Where the key is kept: this tab's sessionStorage only, forgotten when the tab closes. */
const KEY_ITEM = "credroot-console-key";

/** One entry of an error's `details`: a row (from 1), the column or field, what is wrong. */
export interface ProblemDetail {
  path: string;
  message: string;
  row?: number;
  line?: number;
}

/** An answer of the service that is not a success, in its words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ProblemDetail[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export function storedKey(): string | null {
  return sessionStorage.getItem(KEY_ITEM);
}

export function storeKey(key: string | null): void {
  if (key === null) sessionStorage.removeItem(KEY_ITEM);
  else sessionStorage.setItem(KEY_ITEM, key);
}

/** Called when the service refuses the key (401): the console signs out and says why. */
let onRefused: (message: string) => void = () => undefined;

export function whenKeyRefused(handler: (message: string) => void): void {
  onRefused = handler;
}

export interface RequestOptions {
  method?: "GET" | "POST" | "DELETE";
  /** A JSON value (sent as JSON) or CSV text (sent as text/csv). */
  json?: unknown;
  csv?: string;
  /** Answer the raw response (a zip) instead of JSON. */
  raw?: boolean;
  /** The key to use instead of the stored one (signing in). */
  key?: string;
  headers?: Record<string, string>;
}

async function errorOf(response: Response): Promise<ApiError> {
  let body: { code?: unknown; message?: unknown; details?: unknown } = {};
  try {
    body = (await response.json()) as typeof body;
  } catch {
    // not JSON: a proxy's page; the status says enough
  }
  const code = typeof body.code === "string" ? body.code : "http-" + String(response.status);
  const message = typeof body.message === "string" ? body.message : `the service answered ${response.status}`;
  const details = Array.isArray(body.details) ? (body.details as ProblemDetail[]) : [];
  return new ApiError(response.status, code, message, details);
}

/**
 * Sends a request to this service with the API key in the Authorization header.
 * @throws ApiError with the service's code and message (and, on 401, signs out first).
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const key = options.key ?? storedKey();
  const headers: Record<string, string> = { ...options.headers };
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.csv !== undefined) {
    headers["content-type"] = "text/csv";
    body = options.csv;
  } else if (options.json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(options.json);
  }
  const response = await fetch(path, {
    method: options.method ?? (body === undefined ? "GET" : "POST"),
    headers,
    ...(body === undefined ? {} : { body }),
    credentials: "omit",
    cache: "no-store",
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && options.key === undefined) onRefused(error.message);
    throw error;
  }
  if (options.raw) return response as unknown as T;
  return (await response.json()) as T;
}

/** The message to show for a failed request. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The service could not be reached: check your connection and try again.";
  return error instanceof Error ? error.message : String(error);
}

/** `2026-12-01T15:43:35.000Z` → `1 Dec 2026, 15:43` in the reader's own locale and time zone. */
export function dateText(iso: string | null): string {
  if (iso === null) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** Saves `blob` as a file called `name` (an object URL on a link the console clicks). */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
