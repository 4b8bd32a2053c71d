import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { checkChain } from "../../server/main";
import { migrations } from "../../server/store/migrations";
import { migrateSqlite } from "../../server/store/sqlite-migrate";
import { launchService } from "../support/child-service";
import { childEnv } from "../support/child-env";
import { closedPort } from "../../harness/net";
import { type RegistryFixture, startRegistry } from "../../harness/registry";

describe("server/main.ts start-up: the chain and the database must be ones it can serve", () => {
  let registry: RegistryFixture;
  const env = (extra: Record<string, string>) =>
    childEnv(registry, { databasePath: ":memory:", extra: { DATABASE_URL: ":memory:", ...extra } });

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.chain.close();
  });

  it("accepts the chain and registry it was given", async () => {
    const warnings: string[] = [];
    expect(await checkChain(loadConfig(env({})), (line) => warnings.push(line))).toBeNull();
    expect(warnings).toEqual([]);
  });

  it("names a CHAIN_ID the RPC does not serve and a REGISTRY_ADDRESS without code", async () => {
    const warn = () => undefined;
    expect(await checkChain(loadConfig(env({ CHAIN_ID: "10" })), warn)).toBe(
      "RPC_URL serves chain 31337, but CHAIN_ID is 10",
    );
    const empty = `0x${"42".repeat(20)}`;
    expect(await checkChain(loadConfig(env({ REGISTRY_ADDRESS: empty })), warn)).toBe(
      `no contract at REGISTRY_ADDRESS ${empty} on chain 31337`,
    );
  });

  it("starts anyway, with a warning, when the chain does not answer", async () => {
    const warnings: string[] = [];
    const down = env({ RPC_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(await checkChain(loadConfig(down), (line) => warnings.push(line))).toBeNull();
    expect(warnings).toEqual(["credroot: the chain did not answer at start-up; starting anyway (see GET /ready)"]);
  });

  it("exits 2 with one line instead of serving on the wrong chain", async () => {
    const child = launchService(env({ CHAIN_ID: "10" }));
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.output.join("")).toContain("credroot could not start: RPC_URL serves chain 31337, but CHAIN_ID is 10");
  });

  it("exits 1 with one line on a database that holds format-v1 credentials, and leaves it as it was", async () => {
    const dir = mkdtempSync(join(tmpdir(), "credroot-v1-"));
    try {
      const file = join(dir, "v1.db");
      const db = new Database(file);
      migrateSqlite(db, migrations.slice(0, 2)); // the last schema of format v1
      db.exec(
        "INSERT INTO issuers VALUES (1, 'Test University', '2026-01-01');" +
          `INSERT INTO batches (id, issuer_id, root, count, uri, status, created_at, updated_at) VALUES ('b1', 1, '0x${"11".repeat(32)}', 1, '', 'final', '2026-01-01', '2026-01-01');` +
          `INSERT INTO credentials (id, batch_id, idx, leaf, fields, proof) VALUES ('c1', 'b1', 0, '0x${"11".repeat(32)}', '{}', '[]');`,
      );
      db.close();
      const child = launchService(env({ DATABASE_URL: `file:${file}` }));
      const { code } = await child.exited;
      expect(code).toBe(1);
      expect(child.output.join("")).toContain(
        "credroot could not start: this database holds format-v1 credentials, which can no longer be verified; " +
          "start with a new database",
      );
      const after = new Database(file, { readonly: true });
      expect(after.prepare("SELECT max(version) AS v FROM schema_migrations").get()).toEqual({ v: 2 });
      expect(after.prepare("SELECT count(*) AS n FROM credentials").get()).toEqual({ n: 1 });
      after.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
