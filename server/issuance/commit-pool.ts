import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
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

/** Credentials a thread commits per message, by default. */
export const CHUNK_ROWS = 4096;

export interface CommitRequest {
  id: number;
  rows: unknown[];
  firstRow: number;
  /** Where the batch will be anchored: every leaf commits to it. */
  context: AnchorContext;
}

export type CommitReply =
  { id: number; details: ErrorDetail[]; committed: CommittedCredential[] } | { id: number; failure: string };

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
   */
  constructor(
    readonly size = Math.max(1, Math.min(availableParallelism(), 8)),
    readonly chunkRows = CHUNK_ROWS,
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

  private request(worker: Worker, rows: unknown[], firstRow: number, context: AnchorContext): Promise<CommitReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, rows, firstRow, context } satisfies CommitRequest);
    });
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
    if (inputs.length < PARALLEL_THRESHOLD) return prepareBatch(inputs, context);
    // A plain copy: the context crosses to the threads by structured clone. Checked here, so that a
    // bad one is the caller's INVALID_ARGUMENT, as on the calling thread, not a thread's failure.
    const { chainId, registry, issuerId, batchId } = context;
    const plain = { chainId, registry, issuerId, batchId };
    leafOf(plain, new Uint8Array(32));
    const workers = this.start();
    // Chunks handed to whichever thread is free, in order of rows.
    const step = this.chunkRows;
    const chunks = Math.ceil(inputs.length / step);
    const replies: CommitReply[] = [];
    let next = 0;
    await Promise.all(
      workers.map(async (worker) => {
        while (next < chunks) {
          const i = next++;
          const first = i * step;
          replies[i] = await this.request(worker, inputs.slice(first, first + step), first, plain);
        }
      }),
    );
    const details: ErrorDetail[] = [];
    const committed: CommittedCredential[] = [];
    for (const reply of replies) {
      if ("failure" in reply) throw new CredrootError("INVARIANT", `commit worker failed: ${reply.failure}`);
      details.push(...reply.details);
      for (const c of reply.committed) committed.push(c);
    }
    if (details.length > 0) throw invalidRowsError(details, inputs.length);
    return assembleBatch(plain, committed);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
