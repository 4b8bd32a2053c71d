import type Database from "better-sqlite3";
import { type AppliedMigration, checkApplied, checkMigrationList, checkRefusal, type Migration } from "./migrations";

/**
 * Applies the migrations of `list` that `db` has not applied yet, each in its own immediate
 * transaction together with its `schema_migrations` row, and returns their versions.
 * Idempotent, and safe when two processes migrate the same file at once: each re-reads the applied
 * versions under the write lock.
 * @throws StoreError `SCHEMA` when the database has a version this code does not know (a newer
 * release migrated it) or a version recorded under another name, or holds data a migration refuses
 * (`refuseIf`); that migration and those after it are not applied then.
 */
export function migrateSqlite(db: Database.Database, list: readonly Migration[]): number[] {
  checkMigrationList(list);
  checkApplied(appliedRows(db), list);
  const done: number[] = [];
  for (const migration of list) {
    const apply = db.transaction(() => {
      if (appliedRows(db).some((row) => row.version === migration.version)) return false;
      if (migration.refuseIf) checkRefusal(migration, db.prepare(migration.refuseIf.sql).all());
      db.exec(migration.sql);
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)").run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
      return true;
    });
    if (apply.immediate()) done.push(migration.version);
  }
  return done;
}

function appliedRows(db: Database.Database): AppliedMigration[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return [];
  return db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all() as AppliedMigration[];
}
