import { API_ERRORS, type ApiErrorCode, type ErrorDetail } from "../src";

/** A validation problem; batch submissions add the row (and CSV line) it was found in. */
export interface HttpErrorDetail extends ErrorDetail {
  readonly row?: number;
  readonly line?: number;
}

/** The body of every error answer (the OpenAPI `Error` schema); some routes add fields of their own. */
export interface ErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly details: readonly HttpErrorDetail[];
}

/**
 * An error a route raises on purpose: a code of the one list (`API_ERRORS` in src/error-codes.ts,
 * which gives its HTTP status) and a message saying what went wrong.
 * @example
 * throw new HttpError("forbidden", "this batch belongs to another issuer");
 */
export class HttpError extends Error {
  /** The status of `code` in the list. */
  readonly statusCode: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details: readonly HttpErrorDetail[] = [],
  ) {
    super(message);
    this.name = "HttpError";
    this.statusCode = API_ERRORS[code].status;
  }
}

/** 404 `not-found`: "`what` not found". */
export const notFound = (what: string) => new HttpError("not-found", `${what} not found`);

/** The `{ code, message, details }` body of an error answer. */
export function errorBody(code: ApiErrorCode, message: string, details: readonly HttpErrorDetail[] = []): ErrorBody {
  return { code, message, details };
}
