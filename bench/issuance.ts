/**
 * P4: a CSV of credentials through `POST /v1/batches` until the batch is final on a local chain
 * and its bundles can be fetched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openStore } from "../server/store";
import { startService, waitFor } from "../harness/service";
import { cpuSince, startClient } from "./lib/fetch-client";
import { check, rssRow, section, since } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

/** The local chain mines a block every 200 ms (no automine), and the service waits for 2 confirmations. */
const BLOCK_MS = 200;
const FINALITY = 2;
const P4_LIMIT_S = 30;
const DEFAULT_BODY_LIMIT = 128 * 1024 * 1024;
// Enough requests in flight that the client (a process of its own) is not what the fetch waits on.
const FETCH_CONCURRENCY = 32;

/**
 * P4: the service on a SQLite file (as an operator runs it) and a local chain mining every
 * 200 ms, and a registrar and its learners in a child process over loopback HTTP; the clock runs
 * from sending the CSV (already rendered) to the last bundle fetched.
 */
export async function benchCsvToFinal(sizes: Sizes): Promise<SectionResult> {
  return section("P4", sizes.mode, async () => {
    const n = sizes.csvCredentials;
    const client = startClient();
    const dir = mkdtempSync(join(tmpdir(), "credroot-bench-"));
    try {
      const { answer: rendered } = await client.render(n);
      const fx = await startService({
        store: openStore(join(dir, "bench.db")),
        env: {
          FINALITY: String(FINALITY),
          RATE_LIMIT_PER_MINUTE: "1000000000",
          // The default limit (128 MiB) takes about 300,000 rows of this CSV; a 1M batch needs ≈ 440 MB,
          // and minutes to post on a busy machine.
          BODY_LIMIT: String(Math.max(DEFAULT_BODY_LIMIT, 2 * rendered.csvBytes)),
          REQUEST_TIMEOUT_MS: String(30 * 60_000),
        },
      });
      const chain = fx.chain.provider;
      try {
        await chain.send("evm_setAutomine", [false]);
        await chain.send("evm_setIntervalMining", [BLOCK_MS]);
        await fx.app.listen({ host: "127.0.0.1", port: 0 });
        const address = fx.app.server.address();
        check(typeof address === "object" && address !== null, "the service has no address");
        const base = `http://127.0.0.1:${address.port}`;

        const start = performance.now();
        const cpu = process.cpuUsage();
        const { answer: posted } = await client.post(base, fx.auth.authorization);
        check(posted.status === 202, `POST /v1/batches answered ${posted.status}: ${posted.body}`);
        const postSeconds = since(start);
        const postCpuSeconds = cpuSince(cpu);
        check(posted.credentials === n && posted.batchId !== null, "the batch lost credentials");
        const batchId = posted.batchId;

        await waitFor(
          async () => {
            const batch = await fx.store.getBatch(batchId);
            check(batch?.status !== "failed", "anchoring failed");
            return batch?.status === "final" ? batch.status : undefined;
          },
          120_000,
          "the batch to be final",
        );
        const finalSeconds = since(start);

        const fetchCpu = process.cpuUsage();
        const { answer: report, seconds: fetchSeconds } = await client.fetch(sizes.csvFetch, FETCH_CONCURRENCY);
        const fetchCpuSeconds = cpuSince(fetchCpu);
        check(report.failure === null, report.failure ?? "");
        const wanted = sizes.csvFetch === "all" ? n : Math.min(n, sizes.csvFetch);
        check(report.fetched === wanted, `${report.fetched} of ${wanted} bundles fetched`);
        const total = since(start);

        const count = n.toLocaleString("en-US");
        const fetched = wanted === n ? "every bundle fetched" : `${wanted.toLocaleString("en-US")} bundles fetched`;
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
          rssRow("P4", `${count} credentials through the service (chain in the same process, client in another)`),
        ];
        return {
          rows,
          details: {
            credentials: n,
            csvBytes: rendered.csvBytes,
            postSeconds,
            anchorToFinalSeconds: finalSeconds - postSeconds,
            fetchSeconds,
            // CPU seconds (user + system) of this process (service, chain, commit threads) and of the
            // client: what the phases cost whatever else the shared machine was running.
            postCpuSeconds,
            fetchCpuSeconds,
            clientCpuSeconds: report.cpuSeconds,
            bundlesFetched: report.fetched,
            bundleBytesFetched: report.bytes,
            fetchConcurrency: FETCH_CONCURRENCY,
          },
        };
      } finally {
        await chain.send("evm_setIntervalMining", [0]);
        await chain.send("evm_setAutomine", [true]);
        await fx.close();
      }
    } finally {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
