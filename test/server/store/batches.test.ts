import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  type BatchStatus,
  type NewCredential,
  StoreConflictError,
  StoreIssuedError,
} from "../../../server/store/types";
import {
  anIsoTime,
  aNumber,
  CHECK_VIOLATION,
  countRows,
  credentialsFor,
  hex32,
  newBatch,
  SIGNER,
  store,
  useStore,
} from "./store-fixture";

useStore();

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
