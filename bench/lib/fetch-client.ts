/**
 * P4's learners: GETs of every bundle over loopback HTTP, from a process of their own so that the
 * clients' parsing and socket work does not share the service's event loop (with the client in the
 * service's process, it was ≈ 25% of that thread's profile during the fetch).
 */
import { fork } from "node:child_process";
import { Agent, get } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { mapLimit } from "../../src/map-limit";

/** What the parent asks: GET `${base}/v1/credentials/${id}/bundle` for every id, `concurrency` at a time. */
export interface FetchJob {
  base: string;
  ids: string[];
  concurrency: number;
}

/** What the child answers: how many bundles came back 200, their bytes, the first failure, the time taken. */
export interface FetchReport {
  fetched: number;
  bytes: number;
  failure: string | null;
  seconds: number;
  /** CPU seconds (user + system) the client spent on the job. */
  cpuSeconds: number;
}

/** GET `url` on a kept-alive socket: status and body bytes. */
function getLength(agent: Agent, url: string): Promise<{ status: number; length: number }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (res) => {
      let length = 0;
      res.on("data", (chunk: Buffer) => (length += chunk.length));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, length }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/** CPU seconds (user + system, every thread of this process) since `start`, a `process.cpuUsage()` reading. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

/** Runs `job` in this process: every bundle fetched, or the first failure (a non-200 or a socket error). */
export async function fetchBundles(job: FetchJob): Promise<FetchReport> {
  const agent = new Agent({ keepAlive: true, maxSockets: job.concurrency });
  const start = performance.now();
  const cpu = process.cpuUsage();
  let fetched = 0;
  let bytes = 0;
  let failure: string | null = null;
  try {
    await mapLimit(job.ids, job.concurrency, async (id) => {
      const { status, length } = await getLength(agent, `${job.base}/v1/credentials/${id}/bundle`);
      if (status !== 200) throw new Error(`GET bundle of ${id} answered ${status}`);
      fetched += 1;
      bytes += length;
    });
  } catch (error) {
    failure = error instanceof Error ? error.message : String(error);
  } finally {
    agent.destroy();
  }
  return { fetched, bytes, failure, seconds: (performance.now() - start) / 1000, cpuSeconds: cpuSince(cpu) };
}

/** The child's side: says it is ready, runs the one job it is sent, answers its report and exits. */
export function serveParent(): void {
  process.once("message", (job: FetchJob) => {
    void fetchBundles(job).then((report) => process.send?.(report, () => process.exit(0)));
  });
  process.send?.("ready");
}

/** The parent's flags the child keeps: profiling (`--cpu-prof-dir=…` form), not loaders or test runners' own. */
const KEPT_FLAGS = /^--(cpu-prof|heap-prof)/;

/**
 * Runs `job` in a child process (started and loaded before the clock runs) and resolves with its
 * report; `seconds` is measured here, from sending the job to its report.
 * @throws Error when the child dies without a report.
 */
export async function fetchInChild(job: FetchJob): Promise<FetchReport> {
  const child = fork(join(__dirname, "fetch-child.cjs"), [], {
    execArgv: process.execArgv.filter((flag) => KEPT_FLAGS.test(flag)),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  return new Promise((resolve, reject) => {
    let report: FetchReport | undefined;
    let start = 0;
    child.on("message", (message: "ready" | FetchReport) => {
      if (message === "ready") {
        start = performance.now();
        child.send(job);
      } else report = { ...message, seconds: (performance.now() - start) / 1000 };
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (report) resolve(report);
      else reject(new Error(`the fetch client died (code ${code}, signal ${signal}) without a report`));
    });
  });
}
