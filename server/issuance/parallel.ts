import { availableParallelism } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  assembleBatch,
  type CommittedCredential,
  CredrootError,
  type ErrorDetail,
  invalidRowsError,
  type PreparedBatch,
  prepareBatch,
} from "../../src";

/** Below this many credentials, committing on the calling thread is faster than a round trip. */
export const PARALLEL_THRESHOLD = 2000;

export interface CommitRequest {
  id: number;
  rows: unknown[];
  firstRow: number;
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

  constructor(readonly size = Math.max(1, Math.min(availableParallelism(), 8))) {}

  private start(): Worker[] {
    if (this.workers.length > 0) return this.workers;
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(join(__dirname, "commit-worker.cjs"));
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

  private request(worker: Worker, rows: unknown[], firstRow: number): Promise<CommitReply> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, rows, firstRow } satisfies CommitRequest);
    });
  }

  /**
   * {@link prepareBatch} on every core: the same checks, errors and result.
   * @throws CredrootError `INVALID_CREDENTIAL` listing every bad row of the whole batch.
   */
  async prepare(inputs: readonly unknown[]): Promise<PreparedBatch> {
    if (inputs.length < PARALLEL_THRESHOLD) return prepareBatch(inputs);
    const workers = this.start();
    const slice = Math.ceil(inputs.length / workers.length);
    const replies = await Promise.all(
      workers.map((worker, i) => this.request(worker, inputs.slice(i * slice, (i + 1) * slice), i * slice)),
    );
    const details: ErrorDetail[] = [];
    const committed: CommittedCredential[] = [];
    for (const reply of replies) {
      if ("failure" in reply) throw new CredrootError("INVARIANT", `commit worker failed: ${reply.failure}`);
      details.push(...reply.details);
      for (const c of reply.committed) committed.push(c);
    }
    if (details.length > 0) throw invalidRowsError(details, inputs.length);
    return assembleBatch(committed);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
  }
}
