/**
 * P4's registrar and learners, in a process of their own: the registrar renders the CSV and posts
 * it over loopback HTTP, then learners GET bundles. Neither the client's work (with the fetch client
 * in the service's process, ≈ 25% of its thread's profile) nor its copies of the upload (≈ 870 MB
 * of UTF-16 for 1,000,000 rows, and inject's own) are the service's.
 */
import { fork } from "node:child_process";
import { Agent, get, request } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { credentialsCsv } from "../../harness/credentials-csv";
import { sampleCredential } from "../../scripts/lib/samples";
import { mapLimit } from "../../src/map-limit";

/** What the parent asks, one step at a time. */
export type ClientStep =
  | { kind: "render"; count: number }
  | { kind: "post"; base: string; authorization: string }
  | { kind: "fetch"; sample: number | "all"; concurrency: number };

/** What the child answers to each step. */
export type ClientAnswer =
  | { kind: "rendered"; csvBytes: number }
  | { kind: "posted"; status: number; batchId: string | null; credentials: number; body: string }
  | FetchReport;

/** How many bundles came back 200, their bytes, the first failure, and the client's CPU seconds. */
export interface FetchReport {
  kind: "fetched";
  fetched: number;
  bytes: number;
  failure: string | null;
  cpuSeconds: number;
}

/** CPU seconds (user + system, every thread of this process) since `start`, a `process.cpuUsage()` reading. */
export function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
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

/** POST `body` as `text/csv`: the status and the answer's text. */
function postCsv(url: string, authorization: string, body: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { authorization, "content-type": "text/csv", "content-length": body.length };
    const req = request(url, { method: "POST", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Every `step`-th item, `count` of them: a sample spread over the whole batch. */
export function spread<T>(items: readonly T[], count: number | "all"): T[] {
  if (count === "all" || count >= items.length) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

/** The child's state: the rendered upload, then the ids the service answered. */
class Client {
  private csv: Buffer | null = null;
  private ids: string[] = [];
  private base = "";

  async step(step: ClientStep): Promise<ClientAnswer> {
    if (step.kind === "render") {
      const text = credentialsCsv(Array.from({ length: step.count }, (_, i) => sampleCredential(i)));
      this.csv = Buffer.from(text, "utf8");
      return { kind: "rendered", csvBytes: this.csv.length };
    }
    if (step.kind === "post") {
      this.base = step.base;
      const { status, text } = await postCsv(`${step.base}/v1/batches`, step.authorization, this.csv!);
      this.csv = null;
      if (status !== 202) return { kind: "posted", status, batchId: null, credentials: 0, body: text.slice(0, 300) };
      const accepted = JSON.parse(text) as { id: string; credentials: { id: string }[] };
      this.ids = accepted.credentials.map((c) => c.id);
      return { kind: "posted", status, batchId: accepted.id, credentials: this.ids.length, body: "" };
    }
    return this.fetch(spread(this.ids, step.sample), step.concurrency);
  }

  /** GETs every bundle of `ids`, `concurrency` at a time, or up to the first failure (a non-200 or a socket error). */
  private async fetch(ids: string[], concurrency: number): Promise<FetchReport> {
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const cpu = process.cpuUsage();
    let fetched = 0;
    let bytes = 0;
    let failure: string | null = null;
    try {
      await mapLimit(ids, concurrency, async (id) => {
        const { status, length } = await getLength(agent, `${this.base}/v1/credentials/${id}/bundle`);
        if (status !== 200) throw new Error(`GET bundle of ${id} answered ${status}`);
        fetched += 1;
        bytes += length;
      });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    } finally {
      agent.destroy();
    }
    return { kind: "fetched", fetched, bytes, failure, cpuSeconds: cpuSince(cpu) };
  }
}

/** The child's side: answers each step it is sent, in order, until the parent disconnects. */
export function serveParent(): void {
  const client = new Client();
  let queue = Promise.resolve();
  process.on("message", (step: ClientStep) => {
    queue = queue.then(async () => {
      process.send?.(await client.step(step));
    });
  });
  process.on("disconnect", () => process.exit(0));
}

/** The parent's flags the child keeps: profiling (`--cpu-prof-dir=…` form), not loaders or test runners' own. */
const KEPT_FLAGS = /^--(cpu-prof|heap-prof)/;

type Answer<K extends ClientAnswer["kind"]> = Extract<ClientAnswer, { kind: K }>;

/** The parent's handle on the child: one step at a time, each answer with the seconds it took. */
export interface ClientProcess {
  render(count: number): Promise<{ answer: Answer<"rendered">; seconds: number }>;
  post(base: string, authorization: string): Promise<{ answer: Answer<"posted">; seconds: number }>;
  fetch(sample: number | "all", concurrency: number): Promise<{ answer: FetchReport; seconds: number }>;
  close(): void;
}

/** Starts the client process (a tsx .cjs entry). */
export function startClient(): ClientProcess {
  const child = fork(join(__dirname, "fetch-child.cjs"), [], {
    execArgv: process.execArgv.filter((flag) => KEPT_FLAGS.test(flag)),
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    serialization: "advanced",
  });
  let pending: { resolve: (answer: ClientAnswer) => void; reject: (error: Error) => void } | null = null;
  child.on("message", (answer: ClientAnswer) => pending?.resolve(answer));
  child.on("exit", (code, signal) =>
    pending?.reject(new Error(`the bench client died (code ${code}, signal ${signal})`)),
  );
  const ask = async <K extends ClientAnswer["kind"]>(step: ClientStep, kind: K) => {
    const start = performance.now();
    const answer = await new Promise<ClientAnswer>((resolve, reject) => {
      pending = { resolve, reject };
      child.send(step);
    });
    pending = null;
    if (answer.kind !== kind) throw new Error(`the bench client answered ${answer.kind} to ${step.kind}`);
    return { answer: answer as Answer<K>, seconds: (performance.now() - start) / 1000 };
  };
  return {
    render: (count) => ask({ kind: "render", count }, "rendered"),
    post: (base, authorization) => ask({ kind: "post", base, authorization }, "posted"),
    fetch: (sample, concurrency) => ask({ kind: "fetch", sample, concurrency }, "fetched"),
    close() {
      child.disconnect();
    },
  };
}
