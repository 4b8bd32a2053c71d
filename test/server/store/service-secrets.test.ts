import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countRows, store, useStore } from "./store-fixture";

useStore();

/** Migration 5: the service's own secrets (the master secret of issuer signing keys). */
describe("serviceSecret", () => {
  it("stores the created value the first time, and gives it back as the same bytes after", async () => {
    const first = randomBytes(32);
    expect(await store.serviceSecret("master", () => first)).toEqual(first);
    const again = await store.serviceSecret("master", () => {
      throw new Error("created again");
    });
    expect(Buffer.isBuffer(again)).toBe(true);
    expect(again).toEqual(first);
    expect(await countRows("service_secrets")).toBe(1);
  });

  it("keeps secrets apart by name", async () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    await store.serviceSecret("a", () => a);
    await store.serviceSecret("b", () => b);
    expect(await store.serviceSecret("a", () => b)).toEqual(a);
    expect(await store.serviceSecret("b", () => a)).toEqual(b);
  });

  it("gives every concurrent caller the one value stored first", async () => {
    const values = Array.from({ length: 8 }, () => randomBytes(32));
    const got = await Promise.all(values.map((value) => store.serviceSecret("race", () => value)));
    expect(new Set(got.map((v) => v.toString("hex"))).size).toBe(1);
    expect(values.map((v) => v.toString("hex"))).toContain(got[0]!.toString("hex"));
    expect(await countRows("service_secrets")).toBe(1);
  });
});
