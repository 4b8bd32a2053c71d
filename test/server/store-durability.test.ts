import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteStore } from "../../server/store/sqlite";
import { type NewCredential } from "../../server/store/types";

const REPO = resolve(__dirname, "../..");
const SQLITE_MODULE = join(REPO, "server/store/sqlite.ts");

/** `count` credentials of batch `batchId`, ids `<batchId>-c<index>`; the same text as the child's. */
function credentialsFor(batchId: string, count: number): NewCredential[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${batchId}-c${index}`,
    index,
    leaf: `0x${index.toString(16).padStart(64, "0")}`,
    digest: `0x${(index + 1).toString(16).padStart(64, "0")}`,
    secret: "AAAAAAAAAAAAAAAAAAAAAA",
    credential: { name: `Learner ${index}` },
    proof: [`0x${"ab".repeat(32)}`],
  }));
}

/**
 * A child process that stores batch `committed` (5,000 credentials), prints "committed", then
 * keeps inserting batches `more-<n>` until it is killed: the kill lands in the middle of writes.
 * Its `credentialsFor` is a copy of the one above (a child cannot import a test file).
 */
const CHILD = `
import { writeSync } from "node:fs";
import { SqliteStore } from ${JSON.stringify(SQLITE_MODULE)};

const credentialsFor = (batchId: string, count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: \`\${batchId}-c\${index}\`,
    index,
    leaf: \`0x\${index.toString(16).padStart(64, "0")}\`,
    digest: \`0x\${(index + 1).toString(16).padStart(64, "0")}\`,
    secret: "AAAAAAAAAAAAAAAAAAAAAA",
    credential: { name: \`Learner \${index}\` },
    proof: [\`0x\${"ab".repeat(32)}\`],
  }));
const batch = (id: string, count: number) =>
  ({ id, issuerId: 1, root: "0x" + Buffer.from(id).toString("hex").padEnd(64, "0"), count, uri: "", signer: "0xs" });

async function main(file: string): Promise<void> {
  const store = new SqliteStore(file);
  await store.migrate();
  await store.upsertIssuer({ id: 1, name: "Crash University" });
  await store.insertBatch(batch("committed", 5000), credentialsFor("committed", 5000));
  writeSync(1, "committed\\n");
  for (let n = 0; n < 10000; n++) await store.insertBatch(batch("more-" + n, 300), credentialsFor("more-" + n, 300));
}
void main(process.argv[2]!);
`;

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "credroot-durability-"));
  file = join(dir, "store.db");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the child on `file`, SIGKILLs it as soon as it prints "committed" and resolves with its exit signal. */
function runAndKill(childFile: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", childFile, file], {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("committed")) child.kill("SIGKILL");
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === null) reject(new Error(`child exited with ${code} before it was killed:\n${stderr}`));
      else resolvePromise(signal);
    });
  });
}

describe("SqliteStore durability", () => {
  it("reads back, in a new instance after close, everything another instance wrote", async () => {
    const writer = new SqliteStore(file);
    await writer.migrate();
    await writer.upsertIssuer({ id: 1, name: "Open University" });
    const batch = { id: "b1", issuerId: 1, root: `0x${"11".repeat(32)}`, count: 50, uri: "", signer: "0xs" };
    await writer.insertBatch(batch, credentialsFor("b1", 50));
    const [op] = await writer.opsOfBatch("b1");
    const txHash = `0x${"22".repeat(32)}`;
    await writer.updateOp(op!.id, { status: "signed", nonce: 0, txHash, rawTx: "0x02", batchStatus: "submitted" });
    await writer.close();

    const reader = new SqliteStore(file);
    await reader.migrate();
    expect(await reader.getBatch("b1")).toMatchObject({ status: "submitted", count: 50 });
    expect(await reader.listCredentials("b1", 0, 100)).toHaveLength(50);
    expect(await reader.getOp(op!.id)).toMatchObject({ status: "signed", nonce: 0, rawTx: "0x02" });
    await reader.close();
  });

  it("keeps every committed batch whole when the process is killed (SIGKILL) mid-write", async () => {
    const childFile = join(dir, "child.ts");
    writeFileSync(childFile, CHILD);
    expect(await runAndKill(childFile)).toBe("SIGKILL");

    const store = new SqliteStore(file);
    await store.migrate();
    expect(await store.getBatch("committed")).toMatchObject({ count: 5000, status: "pending" });
    expect(await store.listCredentials("committed", 0, 10_000)).toEqual(
      credentialsFor("committed", 5000).map((c) => ({ ...c, batchId: "committed", revokedReason: null })),
    );
    expect(await store.opsOfBatch("committed")).toMatchObject([{ kind: "anchor", status: "queued" }]);
    await store.close();

    // Whatever else got in before the kill got in whole: all of a batch's credentials and its op, or nothing.
    const db = new Database(file, { readonly: true });
    const batches = db
      .prepare(
        "SELECT b.id, b.count, (SELECT count(*) FROM credentials c WHERE c.batch_id = b.id) AS stored, " +
          "(SELECT count(*) FROM chain_ops o WHERE o.batch_id = b.id) AS ops FROM batches b",
      )
      .all() as { id: string; count: number; stored: number; ops: number }[];
    const orphans = db.prepare("SELECT count(*) AS n FROM credentials WHERE batch_id NOT IN (SELECT id FROM batches)");
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect((orphans.get() as { n: number }).n).toBe(0);
    db.close();
    for (const batch of batches) expect(batch, batch.id).toEqual({ ...batch, stored: batch.count, ops: 1 });
  });
});
