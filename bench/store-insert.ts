/**
 * `npx tsx bench/store-insert.ts [--sizes 10000,100000]`: how long `Store.insertBatch` takes for a
 * batch of n credentials on a SQLite file and on a throwaway local PostgreSQL (Debian's binaries,
 * as the tests use; fsync off there, FULL synchronous SQLite here, so PostgreSQL's figure is the
 * better case). Prints one line per store and size. Not part of `npm run bench`.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { sampleCredential } from "../scripts/lib/samples";
import { openStore } from "../server/store";
import type { NewCredential, Store } from "../server/store/types";
import { createDatabase, startPostgres } from "../harness/postgres";

const hex32 = () => `0x${randomBytes(32).toString("hex")}`;

/** Credentials shaped like real ones: the sample credential's values, a secret and a 17-level proof each. */
function credentials(count: number): NewCredential[] {
  const proof = Array.from({ length: 17 }, hex32);
  return Array.from({ length: count }, (_, index) => ({
    id: randomBytes(16).toString("base64url"),
    index,
    leaf: hex32(),
    digest: hex32(),
    secret: randomBytes(16).toString("base64url"),
    credential: { ...sampleCredential(index) },
    proof,
  }));
}

async function timeInsert(store: Store, count: number): Promise<number> {
  await store.migrate();
  await store.upsertIssuer({ id: 1, name: "Bench University" });
  const rows = credentials(count);
  const batch = {
    id: randomUUID(),
    issuerId: 1,
    root: hex32(),
    count,
    uri: "",
    signer: `0x${randomBytes(20).toString("hex")}`,
  };
  const start = performance.now();
  await store.insertBatch(batch, rows);
  return (performance.now() - start) / 1000;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sizes: { type: "string", default: "10000,100000" } } });
  const sizes = values.sizes.split(",").map(Number);
  if (sizes.some((n) => !Number.isSafeInteger(n) || n < 1))
    throw new Error("--sizes: positive integers, e.g. 10000,100000");
  const dir = mkdtempSync(join(tmpdir(), "credroot-bench-store-"));
  const postgres = await startPostgres();
  try {
    for (const count of sizes) {
      const sqlite = openStore(join(dir, `${count}.db`));
      const sqliteSeconds = await timeInsert(sqlite, count).finally(() => sqlite.close());
      const pg = openStore(await createDatabase(postgres.url));
      const pgSeconds = await timeInsert(pg, count).finally(() => pg.close());
      console.log(
        `insertBatch of ${count} credentials: SQLite ${sqliteSeconds.toFixed(2)} s, PostgreSQL ${pgSeconds.toFixed(2)} s`,
      );
    }
  } finally {
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
