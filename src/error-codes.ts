/**
 * The one vocabulary of credroot's errors, from the library to HTTP: every `code` the service can
 * answer (its HTTP status and what it means), and the library's own codes, each mapped to one of
 * them. The service's error handler, its OpenAPI document (the `enum` of the Error schema) and
 * the tests all read this list; a code missing here cannot be sent.
 */

/** What one error code stands for. */
export interface ErrorCodeInfo {
  /** The HTTP status it is answered with. */
  readonly status: number;
  /** One line for the API reference. */
  readonly meaning: string;
}

/**
 * Every error code of the HTTP API, by status. Never rename one: clients switch on them (add a new
 * one instead). A 5xx other than `public-url-not-set` and the 503s never carries an internal message.
 */
export const API_ERRORS = {
  "invalid-request": {
    status: 400,
    meaning: "The request does not fit the route's schema (path, query, headers or body); details name each field.",
  },
  "invalid-json": {
    status: 400,
    meaning:
      "The body is not JSON read one way only: empty, malformed, a key twice, a lone surrogate, a __proto__ key.",
  },
  "invalid-content-length": { status: 400, meaning: "The Content-Length header does not match the body." },
  "bad-url": { status: 400, meaning: "The URL cannot be decoded (a malformed percent-encoding)." },
  "bad-request": {
    status: 400,
    meaning: "Another request the HTTP layer refused: sent with the 4xx status it chose (400 for most).",
  },
  "invalid-credential": {
    status: 400,
    meaning: "A credential does not fit the credential schema; details name each row and field. Nothing was stored.",
  },
  "invalid-bundle": {
    status: 400,
    meaning: "The bundle or presentation does not fit its format, or is version 1 (have it re-issued).",
  },
  "not-a-credential": {
    status: 400,
    meaning: "What was sent is none of the formats credroot reads (bundle, presentation, signed credential, badge…).",
  },
  "invalid-argument": {
    status: 400,
    meaning: "An input that cannot be used: a CSV that cannot be read, a field that cannot be hidden, …",
  },
  "duplicate-credential": {
    status: 400,
    meaning: "Two credentials of the batch are identical (the same leaf). Nothing was stored.",
  },
  "too-long-for-qr": { status: 400, meaning: "The share link is too long for a QR code: hide fewer fields." },
  unauthorized: { status: 401, meaning: "No API key, or one that is malformed, unknown, wrong or revoked." },
  forbidden: {
    status: 403,
    meaning: "The key's issuer may not do this: another issuer's batch, credential or key, or a signer not its own.",
  },
  "not-found": { status: 404, meaning: "No such route, batch, credential, issuer or API key." },
  conflict: { status: 409, meaning: "The write collides with something already stored." },
  "already-issued": {
    status: 409,
    meaning: "A credential id of the upload was issued before (or is in it twice). Nothing was stored.",
  },
  "not-anchored-yet": {
    status: 409,
    meaning: "The batch is not anchored yet: its bundles and its revocations wait for that.",
  },
  "already-revoked": { status: 409, meaning: "The batch or the credential is already revoked." },
  "already-requested": { status: 409, meaning: "This revocation is already on its way to the chain." },
  "wrong-signer": {
    status: 409,
    meaning: "The service's signer no longer signs for the batch's issuer, so the registry would refuse it.",
  },
  "not-valid": {
    status: 409,
    meaning: "The credential does not verify valid now (revoked, expired, not accredited…), so it is not signed.",
  },
  "key-not-registered": {
    status: 409,
    meaning:
      "The issuer's signing DID is not recorded, in use, for it in the registry; the message says how to record it.",
  },
  "contract-revert": { status: 409, meaning: "The registry contract refused the call; the message names its error." },
  "body-too-large": { status: 413, meaning: "The body is larger than the route accepts." },
  "unsupported-media-type": { status: 415, meaning: "The body's Content-Type is not one the route reads." },
  "idempotency-key-reused": {
    status: 422,
    meaning: "The Idempotency-Key was used before with another body. Nothing was stored.",
  },
  "rate-limited": {
    status: 429,
    meaning: "Too many requests in the last minute (per client address, or per issuer); Retry-After says when.",
  },
  "internal-error": {
    status: 500,
    meaning: "A bug or an unexpected failure: logged with its stack; the answer says nothing more.",
  },
  "public-url-not-set": {
    status: 500,
    meaning: "The service listens on every address without PUBLIC_URL, so it has no link to give.",
  },
  "chain-unavailable": {
    status: 503,
    meaning: "The chain could not be asked (unreachable, too slow, no registry there): no verdict; try again.",
  },
  "signing-not-configured": {
    status: 503,
    meaning:
      "The service has no issuer signing key (ISSUER_SIGNING_KEY): it serves proof bundles, not signed credentials.",
  },
  "not-ready": { status: 503, meaning: "GET /ready: the database or the chain is unreachable, or the wrong chain." },
  "shutting-down": {
    status: 503,
    meaning: "The instance is stopping: a request that reached it after shutdown began; send it again (to another).",
  },
} as const satisfies Record<string, ErrorCodeInfo>;

/** An error code of the HTTP API (a key of {@link API_ERRORS}). */
export type ApiErrorCode = keyof typeof API_ERRORS;

/** Every {@link ApiErrorCode}, in the order of {@link API_ERRORS} (by status). */
export const API_ERROR_CODES = Object.keys(API_ERRORS) as readonly ApiErrorCode[];

/** True when `code` is one of the HTTP API's error codes. */
export function isApiErrorCode(code: unknown): code is ApiErrorCode {
  return typeof code === "string" && Object.hasOwn(API_ERRORS, code);
}

/**
 * The library's error codes, each with the API code it is answered with over HTTP: the one place
 * they are mapped. Never rename one: callers switch on them.
 */
export const LIBRARY_ERRORS = {
  INVALID_CREDENTIAL: {
    api: "invalid-credential",
    meaning: "A credential does not fit the schema; details list each field.",
  },
  INVALID_BUNDLE: { api: "invalid-bundle", meaning: "A bundle does not fit the bundle schema or is inconsistent." },
  INVALID_ARGUMENT: {
    api: "invalid-argument",
    meaning: "A caller passed an argument that cannot be used (wrong length, empty batch, …).",
  },
  NOT_A_CREDENTIAL: {
    api: "not-a-credential",
    meaning: "An input is none of the formats credroot reads; the message lists those it does.",
  },
  DUPLICATE_LEAF: { api: "duplicate-credential", meaning: "Two credentials of one batch produce the same leaf." },
  CHAIN_UNAVAILABLE: {
    api: "chain-unavailable",
    meaning: "The chain could not be asked (network error, timeout, no contract at the address).",
  },
  CONTRACT_REVERT: {
    api: "contract-revert",
    meaning: "The registry contract reverted; `revert` names the custom error.",
  },
  INVARIANT: { api: "internal-error", meaning: "A bug: an internal invariant does not hold." },
} as const satisfies Record<string, { readonly api: ApiErrorCode; readonly meaning: string }>;

/** Stable error codes of the library's {@link CredrootError}s (keys of {@link LIBRARY_ERRORS}). */
export type ErrorCode = keyof typeof LIBRARY_ERRORS;
