import { resolve } from "node:path";
import { globSync } from "tinyglobby";
import { describe, expect, it } from "vitest";
import { ON_BOTH_DATABASES } from "../support/both-databases";

const ROOT = resolve(__dirname, "../..");

describe("the postgres project's file list (vitest.config.mts)", () => {
  it("still finds the outbox, store, instances and route tests, so a renamed file cannot drop them from PostgreSQL", () => {
    const found = globSync([...ON_BOTH_DATABASES], { cwd: ROOT });
    for (const part of ["test/server/outbox", "test/server/store", "test/server/instances", "test/server/routes/"]) {
      expect(
        found.some((file) => file.startsWith(part)),
        part,
      ).toBe(true);
    }
  });
});
