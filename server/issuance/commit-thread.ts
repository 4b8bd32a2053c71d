import { parentPort } from "node:worker_threads";
import { commitCredential, initHasher, validateRows } from "../../src";
import type { CommitRequest, CommitReply } from "./commit-pool";

/** Validates and commits one slice of a batch (see commit-pool.ts); runs in a worker thread. */
const ready = initHasher();

parentPort?.on("message", (request: CommitRequest) => {
  void ready.then(() => {
    let reply: CommitReply;
    try {
      const { credentials, details } = validateRows(request.rows, request.firstRow);
      reply = {
        id: request.id,
        details,
        committed: details.length > 0 ? [] : credentials.map((c) => commitCredential(c, request.context)),
      };
    } catch (error) {
      reply = { id: request.id, failure: error instanceof Error ? error.message : String(error) };
    }
    parentPort?.postMessage(reply);
  });
});
