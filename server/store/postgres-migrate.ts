import type { ClientBase } from "pg";
import { type AppliedMigration, checkApplied, checkMigrationList, checkRefusal, type Migration } from "./migrations";

/**
 * Key of the transaction-level advisory lock every migration takes first: two instances starting
 * at once queue on it, and the second finds the first one's work done. (Any 64-bit number no other
 * program on the database uses; this one spells "credroot".)
 */
export const MIGRATION_LOCK = 0x6372_6564_726f_6f74n;

/**
 * SQLite's DDL (`migrations.ts`) in PostgreSQL's words. SQLite's `INTEGER` is 64-bit, so it
 * becomes `BIGINT` throughout; an `AUTOINCREMENT` key (never reused) becomes an identity; blobs
 * become `bytea`. Everything else in our migrations (TEXT, CHECK, UNIQUE, REFERENCES, partial
 * indexes) means the same in both.
 */
export function toPostgresSql(sql: string): string {
  return sql
    .replace(/\bINTEGER PRIMARY KEY AUTOINCREMENT\b/g, "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
    .replace(/\bINTEGER\b/g, "BIGINT")
    .replace(/\bBLOB\b/g, "BYTEA");
}

/**
 * Applies the migrations of `list` (their `postgres` SQL, or their SQLite SQL translated by
 * {@link toPostgresSql}) that the database has not applied yet, each in its own
 * transaction (PostgreSQL's DDL is transactional) together with its `schema_migrations` row, and
 * returns their versions. Idempotent, and safe when several instances migrate at once: each
 * transaction holds {@link MIGRATION_LOCK} and re-reads the applied versions under it.
 * @throws StoreError `SCHEMA` when the database has a version this code does not know (a newer
 * release migrated it) or a version recorded under another name, or holds data a migration refuses
 * (`refuseIf`); that migration and those after it are not applied then.
 */
export async function migratePostgres(client: ClientBase, list: readonly Migration[]): Promise<number[]> {
  checkMigrationList(list);
  const done: number[] = [];
  for (const migration of list) {
    await client.query("BEGIN");
    try {
      await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK.toString()]);
      const applied = await appliedRows(client);
      checkApplied(applied, list);
      if (!applied.some((row) => row.version === migration.version)) {
        if (migration.refuseIf) checkRefusal(migration, (await client.query(migration.refuseIf.sql)).rows);
        await client.query(migration.postgres ?? toPostgresSql(migration.sql));
        await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", [
          migration.version,
          migration.name,
          new Date().toISOString(),
        ]);
        done.push(migration.version);
      }
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    }
  }
  return done;
}

async function appliedRows(client: ClientBase): Promise<AppliedMigration[]> {
  const table = await client.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present");
  if (!(table.rows[0] as { present: boolean }).present) return [];
  const rows = await client.query<AppliedMigration>(
    "SELECT version::integer AS version, name FROM schema_migrations ORDER BY version",
  );
  return rows.rows;
}
