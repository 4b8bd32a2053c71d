import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { migrations } from "../../server/store/migrations";
import {
  type BatchStatus,
  type NewBatch,
  type NewCredential,
  type OpStatus,
  type Store,
  StoreConflictError,
  StoreError,
  StoreIssuedError,
  StoreNotFoundError,
} from "../../server/store/types";
import { type TestDatabase, testDatabase } from "../support/db";

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Matches an ISO-8601 UTC timestamp (typed `unknown`: vitest's asymmetric matchers are `any`). */
const anIsoTime: unknown = expect.stringMatching(ISO_UTC);
const aNumber: unknown = expect.any(Number);
const SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const ALL_STATUSES: readonly OpStatus[] = ["queued", "signed", "sent", "mined", "final", "failed"];

/** A 32-byte hex string derived from `label`, e.g. a root or a leaf. */
function hex32(label: string): string {
  return `0x${Buffer.from(label).toString("hex").padEnd(64, "0").slice(0, 64)}`;
}

/** `count` credentials of batch `batchId`, ids `<batchId>-c<index>`. */
function credentialsFor(batchId: string, count: number): NewCredential[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${batchId}-c${index}`,
    index,
    leaf: hex32(`${batchId}/leaf/${index}`),
    digest: hex32(`${batchId}/digest/${index}`),
    secret: Buffer.from(`secret/${index}`.padEnd(16, ".")).toString("base64url"),
    credential: { name: `Learner ${index}`, workload: { ects: 5 }, skills: ["a", "b"] },
    proof: [hex32(`${batchId}/p0/${index}`), hex32(`${batchId}/p1/${index}`)],
  }));
}

function newBatch(id: string, count: number, overrides: Partial<NewBatch> = {}): NewBatch {
  return { id, issuerId: 1, root: hex32(`${id}/root`), count, uri: `ipfs://${id}`, signer: SIGNER, ...overrides };
}

// The same contract on SQLite and PostgreSQL: the vitest project says which (test/support/db.ts).
let db: TestDatabase;
let store: Store;

beforeEach(async () => {
  db = await testDatabase();
  store = db.open();
  await store.migrate();
  await store.upsertIssuer({ id: 1, name: "Open University" });
});

afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  await db.dispose();
});

/** Rows of `table`, counted through a second connection: what is committed, not what one connection sees. */
const countRows = (table: string): Promise<number> => db.count(table);

/** A violated CHECK constraint, in either dialect's words. */
const CHECK_VIOLATION = /check constraint/i;

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

describe("upsertIssuer", () => {
  it("creates an issuer, then renames it keeping its id and creation time", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-02T03:04:05.678Z"));
    const created = await store.upsertIssuer({ id: 7, name: "Old name" });
    expect(created).toEqual({ id: 7, name: "Old name", createdAt: "2026-01-02T03:04:05.678Z" });
    vi.setSystemTime(new Date("2026-02-01T00:00:00.000Z"));
    const renamed = await store.upsertIssuer({ id: 7, name: "New name" });
    expect(renamed).toEqual({ id: 7, name: "New name", createdAt: "2026-01-02T03:04:05.678Z" });
    expect(await store.getIssuer(7)).toEqual(renamed);
  });
});

describe("createApiKey / getApiKey / revokeApiKey", () => {
  const digest = Buffer.from("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "hex");

  it("stores a key whose digest comes back as the same bytes in a Buffer", async () => {
    const created = await store.createApiKey({ id: "k1", issuerId: 1, digest, label: "CI" });
    expect(created).toEqual({
      id: "k1",
      issuerId: 1,
      digest,
      label: "CI",
      createdAt: anIsoTime,
      revokedAt: null,
    });
    const read = await store.getApiKey("k1");
    expect(read).toEqual(created);
    expect(Buffer.isBuffer(read?.digest)).toBe(true);
  });

  it("revokes a key, keeping the first revocation time when revoked again", async () => {
    await store.createApiKey({ id: "k1", issuerId: 1, digest, label: "CI" });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T00:00:00.000Z"));
    await store.revokeApiKey("k1");
    vi.setSystemTime(new Date("2026-04-01T00:00:00.000Z"));
    await store.revokeApiKey("k1");
    expect((await store.getApiKey("k1"))?.revokedAt).toBe("2026-03-01T00:00:00.000Z");
  });

  it("refuses a duplicate key id, an unknown issuer and revoking an unknown key", async () => {
    await store.createApiKey({ id: "k1", issuerId: 1, digest, label: "CI" });
    await expect(store.createApiKey({ id: "k1", issuerId: 1, digest, label: "again" })).rejects.toMatchObject({
      code: "CONFLICT",
      target: "api-key-id",
      value: "k1",
    });
    await expect(store.createApiKey({ id: "k2", issuerId: 404, digest, label: "x" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      entity: "issuer",
      key: 404,
    });
    await expect(store.revokeApiKey("nope")).rejects.toBeInstanceOf(StoreNotFoundError);
    expect(await countRows("api_keys")).toBe(1);
  });
});

describe("insertBatch", () => {
  it("stores the batch as pending, its credentials in index order and one queued anchor op", async () => {
    const credentials = credentialsFor("b1", 10);
    const batch = await store.insertBatch(newBatch("b1", 10), credentials);
    expect(batch).toEqual({
      id: "b1",
      issuerId: 1,
      root: hex32("b1/root"),
      count: 10,
      uri: "ipfs://b1",
      status: "pending",
      txHash: null,
      blockNumber: null,
      error: null,
      revokedReason: null,
      createdAt: anIsoTime,
      updatedAt: batch.createdAt,
    });
    expect(await store.getBatch("b1")).toEqual(batch);

    const expected = credentials.map((c) => ({ ...c, batchId: "b1", revokedReason: null }));
    expect(await store.listCredentials("b1", 0, 100)).toEqual(expected);
    expect(await store.listCredentials("b1", 3, 4)).toEqual(expected.slice(3, 7));
    expect(await store.getCredential("b1-c5")).toEqual(expected[5]);

    expect(await store.opsOfBatch("b1")).toEqual([
      {
        id: aNumber,
        kind: "anchor",
        batchId: "b1",
        credentialId: null,
        signer: SIGNER,
        reason: "",
        status: "queued",
        nonce: null,
        txHash: null,
        rawTx: null,
        blockNumber: null,
        blockHash: null,
        error: null,
        attempts: 0,
        createdAt: batch.createdAt,
        updatedAt: batch.createdAt,
      },
    ]);
  });

  it("pages credentials like slicing the list, for any offset and limit", async () => {
    const expected = credentialsFor("b1", 20).map((c) => ({ ...c, batchId: "b1", revokedReason: null }));
    await store.insertBatch(newBatch("b1", 20), credentialsFor("b1", 20));
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 25 }), fc.nat({ max: 25 }), async (offset, limit) => {
        expect(await store.listCredentials("b1", offset, limit)).toEqual(expected.slice(offset, offset + limit));
      }),
    );
  });

  it("stores any JSON credential values and reads them back equal", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string(), fc.jsonValue()), async (values) => {
        const id = `json-${n++}`;
        const [credential] = credentialsFor(id, 1);
        await store.insertBatch(newBatch(id, 1), [{ ...credential!, credential: values }]);
        // What JSON can hold: -0 comes back as 0, as it does from any JSON body.
        expect((await store.getCredential(`${id}-c0`))?.credential).toEqual(JSON.parse(JSON.stringify(values)));
      }),
      { numRuns: 50 },
    );
  });

  it("stores nothing at all when a credential id in a later statement of the insert is a duplicate", async () => {
    const credentials = credentialsFor("b1", 2500);
    // PostgreSQL inserts 1,000 rows a statement: the duplicate is in the third, the first two are undone.
    credentials[2100] = { ...credentials[2100]!, id: credentials[200]!.id };
    const error = await store.insertBatch(newBatch("b1", 2500), credentials).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreConflictError);
    expect(error).toMatchObject({ code: "CONFLICT", target: "credential-id", value: "b1-c200" });
    expect(await Promise.all(["batches", "credentials", "chain_ops"].map(countRows))).toEqual([0, 0, 0]);
    expect(await store.getBatch("b1")).toBeNull();
    // The failed transaction left nothing behind: the corrected batch goes in.
    await store.insertBatch(newBatch("b1", 2500), credentialsFor("b1", 2500));
    expect(await Promise.all(["batches", "credentials", "chain_ops"].map(countRows))).toEqual([1, 2500, 1]);
  });

  it("refuses a root that is already anchored by another batch, storing nothing of the second", async () => {
    await store.insertBatch(newBatch("b1", 3), credentialsFor("b1", 3));
    const twin = newBatch("b2", 3, { root: hex32("b1/root") });
    await expect(store.insertBatch(twin, credentialsFor("b2", 3))).rejects.toMatchObject({
      name: "StoreConflictError",
      code: "CONFLICT",
      target: "batch-root",
      value: hex32("b1/root"),
    });
    expect(await Promise.all(["batches", "credentials", "chain_ops"].map(countRows))).toEqual([1, 3, 1]);
  });

  it("names the conflict for a reused batch id, a credential id of another batch and a repeated index", async () => {
    await store.insertBatch(newBatch("b1", 2), credentialsFor("b1", 2));
    const sameId = store.insertBatch(newBatch("b1", 1, { root: hex32("other") }), credentialsFor("x", 1));
    await expect(sameId).rejects.toMatchObject({ target: "batch-id", value: "b1" });
    const stolen = [{ ...credentialsFor("b2", 1)[0]!, id: "b1-c1" }];
    await expect(store.insertBatch(newBatch("b2", 1), stolen)).rejects.toMatchObject({
      target: "credential-id",
      value: "b1-c1",
    });
    const repeated = credentialsFor("b3", 2).map((c) => ({ ...c, index: 0 }));
    await expect(store.insertBatch(newBatch("b3", 2), repeated)).rejects.toMatchObject({
      target: "credential-index",
      value: "0",
    });
    expect(await Promise.all(["batches", "credentials", "chain_ops"].map(countRows))).toEqual([1, 2, 1]);
  });

  it("refuses an unknown issuer and a count that differs from the credentials given", async () => {
    await expect(store.insertBatch(newBatch("b1", 1, { issuerId: 9 }), credentialsFor("b1", 1))).rejects.toMatchObject({
      code: "NOT_FOUND",
      entity: "issuer",
      key: 9,
    });
    await expect(store.insertBatch(newBatch("b1", 3), credentialsFor("b1", 2))).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    expect(await countRows("batches")).toBe(0);
  });
});

// Issue 15, point 20: an Idempotency-Key per issuer, and no credential /id issued twice.
describe("insertBatch with an idempotency key or refusing issued ids", () => {
  /** Credentials of `batchId` whose own /ids are `ids` (and learner identifiers `L-<id>`). */
  const withIds = (batchId: string, ids: string[]): NewCredential[] =>
    credentialsFor(batchId, ids.length).map((c, i) => ({
      ...c,
      credential: { id: ids[i], learner: { name: `N ${ids[i]}`, identifier: `L-${ids[i]}` } },
    }));

  it("records the key with the batch, per issuer, and refuses the key a second time storing nothing", async () => {
    await store.upsertIssuer({ id: 2, name: "Other" });
    const idempotency = { key: "k-1", digest: "d1" };
    await store.insertBatch(newBatch("b1", 1, { idempotency }), credentialsFor("b1", 1));
    expect(await store.getIdempotencyKey(1, "k-1")).toEqual({
      issuerId: 1,
      key: "k-1",
      digest: "d1",
      batchId: "b1",
      createdAt: anIsoTime,
    });
    expect(await store.getIdempotencyKey(2, "k-1")).toBeNull();
    const again = store.insertBatch(newBatch("b2", 1, { idempotency }), credentialsFor("b2", 1));
    await expect(again).rejects.toMatchObject({ code: "CONFLICT", target: "idempotency-key", value: "b1" });
    expect(await store.getBatch("b2")).toBeNull();
    // Another issuer's key of the same name is its own.
    await store.insertBatch(newBatch("b3", 1, { issuerId: 2, idempotency }), credentialsFor("b3", 1));
    expect((await store.getIdempotencyKey(2, "k-1"))?.batchId).toBe("b3");
  });

  it("refuses a credential /id the issuer issued in an earlier batch, naming it; other issuers may", async () => {
    await store.upsertIssuer({ id: 2, name: "Other" });
    await store.insertBatch(newBatch("b1", 2, { refuseIssuedIds: true }), withIds("b1", ["urn:a", "urn:b"]));
    const second = store.insertBatch(
      newBatch("b2", 3, { refuseIssuedIds: true }),
      withIds("b2", ["urn:c", "urn:b", "urn:a"]),
    );
    await expect(second).rejects.toBeInstanceOf(StoreIssuedError);
    await expect(second).rejects.toMatchObject({
      credentialId: "urn:b",
      index: 1,
      earlier: { batchId: "b1", index: 1 },
    });
    expect(await store.getBatch("b2")).toBeNull();
    await store.insertBatch(newBatch("b3", 1, { issuerId: 2, refuseIssuedIds: true }), withIds("b3", ["urn:a"]));
    // Without the flag the store does not look (the service always sets it).
    await store.insertBatch(newBatch("b4", 1), withIds("b4", ["urn:a"]));
  });
});

// Issue 15, point 19: an issuer's batches and credential lookups.
describe("listBatches / countBatches / findCredentials", () => {
  const withIds = (batchId: string, ids: string[], learner: (id: string) => string): NewCredential[] =>
    credentialsFor(batchId, ids.length).map((c, i) => ({
      ...c,
      credential: { id: ids[i], learner: { name: "N", identifier: learner(ids[i]!) } },
    }));

  it("lists an issuer's own batches newest first, paged, with their revoked credentials counted", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    await store.upsertIssuer({ id: 2, name: "Other" });
    for (const [i, id] of ["b1", "b2", "b3"].entries()) {
      vi.setSystemTime(Date.UTC(2026, 0, 1 + i));
      await store.insertBatch(newBatch(id, 2), credentialsFor(id, 2));
    }
    await store.insertBatch(newBatch("x1", 1, { issuerId: 2 }), credentialsFor("x1", 1));
    await store.setCredentialRevoked("b2-c1", "wrong grade");
    expect((await store.listBatches(1, 0, 10)).map((b) => b.id)).toEqual(["b3", "b2", "b1"]);
    expect((await store.listBatches(1, 1, 1)).map((b) => [b.id, b.revokedCredentials])).toEqual([["b2", 1]]);
    expect((await store.listBatches(1, 0, 10))[0]).toMatchObject({
      id: "b3",
      count: 2,
      status: "pending",
      revokedCredentials: 0,
    });
    expect(await store.countBatches(1)).toBe(3);
    expect(await store.countBatches(2)).toBe(1);
    expect(await store.listBatches(3, 0, 10)).toEqual([]);
    await expect(store.listBatches(1, -1, 10)).rejects.toThrow(/offset/);
  });

  it("finds an issuer's credentials by their own /id, by learner identifier, or both; never another issuer's", async () => {
    await store.upsertIssuer({ id: 2, name: "Other" });
    await store.insertBatch(
      newBatch("b1", 2),
      withIds("b1", ["urn:a", "urn:b"], () => "S1"),
    );
    await store.insertBatch(
      newBatch("b2", 1),
      withIds("b2", ["urn:a"], () => "S2"),
    );
    await store.insertBatch(
      newBatch("x1", 1, { issuerId: 2 }),
      withIds("x1", ["urn:a"], () => "S1"),
    );
    const ids = (found: { id: string }[]) => found.map((c) => c.id);
    expect(ids(await store.findCredentials(1, { credentialId: "urn:a" }, 10))).toEqual(["b1-c0", "b2-c0"]);
    expect(ids(await store.findCredentials(1, { learner: "S1" }, 10))).toEqual(["b1-c0", "b1-c1"]);
    expect(ids(await store.findCredentials(1, { credentialId: "urn:a", learner: "S2" }, 10))).toEqual(["b2-c0"]);
    expect(ids(await store.findCredentials(1, { learner: "S1" }, 1))).toEqual(["b1-c0"]);
    expect(ids(await store.findCredentials(2, { credentialId: "urn:a" }, 10))).toEqual(["x1-c0"]);
    expect(await store.findCredentials(1, {}, 10)).toEqual([]);
    expect(await store.findCredentials(1, { credentialId: "urn:none" }, 10)).toEqual([]);
  });
});

describe("listCredentials", () => {
  it("returns nothing for an unknown batch and refuses a negative or fractional offset or limit", async () => {
    expect(await store.listCredentials("nope", 0, 10)).toEqual([]);
    await expect(store.listCredentials("nope", -1, 10)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    await expect(store.listCredentials("nope", 0, 1.5)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });
});

describe("get of an unknown id", () => {
  it("returns null for an issuer, key, batch, credential and op that do not exist", async () => {
    expect(await store.getIssuer(404)).toBeNull();
    expect(await store.getApiKey("nope")).toBeNull();
    expect(await store.getBatch("nope")).toBeNull();
    expect(await store.getCredential("nope")).toBeNull();
    expect(await store.getOp(404)).toBeNull();
  });
});

describe("setBatchStatus", () => {
  it("sets the status and reason, keeps the reason when none is given, and bumps updatedAt", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-01-01T00:00:00.000Z"));
    await store.insertBatch(newBatch("b1", 1), credentialsFor("b1", 1));
    vi.setSystemTime(new Date("2026-01-02T00:00:00.000Z"));
    await store.setBatchStatus("b1", "revoked", "issued in error");
    expect(await store.getBatch("b1")).toMatchObject({
      status: "revoked",
      revokedReason: "issued in error",
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-02T00:00:00.000Z",
    });
    await store.setBatchStatus("b1", "final");
    expect(await store.getBatch("b1")).toMatchObject({ status: "final", revokedReason: "issued in error" });
  });

  it("refuses an unknown batch and a status outside the list", async () => {
    await expect(store.setBatchStatus("nope", "revoked", "x")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await store.insertBatch(newBatch("b1", 1), credentialsFor("b1", 1));
    await expect(store.setBatchStatus("b1", "lost" as BatchStatus)).rejects.toThrow(CHECK_VIOLATION);
    expect((await store.getBatch("b1"))?.status).toBe("pending");
  });
});

describe("setCredentialRevoked", () => {
  it("marks one credential revoked with its reason and leaves the others alone", async () => {
    await store.insertBatch(newBatch("b1", 3), credentialsFor("b1", 3));
    await store.setCredentialRevoked("b1-c1", "grade corrected");
    const reasons = (await store.listCredentials("b1", 0, 3)).map((c) => c.revokedReason);
    expect(reasons).toEqual([null, "grade corrected", null]);
    await expect(store.setCredentialRevoked("nope", "x")).rejects.toMatchObject({ entity: "credential", key: "nope" });
  });
});

describe("enqueueOp", () => {
  beforeEach(async () => {
    await store.insertBatch(newBatch("b1", 2), credentialsFor("b1", 2));
    await store.insertBatch(newBatch("b2", 1), credentialsFor("b2", 1));
  });

  it("queues a revocation after the batch's anchor op", async () => {
    const op = await store.enqueueOp({
      kind: "revoke-credential",
      batchId: "b1",
      credentialId: "b1-c1",
      signer: SIGNER,
      reason: "grade corrected",
    });
    expect(op).toMatchObject({ kind: "revoke-credential", credentialId: "b1-c1", status: "queued", attempts: 0 });
    expect(await store.getOp(op.id)).toEqual(op);
    expect((await store.opsOfBatch("b1")).map((o) => o.kind)).toEqual(["anchor", "revoke-credential"]);
  });

  it("refuses an unknown batch, a credential of another batch and a second anchor op", async () => {
    const op = { kind: "revoke-batch" as const, batchId: "nope", credentialId: null, signer: SIGNER, reason: "x" };
    await expect(store.enqueueOp(op)).rejects.toMatchObject({ entity: "batch", key: "nope" });
    const misplaced = { ...op, kind: "revoke-credential" as const, batchId: "b2", credentialId: "b1-c0" };
    await expect(store.enqueueOp(misplaced)).rejects.toMatchObject({ entity: "credential", key: "b1-c0" });
    const anchor = { ...op, kind: "anchor" as const, batchId: "b1" };
    await expect(store.enqueueOp(anchor)).rejects.toMatchObject({ code: "CONFLICT", target: "anchor-op", value: "b1" });
    expect(await countRows("chain_ops")).toBe(2);
  });
});

describe("updateOp", () => {
  async function anchorOp(batchId: string) {
    await store.insertBatch(newBatch(batchId, 1), credentialsFor(batchId, 1));
    return (await store.opsOfBatch(batchId))[0]!;
  }

  it("walks an anchor op from queued to final, writing the batch's status and tx in the same step", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-05-01T00:00:00.000Z"));
    const op = await anchorOp("b1");
    const txHash = hex32("tx");

    vi.setSystemTime(new Date("2026-05-01T00:00:01.000Z"));
    const signed = await store.updateOp(op.id, {
      status: "signed",
      nonce: 7,
      txHash,
      rawTx: "0x02f8",
      attempts: 1,
      batchStatus: "submitted",
      batchTx: { txHash, blockNumber: null },
    });
    expect(signed).toEqual({
      ...op,
      status: "signed",
      nonce: 7,
      txHash,
      rawTx: "0x02f8",
      attempts: 1,
      updatedAt: "2026-05-01T00:00:01.000Z",
    });
    expect(await store.getOp(op.id)).toEqual(signed);
    expect(await store.getBatch("b1")).toMatchObject({
      status: "submitted",
      txHash,
      blockNumber: null,
      updatedAt: "2026-05-01T00:00:01.000Z",
    });

    await store.updateOp(op.id, { status: "sent" });
    const blockHash = hex32("block");
    const mined = await store.updateOp(op.id, {
      status: "mined",
      blockNumber: 42,
      blockHash,
      batchStatus: "anchored",
      batchTx: { txHash, blockNumber: 42 },
    });
    expect(mined).toMatchObject({ status: "mined", nonce: 7, txHash, rawTx: "0x02f8", blockNumber: 42, blockHash });
    expect(await store.getBatch("b1")).toMatchObject({ status: "anchored", txHash, blockNumber: 42 });

    await store.updateOp(op.id, { status: "final", batchStatus: "final" });
    expect(await store.getBatch("b1")).toMatchObject({ status: "final", txHash, blockNumber: 42 });
  });

  it("clears the fields set to null and keeps those left out, as a requeue after a drop does", async () => {
    const op = await anchorOp("b1");
    const txHash = hex32("tx");
    await store.updateOp(op.id, { status: "sent", nonce: 3, txHash, rawTx: "0x02", attempts: 1 });
    const requeued = await store.updateOp(op.id, {
      status: "queued",
      nonce: null,
      txHash: null,
      rawTx: null,
      batchStatus: "pending",
      batchTx: { txHash: null, blockNumber: null },
    });
    expect(requeued).toMatchObject({ status: "queued", nonce: null, txHash: null, rawTx: null, attempts: 1 });
    expect(await store.getBatch("b1")).toMatchObject({ status: "pending", txHash: null, blockNumber: null });
  });

  it("copies the op's error to a batch marked failed, and clears it when the batch moves on", async () => {
    const op = await anchorOp("b1");
    await store.updateOp(op.id, { status: "failed", error: "RootAlreadyAnchored", batchStatus: "failed" });
    expect(await store.getBatch("b1")).toMatchObject({ status: "failed", error: "RootAlreadyAnchored" });
    await store.updateOp(op.id, { status: "queued", error: null, batchStatus: "pending" });
    expect(await store.getBatch("b1")).toMatchObject({ status: "pending", error: null });
  });

  it("leaves the batch untouched without batchStatus or batchTx, and its status without batchStatus", async () => {
    const op = await anchorOp("b1");
    const before = await store.getBatch("b1");
    await store.updateOp(op.id, { status: "signed", nonce: 1, txHash: hex32("tx"), rawTx: "0x02", attempts: 1 });
    expect(await store.getBatch("b1")).toEqual(before);
    await store.updateOp(op.id, { batchTx: { txHash: hex32("tx"), blockNumber: 9 } });
    expect(await store.getBatch("b1")).toMatchObject({ status: "pending", txHash: hex32("tx"), blockNumber: 9 });
  });

  it("changes nothing when the batch update fails: the op and its batch are one transaction", async () => {
    const op = await anchorOp("b1");
    const update = {
      status: "signed" as const,
      nonce: 1,
      txHash: hex32("tx"),
      rawTx: "0x02",
      batchStatus: "bogus" as BatchStatus,
    };
    await expect(store.updateOp(op.id, update)).rejects.toThrow(CHECK_VIOLATION);
    expect(await store.getOp(op.id)).toEqual(op);
  });

  it("refuses an update that leaves the op contradicting its status, and changes nothing", async () => {
    const op = await anchorOp("b1");
    const before = await store.getBatch("b1");
    const update = { status: "signed" as const, nonce: 1, batchStatus: "submitted" as const }; // no transaction
    await expect(store.updateOp(op.id, update)).rejects.toMatchObject({ code: "INVARIANT" });
    expect(await store.getOp(op.id)).toEqual(op);
    expect(await store.getBatch("b1")).toEqual(before);
  });

  it("refuses an unknown op", async () => {
    await expect(store.updateOp(404, { status: "sent" })).rejects.toMatchObject({ code: "NOT_FOUND", entity: "op" });
  });
});

describe("listOps", () => {
  it("returns the ops of the given statuses, oldest first, at most `limit`", async () => {
    const ids: number[] = [];
    for (const batchId of ["b1", "b2", "b3", "b4"]) {
      await store.insertBatch(newBatch(batchId, 1), credentialsFor(batchId, 1));
      ids.push((await store.opsOfBatch(batchId))[0]!.id);
    }
    const tx = { nonce: 1, txHash: hex32("tx"), rawTx: "0x02" };
    await store.updateOp(ids[0]!, { status: "sent", ...tx });
    await store.updateOp(ids[2]!, { status: "final", ...tx, blockNumber: 1, blockHash: hex32("block") });
    await store.updateOp(ids[3]!, { status: "signed", ...tx });
    const statusOrder = async (statuses: readonly OpStatus[], limit?: number) =>
      (await store.listOps(statuses, limit)).map((op) => [op.id, op.status]);

    expect(await statusOrder(["queued", "signed", "sent"])).toEqual([
      [ids[0], "sent"],
      [ids[1], "queued"],
      [ids[3], "signed"],
    ]);
    expect(await statusOrder(["sent", "queued", "signed"], 2)).toEqual([
      [ids[0], "sent"],
      [ids[1], "queued"],
    ]);
    expect(await statusOrder(ALL_STATUSES)).toHaveLength(4);
    expect(await statusOrder(["failed"])).toEqual([]);
    expect(await statusOrder([])).toEqual([]);
    expect(await statusOrder(ALL_STATUSES, 0)).toEqual([]);
  });
});

describe("leases", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("takes a free lease, renews it for its holder and refuses another holder while it runs", async () => {
    const first = await store.acquireLease("signer:0xabc", "instance-a", 10_000);
    expect(first).toEqual({ name: "signer:0xabc", holder: "instance-a", expiresAt: aNumber });
    expect(Math.abs(first!.expiresAt - (Date.now() + 10_000))).toBeLessThan(5_000);
    await sleep(5);
    const renewed = await store.acquireLease("signer:0xabc", "instance-a", 20_000);
    expect(renewed!.expiresAt).toBeGreaterThan(first!.expiresAt);
    expect(await store.acquireLease("signer:0xabc", "instance-b", 10_000)).toBeNull();
    expect(await store.getLease("signer:0xabc")).toEqual(renewed);
    // Leases of other names are independent.
    expect(await store.acquireLease("signer:0xdef", "instance-b", 10_000)).toMatchObject({ holder: "instance-b" });
  });

  it("lets another holder take an expired lease, after which the old holder cannot renew it", async () => {
    await store.acquireLease("signer:0xabc", "instance-a", 100);
    await sleep(150);
    expect(await store.acquireLease("signer:0xabc", "instance-b", 10_000)).toMatchObject({ holder: "instance-b" });
    expect(await store.acquireLease("signer:0xabc", "instance-a", 10_000)).toBeNull();
    expect(await store.getLease("signer:0xabc")).toMatchObject({ holder: "instance-b" });
  });

  it("is released only by its holder, and is then free for anyone", async () => {
    await store.acquireLease("signer:0xabc", "instance-a", 60_000);
    expect(await store.releaseLease("signer:0xabc", "instance-b")).toBe(false);
    expect(await store.acquireLease("signer:0xabc", "instance-b", 60_000)).toBeNull();
    expect(await store.releaseLease("signer:0xabc", "instance-a")).toBe(true);
    expect(await store.getLease("signer:0xabc")).toBeNull();
    expect(await store.acquireLease("signer:0xabc", "instance-b", 60_000)).toMatchObject({ holder: "instance-b" });
    expect(await store.releaseLease("signer:0xabc", "instance-a")).toBe(false);
  });

  it("goes to exactly one of several instances asking at once on their own connections", async () => {
    const stores = Array.from({ length: 6 }, () => db.open());
    try {
      const results = await Promise.all(stores.map((s, i) => s.acquireLease("signer:0xabc", `instance-${i}`, 60_000)));
      const winners = results.filter((lease) => lease !== null);
      expect(winners).toHaveLength(1);
      expect(await store.getLease("signer:0xabc")).toEqual(winners[0]);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it("refuses a ttl that is not a positive integer", async () => {
    for (const ttl of [0, -1, 1.5, Number.NaN]) {
      await expect(store.acquireLease("signer:0xabc", "instance-a", ttl)).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    }
    expect(await store.getLease("signer:0xabc")).toBeNull();
  });
});
