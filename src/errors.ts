/**
 * One error family for the whole library. Every error has a stable machine-readable `code`; the
 * service maps codes to HTTP statuses in one place and the CLI to exit codes.
 */

/** Stable error codes. Never rename one: callers switch on them. */
export type ErrorCode =
  /** A credential does not fit the schema; `details` lists each field. */
  | "INVALID_CREDENTIAL"
  /** A bundle does not fit the bundle schema or is inconsistent. */
  | "INVALID_BUNDLE"
  /** A caller passed an argument that cannot be used (wrong length, empty batch, …). */
  | "INVALID_ARGUMENT"
  /** Two credentials of one batch produce the same leaf. */
  | "DUPLICATE_LEAF"
  /** The chain could not be asked (network error, timeout, no contract at the address). */
  | "CHAIN_UNAVAILABLE"
  /** The registry contract reverted; `revert` names the custom error. */
  | "CONTRACT_REVERT"
  /** A bug: an internal invariant does not hold. */
  | "INVARIANT";

/** One problem found while validating input, e.g. `{ path: "/workload/ects", message: "must be >= 0" }`. */
export interface ErrorDetail {
  readonly path: string;
  readonly message: string;
}

/** A decoded contract revert: the custom error's name and its arguments. */
export interface RevertInfo {
  readonly name: string;
  readonly args: readonly unknown[];
}

export interface CredrootErrorOptions {
  readonly cause?: unknown;
  readonly details?: readonly ErrorDetail[];
  readonly revert?: RevertInfo;
}

/** Base class of every error the library throws on purpose. */
export class CredrootError extends Error {
  readonly code: ErrorCode;
  readonly details: readonly ErrorDetail[];
  readonly revert: RevertInfo | undefined;

  constructor(code: ErrorCode, message: string, options: CredrootErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CredrootError";
    this.code = code;
    this.details = options.details ?? [];
    this.revert = options.revert;
  }
}

/** True when `error` is a {@link CredrootError}, optionally with the given code. */
export function isCredrootError(error: unknown, code?: ErrorCode): error is CredrootError {
  return error instanceof CredrootError && (code === undefined || error.code === code);
}

/** Throws an `INVARIANT` error: for conditions that only a bug can break. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CredrootError("INVARIANT", message);
}
