import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CredrootError } from "../../src/errors";
import { PostgresStore } from "./postgres";
import { SqliteStore } from "./sqlite";
import { type Store } from "./types";

const MEMORY = ":memory:";
const POSTGRES = /^postgres(ql)?:\/\//i;

export interface OpenStoreOptions {
  /** PostgreSQL: most connections the pool opens (default 10). SQLite has one connection. */
  poolSize?: number;
}

/**
 * Opens the store a database URL names; call `migrate()` on it before use.
 * PostgreSQL: `postgres://user:password@host:5432/database` or `postgresql://…` (libpq's URL, with
 * `?sslmode=…` and the like); the pool connects on first use.
 * SQLite: `:memory:`, `file:path.db` (relative or absolute), `file:///absolute/path.db`,
 * `sqlite:path.db` and a plain path. A file's parent folder is created if missing.
 * @throws CredrootError `INVALID_ARGUMENT` for anything it cannot open (a password in the URL is
 * never repeated in the message).
 * @example
 * const store = openStore(process.env.DATABASE_URL ?? "file:.credroot/credroot.db");
 * await store.migrate();
 */
export function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Store {
  if (POSTGRES.test(databaseUrl)) {
    checkPostgresUrl(databaseUrl);
    return new PostgresStore(databaseUrl, options);
  }
  const path = sqlitePathOf(databaseUrl);
  if (path !== MEMORY) mkdirSync(dirname(path), { recursive: true });
  return new SqliteStore(path);
}

function checkPostgresUrl(databaseUrl: string): void {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new CredrootError("INVALID_ARGUMENT", `malformed PostgreSQL URL "${redactUrl(databaseUrl)}"`);
  }
  if (url.pathname.length <= 1) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `PostgreSQL URL "${redactUrl(databaseUrl)}" names no database: postgres://user:password@host:5432/database`,
    );
  }
}

/**
 * The SQLite path a database URL names: `:memory:` or an absolute file path (relative ones are
 * resolved against the working directory). Pure: creates nothing.
 * @throws CredrootError `INVALID_ARGUMENT` as {@link openStore} does, and for a PostgreSQL URL.
 */
export function sqlitePathOf(databaseUrl: string): string {
  if (POSTGRES.test(databaseUrl)) {
    throw new CredrootError("INVALID_ARGUMENT", `"${redactUrl(databaseUrl)}" is a PostgreSQL URL, not a SQLite file`);
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

/** `url` with its user and password (`//user:password@`) replaced by `//***@`: safe to log. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/.*@/, "//***@");
}

function unsupported(databaseUrl: string): CredrootError {
  return new CredrootError(
    "INVALID_ARGUMENT",
    `unsupported database URL "${redactUrl(databaseUrl)}": use postgres://user:password@host/database, ` +
      ":memory:, file:path.db, sqlite:path.db or a plain file path",
  );
}
