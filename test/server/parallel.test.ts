import { afterAll, describe, expect, it } from "vitest";
import { digestOfFields, isCredrootError, leafOf, processProof, proofOf, toHex } from "../../src";
import { CommitPool, PARALLEL_THRESHOLD } from "../../server/issuance/parallel";
import { sampleCredential } from "../../scripts/lib/samples";

describe("CommitPool.prepare", () => {
  const pool = new CommitPool(2);
  const N = PARALLEL_THRESHOLD + 501; // over the threshold, and an odd split between the threads

  afterAll(async () => {
    await pool.close();
  });

  it("commits a batch on worker threads: every leaf recomputes from its fields and every proof reaches the root", async () => {
    const batch = await pool.prepare(Array.from({ length: N }, (_, i) => sampleCredential(i)));
    expect(batch.count).toBe(N);
    expect(batch.credentials.map((c) => c.fields["/id"]?.value)).toEqual(
      Array.from({ length: N }, (_, i) => sampleCredential(i).id),
    );
    for (const [i, c] of batch.credentials.entries()) {
      expect(toHex(leafOf(digestOfFields(c.fields)))).toBe(c.leaf);
      if (i % 97 === 0) expect(processProof(c.leaf, proofOf(batch.tree, i))).toBe(batch.root);
    }
  });

  it("reports bad rows of every thread's slice with their row in the whole batch, and commits nothing", async () => {
    const rows: unknown[] = Array.from({ length: N }, (_, i) => sampleCredential(i));
    rows[3] = { ...sampleCredential(3), eqfLevel: 9 };
    rows[N - 2] = { ...sampleCredential(N - 2), title: "" };
    const error: unknown = await pool.prepare(rows).catch((e: unknown) => e);
    expect(isCredrootError(error, "INVALID_CREDENTIAL")).toBe(true);
    const paths = isCredrootError(error) ? error.details.map((d) => d.path) : [];
    expect(paths).toEqual(["/3/eqfLevel", `/${N - 2}/title`]);
  });

  it("prepares a small batch on the calling thread", async () => {
    const batch = await pool.prepare([sampleCredential(1), sampleCredential(2)]);
    expect(batch.count).toBe(2);
  });
});
