import { parentPort } from "node:worker_threads";
import { commitCredential, initHasher, validateRows } from "../../src";
import { parseCredentialsCsv } from "../../src/node/csv";
import type { CommitRequest, CommitReply } from "./commit-pool";

/** Validates and commits one slice of a batch (see commit-pool.ts); runs in a worker thread. */
const ready = initHasher();

/** The slice's rows: given, or parsed from its piece of CSV (with the upload's line of each). */
function rowsOf(request: CommitRequest): { rows: unknown[]; lines?: number[] } {
  if (request.csv === undefined) return { rows: request.rows };
  const { credentials, lines } = parseCredentialsCsv(request.csv.text);
  return { rows: credentials, lines: lines.map((line) => line + request.csv!.lineOffset) };
}

parentPort?.on("message", (request: CommitRequest) => {
  void ready.then(() => {
    let reply: CommitReply;
    let parsed: ReturnType<typeof rowsOf>;
    try {
      parsed = rowsOf(request);
    } catch (error) {
      // The pool parses the whole upload then, for the error it names (see csv-chunks.ts).
      parentPort?.postMessage({ id: request.id, malformed: String(error) } satisfies CommitReply);
      return;
    }
    try {
      const { rows, lines } = parsed;
      const { credentials, details } = validateRows(rows, request.firstRow);
      reply = {
        id: request.id,
        details,
        committed: details.length > 0 ? [] : credentials.map((c) => commitCredential(c, request.context)),
        ...(lines ? { lines } : {}),
      };
    } catch (error) {
      reply = { id: request.id, failure: error instanceof Error ? error.message : String(error) };
    }
    parentPort?.postMessage(reply);
  });
});
