import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, sqlitePathOf } from "../../server/store";
import { SqliteStore } from "../../server/store/sqlite";
import { CredrootError } from "../../src/errors";

const POSTGRES_MESSAGE = "PostgreSQL storage is not implemented yet (see issue 7); use a SQLite file";

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

  it.each(["postgres://user:secret@db.example:5432/credroot", "postgresql://db.example/credroot", "POSTGRES://x"])(
    "explains that PostgreSQL is not implemented yet for %s, without echoing the URL",
    (url) => {
      const error = invalidArgument(() => sqlitePathOf(url));
      expect(error.message).toBe(POSTGRES_MESSAGE);
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

  it("throws the PostgreSQL message for a postgres URL without creating anything", () => {
    expect(() => openStore("postgres://localhost/credroot")).toThrow(POSTGRES_MESSAGE);
  });
});
