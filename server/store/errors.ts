/**
 * Errors a {@link Store} throws on purpose. Each carries a stable `code` that the route layer maps
 * to an HTTP status in one place (`CONFLICT` → 409, `NOT_FOUND` → 404, `SCHEMA` → 500 at startup).
 * Anything else a store throws (disk full, database locked) is an unexpected failure.
 */

/** Stable store error codes. Never rename one: callers switch on them. */
export type StoreErrorCode =
  /** A write collided with a unique key (`target` says which). */
  | "CONFLICT"
  /** A write referred to a row that does not exist (`entity` says which). */
  | "NOT_FOUND"
  /** The database's schema is newer than this code, or differs from it. */
  | "SCHEMA";

/** What a write collided with. */
export type ConflictTarget =
  | "batch-id"
  | "batch-root"
  | "credential-id"
  | "credential-index"
  | "api-key-id"
  /** The issuer already used this `Idempotency-Key`. */
  | "idempotency-key"
  /** A batch already has its `anchor` op: a batch is anchored once. */
  | "anchor-op";

/** The kinds of rows a write can refer to. */
export type StoreEntity = "issuer" | "api-key" | "batch" | "credential" | "op";

/** Base class of every error a store throws on purpose. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "StoreError";
    this.code = code;
  }
}

/** A write collided with an existing unique key; nothing of that write was stored. */
export class StoreConflictError extends StoreError {
  /** Which key collided. */
  readonly target: ConflictTarget;
  /** The colliding value, when known (e.g. the duplicate credential id). */
  readonly value: string | undefined;

  constructor(target: ConflictTarget, value: string | undefined, options: { cause?: unknown } = {}) {
    super("CONFLICT", `${target} already exists${value === undefined ? "" : `: ${value}`}`, options);
    this.name = "StoreConflictError";
    this.target = target;
    this.value = value;
  }
}

/** A batch brings a credential `/id` its issuer already issued in an earlier batch; nothing was stored. */
export class StoreIssuedError extends StoreError {
  constructor(
    /** The credential's own `/id`. */
    readonly credentialId: string,
    /** Its index in the new batch. */
    readonly index: number,
    /** The earlier batch that holds it, and its index there. */
    readonly earlier: { batchId: string; index: number },
  ) {
    super(
      "CONFLICT",
      `credential id ${credentialId} (index ${index}) was already issued in batch ${earlier.batchId} (index ${earlier.index})`,
    );
    this.name = "StoreIssuedError";
  }
}

/** A write referred to a row that does not exist; nothing of that write was stored. */
export class StoreNotFoundError extends StoreError {
  readonly entity: StoreEntity;
  readonly key: string | number;

  constructor(entity: StoreEntity, key: string | number) {
    super("NOT_FOUND", `${entity} ${String(key)} does not exist`);
    this.name = "StoreNotFoundError";
    this.entity = entity;
    this.key = key;
  }
}

/** True when `error` is a {@link StoreError}, optionally with the given code. */
export function isStoreError(error: unknown, code?: StoreErrorCode): error is StoreError {
  return error instanceof StoreError && (code === undefined || error.code === code);
}
