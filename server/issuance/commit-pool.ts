import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { MAX_CSV_ROWS } from "../../src/node/csv";
import { type CsvChunk, csvChunks } from "./csv-chunks";
import {
  type AnchorContext,
  assembleBatch,
  type CommittedCredential,
  CredrootError,
  type ErrorDetail,
  invalidRowsError,
  leafOf,
  type PreparedBatch,
  prepareBatch,
} from "../../src";

/** Below this many credentials, committing on the calling thread is faster than a round trip. */
export const PARALLEL_THRESHOLD = 2000;

/**
 * A plain copy of `context` (it crosses to the threads by structured clone), checked here so that a
 * bad one is the caller's INVALID_ARGUMENT, as on the calling thread, not a thread's failure.
 */
function checkedContext(context: AnchorContext): AnchorContext {
  const { chainId, registry, issuerId, batchId } = context;
  const plain = { chainId, registry, issuerId, batchId };
  leafOf(plain, new Uint8Array(32));
  return plain;
}

/** A thread's reply that is no result: a bug (a thread cannot fail on valid or invalid rows alike). */
function failed(reply: CommitReply): CredrootError {
  const why = "failure" in reply ? reply.failure : "malformed" in reply ? reply.malformed : "no lines";
  return new CredrootError("INVARIANT", `commit worker failed: ${why}`);
}

/** Credentials a thread commits per message, by default. */
export const CHUNK_ROWS = 4096;

export interface CommitRequest {
  id: number;
  /** The rows, or (with `csv`, which the thread parses) none. */
  rows: unknown[];
  /** The first row's index in the batch (0 for a CSV piece: the pool renumbers its details). */
  firstRow: number;
  csv?: CsvChunk;
  /** Where the batch will be anchored: every leaf commits to it. */
  context: AnchorContext;
}

export type CommitReply =
  | { id: number; details: ErrorDetail[]; committed: CommittedCredential[]; lines?: number[] }
  | { id: number; failure: string }
  | { id: number; malformed: string };

/** A CSV upload committed by the threads: the upload's line of every row, and the batch or why it is refused. */
export type PreparedCsv = { lines: number[] } & ({ batch: PreparedBatch } | { invalid: CredrootError });

/**
 * A pool of worker threads that validate and commit credentials (salts, field hashes, digests,
 * leaves) — the costly part of issuing — on every core, and keep the server's event loop free
 * while a large batch is prepared. Only the Merkle tree is built on the calling thread.
 */
export class CommitPool {
  private readonly workers: Worker[] = [];
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (reply: CommitReply) => void; reject: (e: Error) => void }>();

  /**
   * @param size threads (at most 8, one a core by default)
   * @param chunkRows credentials sent to a thread at a time: its heap holds one chunk, not its
   * share of the whole batch (two copies of 50,000 credentials a thread for 100,000 on 2 cores)
   * @param threshold rows (CSV records) below which the calling thread does the work
   */
  constructor(
    readonly size = Math.max(1, Math.min(availableParallelism(), 8)),
    readonly chunkRows = CHUNK_ROWS,
    readonly threshold = PARALLEL_THRESHOLD,
  ) {}

  private start(): Worker[] {
    if (this.workers.length > 0) return this.workers;
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(join(__dirname, "commit-thread.cjs"));
      worker.unref(); // an idle pool never keeps the process alive
      worker.on("message", (reply: CommitReply) => {
        this.waiting.get(reply.id)?.resolve(reply);
        this.waiting.delete(reply.id);
      });
      worker.on("error", (error) => {
        for (const { reject } of this.waiting.values()) reject(error);
        this.waiting.clear();
      });
      this.workers.push(worker);
    }
    return this.workers;
  }

  private request(worker: Worker, work: Omit<CommitRequest, "id">): Promise<CommitReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, ...work } satisfies CommitRequest);
    });
  }

  /** `works` handed to whichever thread is free, in order (each made as it is sent); the replies in the same order. */
  private async run(works: (() => Omit<CommitRequest, "id">)[]): Promise<CommitReply[]> {
    const workers = this.start();
    const replies: CommitReply[] = [];
    let next = 0;
    await Promise.all(
      workers.map(async (worker) => {
        while (next < works.length) {
          const i = next++;
          replies[i] = await this.request(worker, works[i]!());
        }
      }),
    );
    return replies;
  }

  /**
   * {@link prepareBatch} on every core: the same checks, errors and result. Every leaf is bound to
   * `context` (chain, registry, issuer and the new batch's id).
   * @throws CredrootError `INVALID_CREDENTIAL` listing every bad row of the whole batch;
   * `INVALID_ARGUMENT` for a bad context.
   * @example
   * const batch = await app.commitPool.prepare(rows, { chainId, registry, issuerId, batchId: randomUUID() });
   */
  async prepare(inputs: readonly unknown[], context: AnchorContext): Promise<PreparedBatch> {
    if (inputs.length < this.threshold) return prepareBatch(inputs, context);
    const plain = checkedContext(context);
    const step = this.chunkRows;
    const works = Array.from({ length: Math.ceil(inputs.length / step) }, (_, i) => () => ({
      rows: inputs.slice(i * step, (i + 1) * step),
      firstRow: i * step,
      context: plain,
    }));
    const replies = await this.run(works);
    const details: ErrorDetail[] = [];
    const committed: CommittedCredential[] = [];
    for (const reply of replies) {
      if (!("details" in reply)) throw failed(reply);
      details.push(...reply.details);
      for (const c of reply.committed) committed.push(c);
    }
    if (details.length > 0) throw invalidRowsError(details, inputs.length);
    return assembleBatch(plain, committed);
  }

  /**
   * A CSV upload (no byte-order mark) parsed, validated and committed on the threads, a piece of
   * {@link chunkRows} records each: the main thread only cuts it (csv-chunks.ts) and builds the
   * tree. Rows, lines and errors are those of `parseCredentialsCsv` then {@link prepare}.
   * @returns null when the upload is small (under the threshold) or does not parse as pieces
   * (malformed, or over `MAX_CSV_ROWS` rows): parse it whole then, for the same result or error.
   * @throws CredrootError `INVALID_ARGUMENT` for a bad context.
   */
  async prepareCsv(body: string, context: AnchorContext): Promise<PreparedCsv | null> {
    const chunks = csvChunks(body, this.chunkRows, this.threshold);
    if (chunks === null) return null;
    const plain = checkedContext(context);
    const replies = await this.run(chunks.map((csv) => () => ({ rows: [], firstRow: 0, csv: csv(), context: plain })));
    if (replies.some((reply) => "malformed" in reply)) return null;
    const lines: number[] = [];
    const details: ErrorDetail[] = [];
    const committed: CommittedCredential[] = [];
    for (const reply of replies) {
      if (!("details" in reply) || reply.lines === undefined) throw failed(reply);
      const first = lines.length;
      for (const d of reply.details)
        details.push({ ...d, path: d.path.replace(/^\/\d+/, (row) => `/${Number(row.slice(1)) + first}`) });
      for (const line of reply.lines) lines.push(line);
      for (const c of reply.committed) committed.push(c);
    }
    if (lines.length > MAX_CSV_ROWS) return null;
    if (details.length > 0) return { lines, invalid: invalidRowsError(details, lines.length) };
    return { lines, batch: assembleBatch(plain, committed) };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
