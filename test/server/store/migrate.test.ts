import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrations } from "../../../server/store/migrations";
import { StoreError } from "../../../server/store/types";
import { type TestDatabase, testDatabase } from "../../support/db";
import { countRows, credentialsFor, db, hex32, newBatch, store, useStore } from "./store-fixture";

useStore();

describe("migrate", () => {
  const latest = migrations.length;

  it("is idempotent: a second run, in this store or a new one, applies nothing and keeps the data", async () => {
    await store.insertBatch(newBatch("b1", 2), credentialsFor("b1", 2));
    await store.migrate();
    const again = db.open();
    await again.migrate();
    expect(await again.getBatch("b1")).not.toBeNull();
    await again.close();
    expect(await countRows("schema_migrations")).toBe(latest);
    expect(await db.migrateWith(migrations)).toEqual([]);
  });

  it("lets several stores migrate one new database at once: each migration applied once", async () => {
    const fresh = await testDatabase();
    const stores = Array.from({ length: 4 }, () => fresh.open());
    try {
      await Promise.all(stores.map((s) => s.migrate()));
      expect(await fresh.count("schema_migrations")).toBe(latest);
      await stores[0]!.upsertIssuer({ id: 1, name: "Open University" });
      expect(await stores[3]!.getIssuer(1)).toMatchObject({ name: "Open University" });
    } finally {
      for (const s of stores) await s.close();
      await fresh.dispose();
    }
  });

  it("refuses a database migrated by a newer release, naming both versions, and changes nothing", async () => {
    await db.exec("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01')");
    const error = await db
      .open()
      .migrate()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe("SCHEMA");
    expect((error as StoreError).message).toMatch(new RegExp(`version 99, newer than .*\\(${latest}\\)`));
    expect(await countRows("schema_migrations")).toBe(latest + 1);
  });

  it("refuses a database whose migration of the same version has another name", async () => {
    await db.exec("UPDATE schema_migrations SET name = 'edited' WHERE version = 1");
    const error = await db
      .open()
      .migrate()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "SCHEMA" });
    expect((error as StoreError).message).toContain('"edited"');
  });

  it("applies only the pending migrations, each recorded with its name", async () => {
    const next = [...migrations, { version: latest + 1, name: "extra table", sql: "CREATE TABLE extra (x INTEGER)" }];
    expect([await db.migrateWith(next), await db.migrateWith(next)]).toEqual([[latest + 1], []]);
    expect(await countRows("extra")).toBe(0);
    expect(await countRows("schema_migrations")).toBe(latest + 1);
  });

  describe("of a database from before format v2", () => {
    let old: TestDatabase;
    const V1_ROOT = hex32("v1/root");

    beforeEach(async () => {
      old = await testDatabase();
      await old.migrateWith(migrations.slice(0, 2)); // the last schema of format v1
      await old.exec("INSERT INTO issuers (id, name, created_at) VALUES (1, 'Open University', '2026-01-01')");
    });
    afterEach(async () => {
      await old.dispose();
    });

    it("refuses one that holds format-v1 credentials, saying so, and changes nothing", async () => {
      await old.exec(
        "INSERT INTO batches (id, issuer_id, root, count, uri, status, created_at, updated_at) " +
          `VALUES ('v1-batch', 1, '${V1_ROOT}', 1, '', 'final', '2026-01-01', '2026-01-01')`,
      );
      const fields = JSON.stringify({ "/title": { salt: hex32("salt"), value: "Old course" } });
      await old.exec(
        "INSERT INTO credentials (id, batch_id, idx, leaf, fields, proof) " +
          `VALUES ('v1-cred', 'v1-batch', 0, '${V1_ROOT}', '${fields}', '[]')`,
      );
      for (let attempt = 0; attempt < 2; attempt++) {
        const opened = old.open();
        const error = await opened.migrate().catch((e: unknown) => e);
        await opened.close();
        expect(error).toBeInstanceOf(StoreError);
        expect(error).toMatchObject({
          code: "SCHEMA",
          message:
            "this database holds format-v1 credentials, which can no longer be verified; start with a new database",
        });
      }
      expect(await old.count("schema_migrations")).toBe(2);
      expect([await old.count("batches"), await old.count("credentials")]).toEqual([1, 1]);
    });

    it("migrates one without batches, keeping its issuers and API keys", async () => {
      await old.exec(
        "INSERT INTO api_keys (id, issuer_id, digest, label, created_at) " +
          `VALUES ('k1', 1, ${old.kind === "postgres" ? "'\\x00'" : "x'00'"}, 'CI', '2026-01-01')`,
      );
      const opened = old.open();
      try {
        await opened.migrate();
        expect(await old.count("schema_migrations")).toBe(migrations.length);
        expect(await opened.getIssuer(1)).toMatchObject({ name: "Open University" });
        expect(await opened.getApiKey("k1")).toMatchObject({ issuerId: 1, label: "CI" });
        await opened.insertBatch(newBatch("v2", 1), credentialsFor("v2", 1));
        expect(await opened.getCredential("v2-c0")).toEqual({
          ...credentialsFor("v2", 1)[0],
          batchId: "v2",
          revokedReason: null,
        });
      } finally {
        await opened.close();
      }
    });
  });

  it("rolls a failing migration back whole: neither its tables nor its record remain", async () => {
    const sql = "CREATE TABLE half (x INTEGER); SELECT * FROM nowhere";
    const broken = [...migrations, { version: latest + 1, name: "broken", sql }];
    await expect(db.migrateWith(broken)).rejects.toThrow(/nowhere/);
    await expect(countRows("half")).rejects.toThrow(/half/);
    expect(await countRows("schema_migrations")).toBe(latest);
  });
});

describe("ping", () => {
  it("resolves on an open store and rejects once it is closed", async () => {
    await expect(store.ping()).resolves.toBeUndefined();
    const other = db.open();
    await other.close();
    await expect(other.ping()).rejects.toThrow(/not open/);
  });
});
