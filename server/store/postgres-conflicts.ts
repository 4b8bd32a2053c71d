import { DatabaseError } from "pg";
import { type ConflictTarget, StoreConflictError } from "./errors";

/** Unique constraints, as PostgreSQL names them (`postgres-migrations.ts`), and what they protect. */
const UNIQUE_TARGETS: ReadonlyMap<string, ConflictTarget> = new Map<string, ConflictTarget>([
  ["batches_pkey", "batch-id"],
  ["batches_root_key", "batch-root"],
  ["credentials_pkey", "credential-id"],
  ["credentials_batch_id_idx_key", "credential-index"],
  ["api_keys_pkey", "api-key-id"],
  ["chain_ops_one_anchor", "anchor-op"],
]);

/** PostgreSQL's SQLSTATE for a unique violation. */
const UNIQUE_VIOLATION = "23505";

/**
 * Runs `write`, turning a unique violation into a {@link StoreConflictError} whose `value` is the
 * colliding key's last column as PostgreSQL reports it ("Key (batch_id, idx)=(b1, 3) already
 * exists" → "3"): the duplicate id, root or index.
 */
export async function withPgConflicts<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof DatabaseError) || error.code !== UNIQUE_VIOLATION) throw error;
    const target = UNIQUE_TARGETS.get(error.constraint ?? "");
    if (target === undefined) throw error;
    const values = /\)=\((.*)\) already exists/.exec(error.detail ?? "")?.[1];
    throw new StoreConflictError(target, values?.split(", ").at(-1), { cause: error });
  }
}
