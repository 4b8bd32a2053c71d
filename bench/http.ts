/**
 * P5 and P6: throughput and latency of `POST /v1/verify` and `GET /v1/credentials/:id/bundle`
 * under autocannon, against a bare Fastify route answering JSON of the same size.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";
import { sampleCredential } from "../scripts/lib/samples";
import {
  type Bundle,
  bundlePath,
  bundleRoot,
  digestOfOpening,
  encodeVerifyCall,
  openBundle,
  toHex,
  verifyBundle,
} from "../src";
import { openStore } from "../server/store";
import { startService, waitFor, type ServiceFixture } from "../harness/service";
import { check, mean, section, spreadIds } from "./lib/measure";
import type { Details, Row, SectionResult, Sizes } from "./lib/types";

interface HttpFixture {
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
 * a verification result and a bundle as they are (JSON of the same size, no work).
 */
async function startHttpFixture(sizes: Sizes): Promise<HttpFixture> {
  const dir = mkdtempSync(join(tmpdir(), "credroot-bench-"));
  const service = await startService({
    store: openStore(join(dir, "bench.db")),
    // The per-block answer cache on, as an operator would run a busy public endpoint.
    env: { RATE_LIMIT_PER_MINUTE: "1000000000", LOG_LEVEL: "silent", VERIFY_CACHE_MS: "1000" },
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
      return status === "anchored" || status === "final" ? status : undefined;
    },
    60_000,
    "the batch to be anchored",
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

interface LoadResult {
  rps: number;
  p99: number;
}

/** One autocannon run from a worker thread (so the load does not share the servers' event loop). */
async function load(url: string, requests: autocannon.Request[], sizes: Sizes, seconds: number): Promise<LoadResult> {
  const result = await autocannon({ url, connections: sizes.httpConnections, duration: seconds, workers: 1, requests });
  const failures = result.errors + result.timeouts + result.non2xx;
  check(failures === 0, `${failures} failed requests against ${url} (${result.non2xx} non-2xx)`);
  check(result["2xx"] > 0, `no request answered against ${url}`);
  return { rps: result["2xx"] / result.duration, p99: result.latency.p99 };
}

type Target = "bare" | "service";

/**
 * A warm-up of each target, then bare and service runs in ABBA order (drift on a shared machine
 * hits both alike), averaged over the rounds.
 */
async function compare(
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

function loadDetails(sizes: Sizes, fx: HttpFixture): Details {
  return {
    batch: sizes.httpBatch,
    rotatedBundles: fx.ids.length,
    connections: sizes.httpConnections,
    secondsPerRun: sizes.httpSeconds,
    rounds: sizes.httpRounds,
  };
}

/**
 * Where a verification's time goes, one at a time and without HTTP: the library's offline work
 * (parse, digest, proof; the bundle names an untrusted chain, so nothing is asked) and a full
 * `verifyBundle` through the service's own JSON-RPC provider (one `eth_call` to the chain, uncached).
 */
async function verifyLatency(
  fx: HttpFixture,
): Promise<{ libraryOfflineVerifyMs: number; libraryVerifyWithChainMs: number }> {
  const rounds = 200;
  const { chainId, registryAddress, provider } = fx.service.app.chain;
  // The service's own JsonRpcProvider, asked directly: every call goes to the chain.
  const trusted = [{ chainId, registries: [registryAddress], provider }];
  const untrusted = [{ ...trusted[0]!, chainId: chainId + 1 }];
  const perCall = async (chains: typeof trusted) => {
    const start = performance.now();
    for (let i = 0; i < rounds; i++) await verifyBundle(fx.bundles[i % fx.bundles.length], { chains });
    return (performance.now() - start) / rounds;
  };
  return { libraryOfflineVerifyMs: await perCall(untrusted), libraryVerifyWithChainMs: await perCall(trusted) };
}

const P5_SHARE = 0.25;
const P5_P99_MS = 20;

/** P5: `POST /v1/verify` with rotating bundles (one `eth_call` each to the in-process chain). */
export async function benchVerifyHttp(sizes: Sizes): Promise<SectionResult> {
  return section("P5", sizes.mode, async () => {
    const fx = await startHttpFixture(sizes);
    try {
      const posts = (path: string): autocannon.Request[] =>
        fx.bundles.map((bundle) => ({
          method: "POST",
          path,
          headers: { "content-type": "application/json" },
          body: JSON.stringify(bundle),
        }));
      const requests = { bare: posts("/bare/verify"), service: posts("/v1/verify") };
      const urls = { bare: fx.bareUrl, service: fx.serviceUrl };
      const result = await compare(sizes, (target, seconds) => load(urls[target], requests[target], sizes, seconds));
      // What the in-process chain alone answers: the same eth_calls sent straight to its JSON-RPC server.
      const calls = fx.bundles.map((bundle, id) => ({
        method: "POST" as const,
        path: "/",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id,
          method: "eth_call",
          params: [
            {
              to: bundle.anchor.registry,
              data: encodeVerifyCall({
                issuerId: bundle.anchor.issuerId,
                batchId: bundle.anchor.batchId,
                root: bundleRoot(bundle),
                digest: toHex(digestOfOpening(openBundle(bundle))),
                proof: bundlePath(bundle),
              }),
            },
            "latest",
          ],
        }),
      }));
      const chain = await load(fx.service.chain.url, calls, sizes, sizes.httpSeconds);
      const latency = await verifyLatency(fx);
      const share = result.service.rps / result.bare.rps;
      const rows: Row[] = [
        {
          id: "P5",
          figure: `\`POST /v1/verify\` throughput (-c ${sizes.httpConnections}, loopback, VERIFY_CACHE_MS=1000)`,
          measured: { value: result.service.rps, unit: "req/s" },
          baseline: { value: result.bare.rps, unit: "req/s" },
          ratio: share,
          ratioAs: "percent",
          target: `≥ ${P5_SHARE * 100}% of bare`,
          met: share >= P5_SHARE,
          note:
            `one verification unloaded: ${latency.libraryOfflineVerifyMs.toFixed(2)} ms offline, ` +
            `${latency.libraryVerifyWithChainMs.toFixed(1)} ms with its eth_call; the in-process chain alone ` +
            `answers ${Math.round(chain.rps).toLocaleString("en-US")} of these eth_calls/s`,
        },
        {
          id: "P5",
          figure: "`POST /v1/verify` p99 latency",
          measured: { value: result.service.p99, unit: "ms" },
          baseline: { value: result.bare.p99, unit: "ms" },
          ratio: result.service.p99 / result.bare.p99,
          target: `≤ ${P5_P99_MS} ms`,
          met: result.service.p99 <= P5_P99_MS,
        },
      ];
      return {
        rows,
        details: {
          ...loadDetails(sizes, fx),
          responseBytes: fx.verifyBytes,
          ...result.rounds,
          chainEthCallAloneRps: chain.rps,
          chainEthCallAloneP99Ms: chain.p99,
          ...latency,
        },
      };
    } finally {
      await fx.close();
    }
  });
}

const P6_SHARE = 0.5;

/** P6: `GET /v1/credentials/:id/bundle` over rotating ids (SQLite reads, bundle assembly). */
export async function benchBundleHttp(sizes: Sizes): Promise<SectionResult> {
  return section("P6", sizes.mode, async () => {
    const fx = await startHttpFixture(sizes);
    try {
      const gets = (prefix: string, suffix: string): autocannon.Request[] =>
        fx.ids.map((id) => ({ method: "GET", path: `${prefix}${id}${suffix}` }));
      const requests = { bare: gets("/bare/bundle/", ""), service: gets("/v1/credentials/", "/bundle") };
      const urls = { bare: fx.bareUrl, service: fx.serviceUrl };
      const result = await compare(sizes, (target, seconds) => load(urls[target], requests[target], sizes, seconds));
      const share = result.service.rps / result.bare.rps;
      const rows: Row[] = [
        {
          id: "P6",
          figure: `\`GET /v1/credentials/:id/bundle\` throughput (-c ${sizes.httpConnections}, loopback)`,
          measured: { value: result.service.rps, unit: "req/s" },
          baseline: { value: result.bare.rps, unit: "req/s" },
          ratio: share,
          ratioAs: "percent",
          target: `≥ ${P6_SHARE * 100}% of bare`,
          met: share >= P6_SHARE,
          note: `p99 ${result.service.p99} ms (bare ${result.bare.p99} ms)`,
        },
      ];
      return {
        rows,
        details: { ...loadDetails(sizes, fx), responseBytes: fx.bundleBytes, ...result.rounds },
      };
    } finally {
      await fx.close();
    }
  });
}
