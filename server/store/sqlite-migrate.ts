import type Database from "better-sqlite3";
import { invariant } from "../../src/errors";
import { StoreError } from "./errors";
import { type Migration } from "./migrations";

interface AppliedRow {
  version: number;
  name: string;
}

/**
 * Applies the migrations of `list` that `db` has not applied yet, each in its own immediate
 * transaction together with its `schema_migrations` row, and returns their versions.
 * Idempotent, and safe when two processes migrate the same file at once: each re-reads the applied
 * versions under the write lock.
 * @throws StoreError `SCHEMA` when the database has a version this code does not know (a newer
 * release migrated it) or a version recorded under another name; nothing is changed then.
 */
export function migrateSqlite(db: Database.Database, list: readonly Migration[]): number[] {
  checkList(list);
  checkApplied(appliedRows(db), list);
  const done: number[] = [];
  for (const migration of list) {
    const apply = db.transaction(() => {
      if (appliedRows(db).some((row) => row.version === migration.version)) return false;
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

function appliedRows(db: Database.Database): AppliedRow[] {
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get();
  if (table === undefined) return [];
  return db.prepare("SELECT version, name FROM schema_migrations ORDER BY version").all() as AppliedRow[];
}

function checkList(list: readonly Migration[]): void {
  list.forEach((migration, i) => {
    invariant(
      migration.version === i + 1,
      `migration ${migration.name} has version ${migration.version}, not ${i + 1}`,
    );
  });
}

function checkApplied(applied: readonly AppliedRow[], list: readonly Migration[]): void {
  const latest = list.length;
  for (const row of applied) {
    if (row.version > latest) {
      throw new StoreError(
        "SCHEMA",
        `the database schema is at version ${row.version}, newer than this code knows (${latest}): ` +
          "run the release that migrated it, or restore a backup",
      );
    }
    const known = list[row.version - 1];
    if (known?.name !== row.name) {
      throw new StoreError(
        "SCHEMA",
        `the database records migration ${row.version} as "${row.name}" but this code calls it ` +
          `"${known?.name ?? "(none)"}": it was migrated by a different build`,
      );
    }
  }
}
