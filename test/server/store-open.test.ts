import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, sqlitePathOf } from "../../server/store";
import { PostgresStore } from "../../server/store/postgres";
import { SqliteStore } from "../../server/store/sqlite";
import { CredrootError } from "../../src/errors";
import { closedPort } from "../../harness/net";

/** The error `fn` throws, checked to be a `CredrootError` with code `INVALID_ARGUMENT`. */
function invalidArgument(fn: () => unknown): CredrootError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CredrootError);
    expect((error as CredrootError).code).toBe("INVALID_ARGUMENT");
    return error as CredrootError;
  }
  throw new Error("expected an INVALID_ARGUMENT error, but nothing was thrown");
}

describe("sqlitePathOf", () => {
  it.each([
    [":memory:", ":memory:"],
    ["file::memory:", ":memory:"],
    ["sqlite::memory:", ":memory:"],
    ["file:data/credroot.db", resolve("data/credroot.db")],
    ["file:./credroot.db", resolve("credroot.db")],
    ["file:/var/lib/credroot/credroot.db", "/var/lib/credroot/credroot.db"],
    ["file:///var/lib/credroot/credroot.db", "/var/lib/credroot/credroot.db"],
    ["sqlite:data/credroot.db", resolve("data/credroot.db")],
    ["sqlite:/var/lib/credroot.db", "/var/lib/credroot.db"],
    ["data/credroot.db", resolve("data/credroot.db")],
    ["/var/lib/credroot.db", "/var/lib/credroot.db"],
  ])("reads %s as %s", (url, path) => {
    expect(sqlitePathOf(url)).toBe(path);
  });

  it.each(["postgres://user:secret@db.example:5432/credroot", "postgresql://db.example/credroot", "POSTGRES://x/y"])(
    "says that %s is a PostgreSQL URL, not a file, without its password",
    (url) => {
      const error = invalidArgument(() => sqlitePathOf(url));
      expect(error.message).toMatch(/is a PostgreSQL URL, not a SQLite file$/);
      expect(error.message).not.toContain("secret");
    },
  );

  it.each(["", "file:", "sqlite:", "sqlite://credroot.db", "mysql://db.example/credroot", "http://db.example"])(
    "refuses %j, naming the value",
    (url) => {
      expect(invalidArgument(() => sqlitePathOf(url)).message).toContain(`"${url}"`);
    },
  );

  it("hides the password of a refused URL", () => {
    const error = invalidArgument(() => sqlitePathOf("mysql://admin:hunter2@db.example/credroot"));
    expect(error.message).not.toContain("hunter2");
    expect(error.message).toContain("mysql://***@db.example/credroot");
  });
});

describe("openStore", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "credroot-open-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates the missing parent folders of a file and opens a working SQLite store there", async () => {
    const path = join(dir, "nested/deeper/credroot.db");
    const store = openStore(`file:${path}`);
    expect(store).toBeInstanceOf(SqliteStore);
    await store.migrate();
    await store.upsertIssuer({ id: 1, name: "Open University" });
    await store.close();
    expect(existsSync(path)).toBe(true);
  });

  it("opens an in-memory store for :memory:", async () => {
    const store = openStore(":memory:");
    await store.migrate();
    await expect(store.ping()).resolves.toBeUndefined();
    await store.close();
  });

  it.each(["postgres://localhost/credroot", "postgresql://u:p@db.example:6543/credroot?sslmode=require"])(
    "opens a PostgreSQL store for %s without connecting yet",
    async (url) => {
      const store = openStore(url, { poolSize: 2 });
      expect(store).toBeInstanceOf(PostgresStore);
      await store.close();
    },
  );

  it.each([
    ["postgres://user:hunter2@db.example:5432", "names no database"],
    ["postgres://user:hunter2@db.example:99999/credroot", "malformed PostgreSQL URL"],
  ])("refuses %s, hiding the password", (url, message) => {
    const error = invalidArgument(() => openStore(url));
    expect(error.message).toContain(message);
    expect(error.message).toContain("postgres://***@db.example");
    expect(error.message).not.toContain("hunter2");
  });

  it("fails to reach a server that is not there with an error that does not carry the password", async () => {
    const port = await closedPort();
    const store = openStore(`postgres://credroot:hunter2@127.0.0.1:${port}/credroot`);
    const error = await store.migrate().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain("ECONNREFUSED");
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain("hunter2");
    await store.close();
    await expect(store.ping()).rejects.toThrow(/not open/);
  });
});
