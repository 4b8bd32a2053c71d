import { afterAll, describe, expect, it } from "vitest";
import {
  type AnchorContext,
  bundleFor,
  digestOfOpening,
  isCredrootError,
  leafOfDigest,
  newBatchId,
  openBundle,
  prepareBatch,
  processProof,
  proofOf,
  toHex,
} from "../../src";
import { CommitPool, PARALLEL_THRESHOLD } from "../../server/issuance/commit-pool";
import { sampleCredential } from "../../scripts/lib/samples";
import { credentialsCsv } from "../../harness/credentials-csv";
import { parseCredentialsCsv } from "../../src/node/csv";

describe("CommitPool.prepare", () => {
  // Chunks of 1,000 rows: three of them, shared by two threads, the last one short.
  const pool = new CommitPool(2, 1000);
  const N = PARALLEL_THRESHOLD + 501; // over the threshold, and an odd split between the threads
  const context = (): AnchorContext => ({
    chainId: 31337,
    registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
    issuerId: 4,
    batchId: newBatchId(),
  });

  afterAll(async () => {
    await pool.close();
  });

  it("commits a batch on worker threads: every leaf is its digest bound to the context, every proof reaches the root", async () => {
    const at = context();
    const batch = await pool.prepare(
      Array.from({ length: N }, (_, i) => sampleCredential(i)),
      at,
    );
    expect(batch.count).toBe(N);
    expect(batch.context).toEqual(at);
    expect(batch.credentials.map((c) => c.credential.id)).toEqual(
      Array.from({ length: N }, (_, i) => sampleCredential(i).id),
    );
    expect(new Set(batch.credentials.map((c) => c.secret)).size).toBe(N);
    for (const [i, c] of batch.credentials.entries()) {
      expect(leafOfDigest(at, c.digest)).toBe(c.leaf);
      if (i % 97 === 0) {
        expect(processProof(c.leaf, proofOf(batch.tree, i))).toBe(batch.root);
        // The digest is the one a verifier recomputes from the bundle's secret and values.
        expect(toHex(digestOfOpening(openBundle(bundleFor(batch, i, 1))))).toBe(c.digest);
      }
    }
  });

  it("binds the leaves to the issuer and batch: the same credentials elsewhere give other leaves", async () => {
    const rows = Array.from({ length: N }, (_, i) => sampleCredential(i));
    const secret = () => new Uint8Array(16).fill(7);
    const a = context();
    const b = { ...a, issuerId: a.issuerId + 1 };
    const here = await pool.prepare(rows, a);
    const elsewhere = prepareBatch(rows.slice(0, 3), b, { secret });
    const same = prepareBatch(rows.slice(0, 3), a, { secret });
    expect(elsewhere.credentials.map((c) => c.digest)).toEqual(same.credentials.map((c) => c.digest));
    for (const [i, c] of elsewhere.credentials.entries()) expect(c.leaf).not.toBe(same.credentials[i]!.leaf);
    expect(here.root).not.toBe(elsewhere.root);
  });

  it("reports bad rows of every thread's slice with their row in the whole batch, and commits nothing", async () => {
    const rows: unknown[] = Array.from({ length: N }, (_, i) => sampleCredential(i));
    rows[3] = { ...sampleCredential(3), eqfLevel: 9 };
    rows[1500] = { ...sampleCredential(1500), eqfLevel: 0 };
    rows[N - 2] = { ...sampleCredential(N - 2), title: "" };
    const error: unknown = await pool.prepare(rows, context()).catch((e: unknown) => e);
    expect(isCredrootError(error, "INVALID_CREDENTIAL")).toBe(true);
    const paths = isCredrootError(error) ? error.details.map((d) => d.path) : [];
    expect(paths).toEqual(["/3/eqfLevel", "/1500/eqfLevel", `/${N - 2}/title`]);
  });

  it("refuses a bad context as the calling thread does (INVALID_ARGUMENT), for a batch of any size", async () => {
    for (const size of [2, N]) {
      const rows = Array.from({ length: size }, (_, i) => sampleCredential(i));
      for (const bad of [{ batchId: "not-a-uuid" }, { issuerId: 0 }, { registry: "0x1234" }]) {
        const error: unknown = await pool.prepare(rows, { ...context(), ...bad }).catch((e: unknown) => e);
        expect(isCredrootError(error, "INVALID_ARGUMENT"), `${size} ${JSON.stringify(bad)}: ${String(error)}`).toBe(
          true,
        );
      }
    }
  });

  it("prepares a small batch on the calling thread", async () => {
    const at = context();
    const batch = await pool.prepare([sampleCredential(1), sampleCredential(2)], at);
    expect(batch.count).toBe(2);
    expect(batch.credentials.map((c) => leafOfDigest(at, c.digest))).toEqual(batch.credentials.map((c) => c.leaf));
  });

  describe("prepareCsv", () => {
    // Multi-line cells and CRLF line breaks: rows and lines must still be the whole upload's.
    const upload = (rows: unknown[]) =>
      credentialsCsv(rows as ReturnType<typeof sampleCredential>[]).replace(/\n(?=urn:uuid)/g, "\r\n");
    const rows = (): ReturnType<typeof sampleCredential>[] =>
      Array.from({ length: N }, (_, i) =>
        i % 401 === 7 ? sampleCredential(i, { description: `two\nlines, "quoted"` }) : sampleCredential(i),
      );

    it("parses and commits a CSV on the threads, with the rows and lines parseCredentialsCsv gives", async () => {
      const at = context();
      const text = upload(rows());
      const whole = parseCredentialsCsv(text);
      const prepared = await pool.prepareCsv(text, at);
      if (prepared === null || !("batch" in prepared)) throw new Error(`not prepared: ${JSON.stringify(prepared)}`);
      expect(prepared.lines).toEqual(whole.lines);
      const { batch } = prepared;
      expect(batch.count).toBe(N);
      expect(batch.credentials.map((c) => c.credential)).toEqual(
        prepareBatch(whole.credentials, at).credentials.map((c) => c.credential),
      );
      for (const [i, c] of batch.credentials.entries()) {
        expect(leafOfDigest(at, c.digest)).toBe(c.leaf);
        if (i % 97 === 0) expect(processProof(c.leaf, proofOf(batch.tree, i))).toBe(batch.root);
      }
    });

    it("names bad rows by their row in the whole upload, as prepare does, and commits nothing", async () => {
      const bad = rows();
      bad[3] = { ...bad[3]!, eqfLevel: 9 };
      bad[1500] = { ...bad[1500]!, eqfLevel: 0 };
      bad[N - 2] = { ...bad[N - 2]!, title: "" };
      const text = upload(bad);
      const whole = parseCredentialsCsv(text);
      const expected: unknown = await pool.prepare(whole.credentials, context()).catch((e: unknown) => e);
      const prepared = await pool.prepareCsv(text, context());
      if (prepared === null || !("invalid" in prepared)) throw new Error("not refused");
      expect(prepared.lines).toEqual(whole.lines);
      expect(isCredrootError(expected, "INVALID_CREDENTIAL")).toBe(true);
      expect(prepared.invalid.message).toBe((expected as Error).message);
      expect(prepared.invalid.details).toEqual(isCredrootError(expected) ? expected.details : []);
      expect(prepared.invalid.details.map((d) => d.path)).toEqual(["/3/eqfLevel", "/1500/eqfLevel", `/${N - 2}/title`]);
    });

    it("leaves a small or a malformed upload to the caller (null), and refuses a bad context", async () => {
      expect(await pool.prepareCsv(upload(rows().slice(0, 10)), context())).toBeNull();
      const text = upload(rows());
      const broken = text.replace("Ana Novak", 'Ana "Novak');
      expect(() => parseCredentialsCsv(broken)).toThrow(/quote inside an unquoted cell/);
      expect(await pool.prepareCsv(broken, context())).toBeNull();
      const error: unknown = await pool.prepareCsv(text, { ...context(), issuerId: 0 }).catch((e: unknown) => e);
      expect(isCredrootError(error, "INVALID_ARGUMENT")).toBe(true);
    });
  });
});
