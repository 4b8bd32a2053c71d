import { fork } from "node:child_process";
import { join } from "node:path";
import type { Mode, SectionId, SectionResult } from "./types";

/**
 * Heap room for the 1M-credential sizes of `--full`. The other modes keep Node's default limit,
 * as the service runs with it: a larger limit lets V8 grow the heap and collect later, which
 * changes both the times and the peak RSS measured.
 */
const FULL_HEAP_MB = 16_384;

/**
 * Runs section `id` in a child process (same tsx loader) and resolves with its result: a fresh
 * heap per section, and a peak RSS that is the section's own rather than the whole run's.
 * @throws Error with the child's stack when the section failed or the child died.
 */
export function runIsolated(id: SectionId, mode: Mode): Promise<SectionResult> {
  const child = fork(join(__dirname, "child.ts"), [id, mode], {
    execArgv: [...process.execArgv, ...(mode === "full" ? [`--max-old-space-size=${FULL_HEAP_MB}`] : [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    let reply: { result?: SectionResult; error?: string } = {};
    child.on("message", (message) => {
      reply = message as typeof reply;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (reply.result) resolve(reply.result);
      else reject(new Error(reply.error ?? `section ${id} died (code ${code}, signal ${signal}) without a result`));
    });
  });
}
