import Database from "better-sqlite3";
import { type ConflictTarget, StoreConflictError } from "./errors";

/** Unique keys, as SQLite names them in "UNIQUE constraint failed: …", and what they protect. */
const UNIQUE_TARGETS: ReadonlyMap<string, ConflictTarget> = new Map<string, ConflictTarget>([
  ["batches.id", "batch-id"],
  ["batches.root", "batch-root"],
  ["credentials.id", "credential-id"],
  ["credentials.batch_id, credentials.idx", "credential-index"],
  ["api_keys.id", "api-key-id"],
  ["chain_ops.batch_id", "anchor-op"],
]);

/**
 * Runs `write`, turning a unique-key violation into a {@link StoreConflictError} whose
 * `value` is `valueOf(target)`.
 */
export function withConflicts<T>(write: () => T, valueOf: (target: ConflictTarget) => string | undefined): T {
  try {
    return write();
  } catch (error) {
    const target = conflictTarget(error);
    if (target === undefined) throw error;
    throw new StoreConflictError(target, valueOf(target), { cause: error });
  }
}

function conflictTarget(error: unknown): ConflictTarget | undefined {
  if (!(error instanceof Database.SqliteError)) return undefined;
  if (error.code !== "SQLITE_CONSTRAINT_UNIQUE" && error.code !== "SQLITE_CONSTRAINT_PRIMARYKEY") return undefined;
  const key = /constraint failed: (.*)$/.exec(error.message)?.[1];
  return key === undefined ? undefined : UNIQUE_TARGETS.get(key);
}
