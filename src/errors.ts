/**
 * One error family for the whole library. Every error has a stable machine-readable `code`, listed
 * with its meaning and its HTTP answer in `error-codes.ts`; the CLI maps codes to exit codes.
 */
import type { ErrorCode } from "./error-codes";

export * from "./error-codes";

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
