import Database from "better-sqlite3";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "pg";
import { openStore } from "../../server/store";
import type { Migration } from "../../server/store/migrations";
import { migratePostgres } from "../../server/store/postgres-migrate";
import { migrateSqlite } from "../../server/store/sqlite-migrate";
import type { Store } from "../../server/store/types";
import { createDatabase } from "../../harness/postgres";

/** Which database the server tests run on: set per vitest project (`CREDROOT_TEST_DB`, see vitest.config.mts). */
export type TestDbKind = "sqlite" | "postgres";

export function testDbKind(): TestDbKind {
  const kind = process.env.CREDROOT_TEST_DB ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgres") {
    throw new Error(`CREDROOT_TEST_DB must be sqlite or postgres, got "${kind}"`);
  }
  return kind;
}

/** An empty database of the kind under test, of this test's own, with raw access for checks. */
export interface TestDatabase {
  kind: TestDbKind;
  /** What `DATABASE_URL` would say. */
  url: string;
  /** A new store (a connection of its own) on this database; not migrated yet. */
  open(): Store;
  /** Rows of `table`, counted on a connection of its own: what is committed. */
  count(table: string): Promise<number>;
  /** Runs SQL straight on the database (no store). */
  exec(sql: string): Promise<void>;
  /** Applies `list` with the dialect's migrator, as the store's `migrate()` does with the real list. */
  migrateWith(list: readonly Migration[]): Promise<number[]>;
  /** Deletes the database (SQLite) or leaves it to the server's end (PostgreSQL). */
  dispose(): Promise<void>;
}

/**
 * The test run's PostgreSQL server (provided by postgres-setup.ts). Vitest is imported only here:
 * the benchmarks import this module's neighbours (service.ts) outside Vitest, where it cannot load.
 */
async function postgresUrl(): Promise<string> {
  const { inject } = await import("vitest");
  const url = inject("postgresUrl");
  if (!url) throw new Error("no PostgreSQL server: CREDROOT_TEST_DB=postgres needs test/support/postgres-setup.ts");
  return url;
}

/** A fresh, empty database of the kind under test. */
export async function testDatabase(): Promise<TestDatabase> {
  return testDbKind() === "postgres" ? postgresDatabase(await createDatabase(await postgresUrl())) : sqliteDatabase();
}

/**
 * The store a service test uses: an in-memory SQLite database, or a new PostgreSQL database of its
 * own (a small pool: a test run opens many).
 */
export async function openTestStore(): Promise<Store> {
  if (testDbKind() === "sqlite") return openStore(":memory:");
  return openStore(await createDatabase(await postgresUrl()), { poolSize: 4 });
}

function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "credroot-db-"));
  const file = join(dir, "store.db");
  // A promise of what `work` returns or throws, with the file open meanwhile.
  const withDb = <T>(work: (db: Database.Database) => T): Promise<T> =>
    new Promise((resolve) => {
      const db = new Database(file);
      try {
        resolve(work(db));
      } finally {
        db.close();
      }
    });
  return {
    kind: "sqlite",
    url: `file:${file}`,
    open: () => openStore(`file:${file}`),
    count: (table) => withDb((db) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n),
    exec: async (sql) => {
      await withDb((db) => db.exec(sql));
    },
    migrateWith: (list) => withDb((db) => migrateSqlite(db, list)),
    dispose: async () => {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function postgresDatabase(url: string): TestDatabase {
  const withClient = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  return {
    kind: "postgres",
    url,
    open: () => openStore(url, { poolSize: 4 }),
    count: (table) =>
      withClient(async (client) => {
        const result = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
        return Number(result.rows[0]!.n);
      }),
    exec: async (sql) => {
      await withClient((client) => client.query(sql));
    },
    migrateWith: (list) => withClient((client) => migratePostgres(client, list)),
    dispose: () => Promise.resolve(),
  };
}
