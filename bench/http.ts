/**
 * P5 and P6: throughput and latency of `POST /v1/verify` and `GET /v1/credentials/:id/bundle`
 * under autocannon, against a bare Fastify route answering JSON of the same size.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import type autocannon from "autocannon";
import { bundlePath, bundleRoot, digestOfOpening, encodeVerifyCall, openBundle, toHex, verifyBundle } from "../src";
import { compare, type HttpFixture, load, loadDetails, startHttpFixture } from "./lib/http-fixture";
import { section } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

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
      // The same bundles, each request's text new (whitespace), so the answer cache never hits: every
      // request is parsed, checked and verified (its eth_call may still come from the per-block call cache).
      const bodiesFile = join(mkdtempSync(join(tmpdir(), "credroot-bench-")), "bodies.json");
      writeFileSync(bodiesFile, JSON.stringify(requests.service.map((request) => String(request.body))));
      process.env.CREDROOT_BENCH_FRESH_BODIES = bodiesFile; // read by fresh-client.ts in autocannon's worker
      const fresh = { setupClient: join(__dirname, "lib/fresh-client.cjs") };
      const uncached = await compare(sizes, (target, seconds) =>
        target === "bare"
          ? load(urls.bare, requests.bare, sizes, seconds)
          : load(urls.service, requests.service.slice(0, 1), sizes, seconds, fresh),
      ).finally(() => rmSync(dirname(bodiesFile), { recursive: true, force: true }));
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
          figure: "`POST /v1/verify` throughput, every request text new (no answer-cache hit)",
          measured: { value: uncached.service.rps, unit: "req/s" },
          baseline: { value: uncached.bare.rps, unit: "req/s" },
          ratio: uncached.service.rps / uncached.bare.rps,
          ratioAs: "percent",
          target: `≥ ${P5_SHARE * 100}% of bare`,
          met: uncached.service.rps / uncached.bare.rps >= P5_SHARE,
          note: `p99 ${uncached.service.p99} ms (bare ${uncached.bare.p99} ms)`,
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
          uncachedServiceRounds: uncached.rounds.serviceRounds ?? null,
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
