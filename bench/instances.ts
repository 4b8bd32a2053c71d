/**
 * P9: one service instance against two, both on one PostgreSQL database (issue 7). Each instance
 * is `server/main.ts` in a process of its own, as an operator runs it; autocannon spreads its
 * connections over the instances' URLs. Loopback only.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { sampleCredential } from "../scripts/lib/samples";
import { generateApiKey } from "../server/keys";
import { openStore } from "../server/store";
import type { Bundle } from "../src";
import { closedPort } from "../harness/net";
import { createDatabase, startPostgres } from "../harness/postgres";
import { type RegistryFixture, startRegistry } from "../harness/registry";
import { waitFor } from "../harness/service";
import { check, mean, section, spreadIds } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

const ROOT = resolve(__dirname, "..");

interface Instance {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `server/main.ts` on a free loopback port, quiet (no request logs), ready once /health answers. */
async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await closedPort();
  const output: string[] = [];
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`an instance exited: ${output.join("")}`);
      const res = await fetch(`${url}/health`).catch(() => undefined);
      return res?.ok === true ? true : undefined;
    },
    30_000,
    "an instance to listen",
  );
  return {
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The environment of an instance on the fixture's registry and database. */
function instanceEnv(registry: RegistryFixture, databaseUrl: string): Record<string, string> {
  return {
    RPC_URL: registry.chain.url,
    CHAIN_ID: String(registry.chain.chainId),
    REGISTRY_ADDRESS: registry.registry,
    ISSUER_PRIVATE_KEY: registry.chain.privateKey(1),
    DATABASE_URL: databaseUrl,
    FINALITY: "2",
    WORKER_INTERVAL_MS: "50",
    RATE_LIMIT_PER_MINUTE: "1000000000",
    // As for P5: the per-block answer cache on, as a busy public endpoint would run.
    VERIFY_CACHE_MS: "1000",
  };
}

interface LoadResult {
  rps: number;
  p99: number;
}

async function load(urls: string[], requests: autocannon.Request[], sizes: Sizes): Promise<LoadResult> {
  // autocannon spreads connections over the URLs: a multiple of their count keeps the spread even.
  const connections = Math.ceil(sizes.httpConnections / urls.length) * urls.length;
  // autocannon takes an array of URLs (lib/run.js, ofURL) though its type says one string.
  const url = urls as unknown as string;
  const result = await autocannon({ url, connections, duration: sizes.httpSeconds, workers: 1, requests });
  const failures = result.errors + result.timeouts + result.non2xx;
  check(failures === 0, `${failures} failed requests against ${urls.join(", ")} (${result.non2xx} non-2xx)`);
  check(result["2xx"] > 0, `no request answered against ${urls.join(", ")}`);
  return { rps: result["2xx"] / result.duration, p99: result.latency.p99 };
}

/** One then two instances, in ABBA order over the rounds, averaged. */
async function compare(
  sizes: Sizes,
  one: string[],
  two: string[],
  requests: autocannon.Request[],
): Promise<{ one: LoadResult; two: LoadResult; rounds: string }> {
  await load(one, requests, { ...sizes, httpSeconds: Math.min(1, sizes.httpSeconds) });
  await load(two, requests, { ...sizes, httpSeconds: Math.min(1, sizes.httpSeconds) });
  const runs = { one: [] as LoadResult[], two: [] as LoadResult[] };
  for (let round = 0; round < sizes.httpRounds; round++) {
    const order = round % 2 === 0 ? (["one", "two"] as const) : (["two", "one"] as const);
    for (const target of order) runs[target].push(await load(target === "one" ? one : two, requests, sizes));
  }
  const avg = (list: LoadResult[]): LoadResult => ({
    rps: mean(list.map((r) => r.rps)),
    p99: mean(list.map((r) => r.p99)),
  });
  const shown = (list: LoadResult[]) => list.map((r) => `${Math.round(r.rps)} req/s p99 ${r.p99} ms`).join("; ");
  return { one: avg(runs.one), two: avg(runs.two), rounds: `one: ${shown(runs.one)} | two: ${shown(runs.two)}` };
}

/**
 * P9: a batch issued through instance A; then `POST /v1/verify` and bundle fetches against A alone
 * and against A and B together (same PostgreSQL database, same chain).
 */
export async function benchInstances(sizes: Sizes): Promise<SectionResult> {
  return section("P9", sizes.mode, async () => {
    const pg = await startPostgres();
    const registry = await startRegistry();
    const instances: Instance[] = [];
    try {
      const databaseUrl = await createDatabase(pg.url);
      const store = openStore(databaseUrl);
      const key = generateApiKey();
      try {
        await store.migrate();
        await store.upsertIssuer({ id: registry.issuerId, name: "Bench University" });
        await store.createApiKey({ id: key.id, issuerId: registry.issuerId, digest: key.digest, label: "bench" });
      } finally {
        await store.close();
      }
      const env = instanceEnv(registry, databaseUrl);
      instances.push(await startInstance(env), await startInstance(env));
      const [a, b] = instances as [Instance, Instance];
      const auth = { authorization: `Bearer ${key.key}`, "content-type": "application/json" };
      const credentials = Array.from({ length: sizes.httpBatch }, (_, i) => sampleCredential(i));
      const posted = await fetch(`${a.url}/v1/batches`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ credentials }),
      });
      check(posted.status === 202, `POST /v1/batches answered ${posted.status}`);
      const batch = (await posted.json()) as { id: string; credentials: { id: string }[] };
      await waitFor(
        async () => {
          const res = await fetch(`${b.url}/v1/batches/${batch.id}`, { headers: auth });
          const { status } = (await res.json()) as { status: string };
          // The chain mines only on demand here, so the batch stays `anchored` (finality 2 needs blocks).
          return status === "anchored" || status === "final" ? status : undefined;
        },
        120_000,
        "the batch to be anchored",
      );
      const ids = spreadIds(batch.credentials, sizes.httpRotate);
      const bundles: Bundle[] = [];
      for (const id of ids) {
        const res = await fetch(`${b.url}/v1/credentials/${id}/bundle`);
        check(res.ok, `GET bundle answered ${res.status}`);
        bundles.push((await res.json()) as Bundle);
      }
      const verify = await compare(
        sizes,
        [a.url],
        [a.url, b.url],
        bundles.map((bundle) => ({
          method: "POST",
          path: "/v1/verify",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(bundle),
        })),
      );
      const fetches = await compare(
        sizes,
        [a.url],
        [a.url, b.url],
        ids.map((id) => ({ method: "GET", path: `/v1/credentials/${id}/bundle` })),
      );
      const row = (figure: string, result: { one: LoadResult; two: LoadResult }): Row => ({
        id: "P9",
        figure,
        measured: { value: result.two.rps, unit: "req/s" },
        baseline: { value: result.one.rps, unit: "req/s" },
        ratio: result.two.rps / result.one.rps,
        target: "report (two instances ÷ one)",
        met: null,
        note: `p99 ${result.one.p99} ms with one instance, ${result.two.p99} ms with two`,
      });
      const rows: Row[] = [
        row(`\`POST /v1/verify\`, two instances vs one (PostgreSQL, -c ${sizes.httpConnections}, loopback)`, verify),
        row(
          `\`GET /v1/credentials/:id/bundle\`, two instances vs one (PostgreSQL, -c ${sizes.httpConnections})`,
          fetches,
        ),
      ];
      return {
        rows,
        details: {
          batch: sizes.httpBatch,
          rotated: ids.length,
          verifyOneRps: verify.one.rps,
          verifyTwoRps: verify.two.rps,
          fetchOneRps: fetches.one.rps,
          fetchTwoRps: fetches.two.rps,
          verifyRounds: verify.rounds,
          fetchRounds: fetches.rounds,
        },
      };
    } finally {
      for (const instance of instances) await instance.stop();
      await registry.chain.close();
      await pg.stop();
    }
  });
}
