/**
 * The HTTP benchmarks' fixture and load runs (P5, P6 in bench/http.ts): the service and a bare
 * Fastify app answering the same JSON, and autocannon runs comparing the two.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";
import { sampleCredential } from "../../scripts/lib/samples";
import type { Bundle } from "../../src";
import { openStore } from "../../server/store";
import { startService, waitFor, type ServiceFixture } from "../../harness/service";
import { check, mean, spreadIds } from "./measure";
import type { Details, Sizes } from "./types";

/** The service and a bare Fastify app on loopback, with bundles of an anchored batch to send them. */
export interface HttpFixture {
  service: ServiceFixture;
  serviceUrl: string;
  bare: FastifyInstance;
  bareUrl: string;
  /** Ids of the rotated credentials, and their bundles. */
  ids: string[];
  bundles: Bundle[];
  verifyBytes: number;
  bundleBytes: number;
  close(): Promise<void>;
}

async function listenLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  check(typeof address === "object" && address !== null, "the server has no address");
  return `http://127.0.0.1:${address.port}`;
}

/**
 * The service (SQLite file, silent logs, no effective rate limit) with an anchored batch of
 * `sizes.httpBatch` credentials, listening on loopback; and a bare Fastify app whose routes answer
 * a verification result and a bundle as they are (JSON of the same size, no work). `env` overrides the
 * service's settings.
 */
export async function startHttpFixture(sizes: Sizes, env: Record<string, string> = {}): Promise<HttpFixture> {
  const dir = mkdtempSync(join(tmpdir(), "credroot-bench-"));
  const service = await startService({
    store: openStore(join(dir, "bench.db")),
    // The per-block answer cache on, as an operator would run a busy public endpoint.
    env: { RATE_LIMIT_PER_MINUTE: "1000000000", LOG_LEVEL: "silent", VERIFY_CACHE_MS: "1000", ...env },
  });
  const { app, auth } = service;
  const credentials = Array.from({ length: sizes.httpBatch }, (_, i) => sampleCredential(i));
  const posted = await app.inject({ method: "POST", url: "/v1/batches", headers: auth, payload: { credentials } });
  check(posted.statusCode === 202, `POST /v1/batches answered ${posted.statusCode}`);
  const batch = posted.json<{ id: string; credentials: { id: string }[] }>();
  await waitFor(
    async () => {
      const res = await app.inject({ method: "GET", url: `/v1/batches/${batch.id}`, headers: auth });
      const { status } = res.json<{ status: string }>();
      if (status === "anchored") await service.mine(2); // to finality: the worker then rests during the runs
      return status === "final" ? status : undefined;
    },
    60_000,
    "the batch to be final",
  );
  const ids = spreadIds(batch.credentials, sizes.httpRotate);
  const bundles: Bundle[] = [];
  for (const id of ids) {
    const res = await app.inject({ method: "GET", url: `/v1/credentials/${id}/bundle` });
    check(res.statusCode === 200, `GET bundle answered ${res.statusCode}`);
    bundles.push(res.json<Bundle>());
  }
  // The service's view of the chain may lag the anchoring by a moment: wait until it verifies.
  let verdict = "";
  const verified = await waitFor(
    async () => {
      const res = await app.inject({ method: "POST", url: "/v1/verify", payload: bundles[0] });
      verdict = res.json<{ verdict: string }>().verdict;
      return verdict === "valid" ? res : undefined;
    },
    10_000,
    "a fresh bundle to verify as valid",
  ).catch((error: unknown) => {
    throw new Error(`a fresh bundle verified as ${verdict}`, { cause: error });
  });
  const verification = verified.json<{ verdict: string }>();
  const serviceUrl = await listenLoopback(app);

  const bare = Fastify({ logger: false });
  const byId = new Map(ids.map((id, i) => [id, bundles[i]!]));
  bare.post("/bare/verify", () => Promise.resolve(verification));
  bare.get<{ Params: { id: string } }>("/bare/bundle/:id", (request) => Promise.resolve(byId.get(request.params.id)));
  const bareUrl = await listenLoopback(bare);
  return {
    service,
    serviceUrl,
    bare,
    bareUrl,
    ids,
    bundles,
    verifyBytes: verified.rawPayload.length,
    bundleBytes: Buffer.byteLength(JSON.stringify(bundles[0])),
    async close() {
      await bare.close();
      await service.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What one load run measured: answered requests a second, and the 99th-percentile latency (ms). */
export interface LoadResult {
  rps: number;
  p99: number;
}

/** One autocannon run from a worker thread (so the load does not share the servers' event loop). */
export async function load(
  url: string,
  requests: autocannon.Request[],
  sizes: Sizes,
  seconds: number,
  options: { setupClient?: string } = {},
): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections: sizes.httpConnections,
    duration: seconds,
    workers: 1,
    requests,
    // In workers mode autocannon takes setupClient as a module path; its types know only the function.
    ...(options as unknown as Pick<autocannon.Options, "setupClient">),
  });
  const failures = result.errors + result.timeouts + result.non2xx;
  check(failures === 0, `${failures} failed requests against ${url} (${result.non2xx} non-2xx)`);
  check(result["2xx"] > 0, `no request answered against ${url}`);
  return { rps: result["2xx"] / result.duration, p99: result.latency.p99 };
}

/** What a comparison runs against: the bare Fastify route, or the service. */
export type Target = "bare" | "service";

/**
 * A warm-up of each target, then bare and service runs in ABBA order (drift on a shared machine
 * hits both alike), averaged over the rounds.
 */
export async function compare(
  sizes: Sizes,
  run: (target: Target, seconds: number) => Promise<LoadResult>,
): Promise<{ bare: LoadResult; service: LoadResult; rounds: Details }> {
  const warmUp = Math.min(1, sizes.httpSeconds);
  await run("bare", warmUp);
  await run("service", warmUp);
  const runs: Record<Target, LoadResult[]> = { bare: [], service: [] };
  for (let round = 0; round < sizes.httpRounds; round++) {
    const order: Target[] = round % 2 === 0 ? ["bare", "service"] : ["service", "bare"];
    for (const target of order) runs[target].push(await run(target, sizes.httpSeconds));
  }
  const avg = (list: LoadResult[]): LoadResult => ({
    rps: mean(list.map((r) => r.rps)),
    p99: mean(list.map((r) => r.p99)),
  });
  const shown = (list: LoadResult[]) => list.map((r) => `${Math.round(r.rps)} req/s p99 ${r.p99} ms`).join("; ");
  return {
    bare: avg(runs.bare),
    service: avg(runs.service),
    rounds: { bareRounds: shown(runs.bare), serviceRounds: shown(runs.service) },
  };
}

/** The load settings of a run, for its section's details. */
export function loadDetails(sizes: Sizes, fx: HttpFixture): Details {
  return {
    batch: sizes.httpBatch,
    rotatedBundles: fx.ids.length,
    connections: sizes.httpConnections,
    secondsPerRun: sizes.httpSeconds,
    rounds: sizes.httpRounds,
  };
}
