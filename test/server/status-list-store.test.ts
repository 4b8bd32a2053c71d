import { afterEach, describe, expect, it } from "vitest";
import { migrations } from "../../server/store/migrations";
import { type TestDatabase, testDatabase } from "../support/db";
import { credentialsFor, db, newBatch, store, useStore } from "./store/store-fixture";

useStore();

describe("status list indexes (migration 6)", () => {
  it("numbers each issuer's credentials at issuance, one after the other, from 0", async () => {
    await store.upsertIssuer({ id: 2, name: "Other College" });
    await store.insertBatch(newBatch("a", 3), credentialsFor("a", 3));
    await store.insertBatch(newBatch("o", 2, { issuerId: 2 }), credentialsFor("o", 2));
    await store.insertBatch(newBatch("b", 2), credentialsFor("b", 2));
    const entries = await Promise.all(["a-c0", "a-c1", "a-c2", "b-c0", "b-c1"].map((id) => store.getStatusEntry(id)));
    expect(entries.map((e) => e?.index)).toEqual([0, 1, 2, 3, 4]);
    expect(entries.every((e) => e?.issuerId === 1)).toBe(true);
    expect(await store.getStatusEntry("o-c1")).toEqual({ issuerId: 2, index: 1 });
    expect(await store.statusListSize(1)).toBe(5);
    expect(await store.statusListSize(2)).toBe(2);
    expect(await store.statusListSize(3)).toBe(0);
    expect(await store.getStatusEntry("nope")).toBeNull();
  });

  it("finds the indexes of credentials by digest and of every credential of a batch, for one issuer only", async () => {
    await store.upsertIssuer({ id: 2, name: "Other College" });
    const a = credentialsFor("a", 3);
    await store.insertBatch(newBatch("a", 3), a);
    await store.insertBatch(newBatch("b", 2), credentialsFor("b", 2));
    // Another issuer's credential with the same digest as a-c1 is not this issuer's bit.
    await store.insertBatch(newBatch("o", 1, { issuerId: 2 }), [
      { ...credentialsFor("o", 1)[0]!, digest: a[1]!.digest },
    ]);
    expect(await store.statusIndexes(1, { digests: [a[1]!.digest], batchIds: ["b"] })).toEqual([1, 3, 4]);
    expect(await store.statusIndexes(2, { digests: [a[1]!.digest], batchIds: [] })).toEqual([0]);
    expect(await store.statusIndexes(1, { digests: [], batchIds: [] })).toEqual([]);
  });

  it("keeps indexes when a batch is refused: a failed insert assigns none", async () => {
    await store.insertBatch(newBatch("a", 2), credentialsFor("a", 2));
    await expect(store.insertBatch(newBatch("a", 2), credentialsFor("a", 2))).rejects.toThrow();
    await store.insertBatch(newBatch("b", 1), credentialsFor("b", 1));
    expect(await store.getStatusEntry("b-c0")).toEqual({ issuerId: 1, index: 2 });
  });

  it("survives reopening the database: the same indexes", async () => {
    await store.insertBatch(newBatch("a", 2), credentialsFor("a", 2));
    const again = db.open();
    try {
      await again.migrate();
      expect(await again.getStatusEntry("a-c1")).toEqual({ issuerId: 1, index: 1 });
    } finally {
      await again.close();
    }
  });
});

describe("migration 6 on a database with credentials", () => {
  let old: TestDatabase | undefined;
  afterEach(async () => {
    await old?.dispose();
    old = undefined;
  });

  it("gives the credentials issued before it indexes, per issuer, in issuance order", async () => {
    old = await testDatabase();
    await old.migrateWith(migrations.slice(0, 4));
    await old.exec(`
INSERT INTO issuers VALUES (1, 'One', '2026-01-01T00:00:00.000Z'), (2, 'Two', '2026-01-01T00:00:00.000Z');
INSERT INTO batches (id, issuer_id, root, count, uri, status, created_at, updated_at) VALUES
  ('b2', 1, '0x02', 2, '', 'final', '2026-02-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'),
  ('b1', 1, '0x01', 2, '', 'final', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'),
  ('o1', 2, '0x03', 1, '', 'final', '2026-01-15T00:00:00.000Z', '2026-01-15T00:00:00.000Z');
INSERT INTO credentials (id, batch_id, idx, leaf, digest, secret, credential, proof) VALUES
  ('b2-0', 'b2', 0, '0x', '0xd3', 's', '{}', '[]'), ('b2-1', 'b2', 1, '0x', '0xd4', 's', '{}', '[]'),
  ('b1-1', 'b1', 1, '0x', '0xd2', 's', '{}', '[]'), ('b1-0', 'b1', 0, '0x', '0xd1', 's', '{}', '[]'),
  ('o1-0', 'o1', 0, '0x', '0xd5', 's', '{}', '[]');`);
    const migrated = old.open();
    try {
      await migrated.migrate();
      const ids = ["b1-0", "b1-1", "b2-0", "b2-1", "o1-0"];
      const entries = await Promise.all(ids.map((id) => migrated.getStatusEntry(id)));
      expect(entries).toEqual([
        { issuerId: 1, index: 0 },
        { issuerId: 1, index: 1 },
        { issuerId: 1, index: 2 },
        { issuerId: 1, index: 3 },
        { issuerId: 2, index: 0 },
      ]);
      // New credentials continue after them.
      await migrated.insertBatch(newBatch("n", 1), credentialsFor("n", 1));
      expect(await migrated.getStatusEntry("n-c0")).toEqual({ issuerId: 1, index: 4 });
    } finally {
      await migrated.close();
    }
  });
});
