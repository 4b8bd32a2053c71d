import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CredrootError } from "../../src/errors";
import { SqliteStore } from "./sqlite";
import { type Store } from "./types";

const MEMORY = ":memory:";

/**
 * Opens the store a database URL names; call `migrate()` on it before use.
 * Accepted: `:memory:`, `file:path.db` (relative or absolute), `file:///absolute/path.db`,
 * `sqlite:path.db` and a plain path. A file's parent folder is created if missing.
 * @throws CredrootError `INVALID_ARGUMENT` for a PostgreSQL URL (not implemented yet) and for
 * anything else it cannot open.
 * @example
 * const store = openStore(process.env.DATABASE_URL ?? "file:.credroot/credroot.db");
 * await store.migrate();
 */
export function openStore(databaseUrl: string): Store {
  const path = sqlitePathOf(databaseUrl);
  if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true });
  return new SqliteStore(path);
}

/**
 * The SQLite path a database URL names: `:memory:` or an absolute file path (relative ones are
 * resolved against the working directory). Pure: creates nothing.
 * @throws CredrootError `INVALID_ARGUMENT` as {@link openStore} does.
 */
export function sqlitePathOf(databaseUrl: string): string {
  if (/^postgres(ql)?:/i.test(databaseUrl)) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      "PostgreSQL storage is not implemented yet (see issue 7); use a SQLite file",
    );
  }
  const path = stripScheme(databaseUrl);
  if (path === MEMORY) return MEMORY;
  if (path === undefined || path === "" || path.startsWith("//")) throw unsupported(databaseUrl);
  return resolve(path);
}

function stripScheme(databaseUrl: string): string | undefined {
  if (databaseUrl.startsWith("file://")) return fileUrlPath(databaseUrl);
  for (const scheme of ["file:", "sqlite:"]) {
    if (databaseUrl.startsWith(scheme)) return databaseUrl.slice(scheme.length);
  }
  // Any other scheme (two letters or more, so that `C:\…` stays a path) is not ours.
  return /^[a-z][a-z0-9+.-]+:/i.test(databaseUrl) ? undefined : databaseUrl;
}

function fileUrlPath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}

function unsupported(databaseUrl: string): CredrootError {
  // Never echo a password that came with a URL into logs.
  const shown = databaseUrl.replace(/\/\/[^/@]*@/, "//***@");
  return new CredrootError(
    "INVALID_ARGUMENT",
    `unsupported database URL "${shown}": use :memory:, file:path.db, sqlite:path.db or a plain file path`,
  );
}
