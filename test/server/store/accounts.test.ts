import { describe, expect, it, vi } from "vitest";
import { StoreNotFoundError } from "../../../server/store/types";
import { anIsoTime, countRows, store, useStore } from "./store-fixture";

useStore();

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
