/**
 * P4: a CSV of credentials through `POST /v1/batches` until the batch is final on a local chain
 * and its bundles can be fetched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sampleCredential } from "../scripts/lib/samples";
import { openStore } from "../server/store";
import { credentialsCsv } from "../harness/credentials-csv";
import { startService, waitFor } from "../harness/service";
import { cpuSince, fetchInChild } from "./lib/fetch-client";
import { check, rssRow, section, since } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

/** The local chain mines a block every 200 ms (no automine), and the service waits for 2 confirmations. */
const BLOCK_MS = 200;
const FINALITY = 2;
const P4_LIMIT_S = 30;
const DEFAULT_BODY_LIMIT = 128 * 1024 * 1024;
// Enough requests in flight that the client (a process of its own) is not what the fetch waits on.
const FETCH_CONCURRENCY = 32;

/** Every `step`-th id, `count` of them: a sample spread over the whole batch. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

/**
 * P4: the service on a SQLite file (as an operator runs it) and a local chain mining every
 * 200 ms; the clock runs from sending the CSV (already rendered) to the last bundle fetched over
 * loopback HTTP.
 */
export async function benchCsvToFinal(sizes: Sizes): Promise<SectionResult> {
  return section("P4", sizes.mode, async () => {
    const n = sizes.csvCredentials;
    const csv = credentialsCsv(Array.from({ length: n }, (_, i) => sampleCredential(i)));
    const csvBytes = Buffer.byteLength(csv);
    const dir = mkdtempSync(join(tmpdir(), "credroot-bench-"));
    const fx = await startService({
      store: openStore(join(dir, "bench.db")),
      env: {
        FINALITY: String(FINALITY),
        RATE_LIMIT_PER_MINUTE: "1000000000",
        // The default limit (128 MiB) takes about 300,000 rows of this CSV; a 1M batch needs ≈ 440 MB.
        BODY_LIMIT: String(Math.max(DEFAULT_BODY_LIMIT, 2 * csvBytes)),
      },
    });
    const chain = fx.chain.provider;
    try {
      await chain.send("evm_setAutomine", [false]);
      await chain.send("evm_setIntervalMining", [BLOCK_MS]);

      const start = performance.now();
      const cpu = process.cpuUsage();
      const posted = await fx.app.inject({
        method: "POST",
        url: "/v1/batches",
        headers: { ...fx.auth, "content-type": "text/csv" },
        payload: csv,
      });
      check(posted.statusCode === 202, `POST /v1/batches answered ${posted.statusCode}: ${posted.body.slice(0, 300)}`);
      const postSeconds = since(start);
      const postCpuSeconds = cpuSince(cpu);
      const accepted = posted.json<{ id: string; credentials: { id: string }[] }>();
      check(accepted.credentials.length === n, "the batch lost credentials");

      await waitFor(
        async () => {
          const res = await fx.app.inject({ method: "GET", url: `/v1/batches/${accepted.id}`, headers: fx.auth });
          const { status } = res.json<{ status: string }>();
          check(status !== "failed", "anchoring failed");
          return status === "final" ? status : undefined;
        },
        120_000,
        "the batch to be final",
      );
      const finalSeconds = since(start);

      const ids = spread(
        accepted.credentials.map((c) => c.id),
        sizes.csvFetch === "all" ? n : sizes.csvFetch,
      );
      // Over loopback HTTP, as learners fetch them: `app.inject` keeps ≈ 9.5 kB per call reachable
      // (light-my-request 6.8, Fastify 5.12), which a real socket does not: 100,000 injected fetches
      // held 1.5 GB of heap and 1.7 GB of buffers after a forced GC.
      await fx.app.listen({ host: "127.0.0.1", port: 0 });
      const address = fx.app.server.address();
      check(typeof address === "object" && address !== null, "the service has no address");
      const base = `http://127.0.0.1:${address.port}`;
      // From a child process: the figure is the service's, not that of a client sharing its event loop.
      const fetchStart = performance.now();
      const fetchCpu = process.cpuUsage();
      const report = await fetchInChild({ base, ids, concurrency: FETCH_CONCURRENCY });
      check(report.failure === null, report.failure ?? "");
      check(report.fetched === ids.length, `${report.fetched} of ${ids.length} bundles fetched`);
      const fetchSeconds = since(fetchStart);
      const fetchCpuSeconds = cpuSince(fetchCpu);
      const bytes = report.bytes;
      const total = since(start);

      const count = n.toLocaleString("en-US");
      const fetched =
        ids.length === n ? "every bundle fetched" : `${ids.length.toLocaleString("en-US")} bundles fetched`;
      const rows: Row[] = [
        {
          id: "P4",
          figure: `${count} credentials as CSV → \`final\` (${BLOCK_MS} ms blocks, finality ${FINALITY}), ${fetched}`,
          measured: { value: total, unit: "s" },
          baseline: null,
          ratio: null,
          target: `≤ ${P4_LIMIT_S} s`,
          met: total <= P4_LIMIT_S,
          note: `POST ${postSeconds.toFixed(1)} s, final after ${finalSeconds.toFixed(1)} s, fetch ${fetchSeconds.toFixed(1)} s`,
        },
        rssRow("P4", `${count} credentials through the service (chain in the same process)`),
      ];
      return {
        rows,
        details: {
          credentials: n,
          csvBytes,
          postSeconds,
          anchorToFinalSeconds: finalSeconds - postSeconds,
          fetchSeconds,
          // CPU seconds (user + system) of this process (service, chain, commit threads) and of the
          // fetch client: what the phases cost whatever else the shared machine was running.
          postCpuSeconds,
          fetchCpuSeconds,
          clientCpuSeconds: report.cpuSeconds,
          bundlesFetched: ids.length,
          bundleBytesFetched: bytes,
          fetchConcurrency: FETCH_CONCURRENCY,
        },
      };
    } finally {
      await chain.send("evm_setIntervalMining", [0]);
      await chain.send("evm_setAutomine", [true]);
      await fx.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
