import type { ErrorCode, ErrorDetail } from "../src";

/** A validation problem; batch submissions add the row (and CSV line) it was found in. */
export interface HttpErrorDetail extends ErrorDetail {
  readonly row?: number;
  readonly line?: number;
}

/** An error a route raises on purpose: an HTTP status, a stable kebab-case code and a message. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: readonly HttpErrorDetail[] = [],
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const notFound = (what: string) => new HttpError(404, "not-found", `${what} not found`);

/** HTTP status and response code of each library error code: the one place they are mapped. */
export const LIBRARY_ERROR_STATUS: Record<ErrorCode, { status: number; code: string }> = {
  INVALID_CREDENTIAL: { status: 400, code: "invalid-credential" },
  INVALID_BUNDLE: { status: 400, code: "invalid-bundle" },
  INVALID_ARGUMENT: { status: 400, code: "invalid-argument" },
  DUPLICATE_LEAF: { status: 400, code: "duplicate-credential" },
  CHAIN_UNAVAILABLE: { status: 503, code: "chain-unavailable" },
  CONTRACT_REVERT: { status: 409, code: "contract-revert" },
  INVARIANT: { status: 500, code: "internal-error" },
};
