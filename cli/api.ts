import { isCredrootError, parseStrictJson } from "../src";
import { sleep } from "../src/timeout";
import { CliError, type CliIo, EXIT, flagOrEnv, usageError } from "./io";

/** One problem the service lists in an error body; `row` and `line` for batch submissions. */
export interface ApiErrorDetail {
  path?: string;
  message: string;
  row?: number;
  line?: number;
}

/** An error answer of the service: `{ code, message, details }` and its HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: readonly ApiErrorDetail[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** What the service records of a batch (`GET /v1/batches/:id`). */
export interface BatchStatus {
  id: string;
  issuerId: number;
  root: string;
  count: number;
  status: "pending" | "submitted" | "anchored" | "final" | "failed" | "revoked";
  txHash: string | null;
  blockNumber: number | null;
  error?: string | null;
  revokedReason?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How long one request may take: a 100,000-row CSV upload takes about a minute. */
const REQUEST_TIMEOUT_MS = 10 * 60_000;
/** Retries of a request the service rate-limited (429), each after its `retry-after`. */
const MAX_RETRIES = 8;

/** `--api` is required; `--key` (or `CREDROOT_API_KEY`) when `needsKey`. */
export function serviceClient(io: CliIo, flags: { api?: string; key?: string }, needsKey: boolean): ServiceClient {
  if (flags.api === undefined) throw usageError("no service: pass --api URL");
  const key = flagOrEnv(io, flags.key, "CREDROOT_API_KEY");
  if (needsKey && key === undefined) throw usageError("no API key: pass --key KEY or set CREDROOT_API_KEY");
  return new ServiceClient(flags.api, key);
}

/** A small client of the credroot HTTP API (see `/docs` on the service). */
export class ServiceClient {
  /** The service's base URL, without a trailing slash. */
  readonly base: string;

  constructor(
    base: string,
    private readonly key?: string,
  ) {
    this.base = base.replace(/\/+$/, "");
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** POSTs JSON, or text with its content type (`text/csv`). */
  post<T>(path: string, body: unknown, contentType = "application/json"): Promise<T> {
    const text = contentType === "application/json" ? JSON.stringify(body) : String(body);
    return this.request<T>("POST", path, { text, contentType });
  }

  private async request<T>(method: string, path: string, body?: { text: string; contentType: string }): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const response = await this.send(method, path, body);
      if (response.status === 429 && attempt < MAX_RETRIES) {
        // Rate limits are per minute: wait as told (at most a minute) rather than fail a long download.
        const wait = Number(response.headers.get("retry-after") ?? "1");
        await sleep(Math.min(60, Number.isFinite(wait) && wait > 0 ? wait : 1) * 1000);
        continue;
      }
      const text = await response.text();
      const parsed = parseJson(text);
      if (!response.ok) throw apiError(response.status, "value" in parsed ? parsed.value : undefined, text);
      if ("value" in parsed) return parsed.value as T;
      throw new CliError(
        `cannot read the answer of the service at ${this.base} to ${method} ${path}: ${parsed.error}`,
        EXIT.couldNot,
      );
    }
  }

  private async send(method: string, path: string, body?: { text: string; contentType: string }): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.key !== undefined) headers.authorization = `Bearer ${this.key}`;
    if (body) headers["content-type"] = body.contentType;
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers,
        ...(body ? { body: body.text } : {}),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      const why = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
      throw new CliError(`cannot reach the service at ${this.base}: ${why}`, EXIT.couldNot);
    }
  }
}

/** The body, read strictly (a duplicate key or a lone surrogate is refused), or why it cannot be. */
function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: parseStrictJson(text, "INVALID_ARGUMENT", "it") };
  } catch (error) {
    return { error: isCredrootError(error) ? error.message : "it is not JSON" };
  }
}

function apiError(status: number, body: unknown, text: string): ApiError {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const code = typeof record.code === "string" ? record.code : `http-${status}`;
  const message = typeof record.message === "string" ? record.message : text.slice(0, 200) || "no message";
  const details = Array.isArray(record.details) ? (record.details as ApiErrorDetail[]) : [];
  return new ApiError(status, code, message, details);
}
