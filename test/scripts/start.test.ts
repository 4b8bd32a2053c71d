import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { connect, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChildExit } from "../support/child-service";
import { closedPort } from "../../harness/net";
import { waitFor } from "../support/service";
import { within } from "../support/watch";

const ROOT = resolve(__dirname, "../..");

/** `npm start` (or its script, scripts/start.ts) in a child process of its own process group. */
interface StartRun {
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr, as it arrived. */
  text(): string;
  exited: Promise<ChildExit>;
  /** The base URL of the server, from the banner (rejects if it exits first). */
  base: Promise<string>;
  /** The embedded chain's URL, from the banner. */
  chainUrl(): string;
  /** Resolves once a line of its output matches `pattern`. */
  printed(pattern: RegExp): Promise<void>;
}

/** Ports the test holds open, as another program would. */
const held: Server[] = [];
const runs: StartRun[] = [];
let dir: string;
let dbCount = 0;

function hold(): Promise<number> {
  const server = createServer();
  held.push(server);
  return new Promise((done) => {
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      done(typeof address === "object" && address ? address.port : 0);
    });
  });
}

/**
 * Runs `node --import tsx scripts/start.ts` (`npm: true`: `npm run start`, which has no pre-scripts
 * to skip) with a database of its own, an ephemeral PORT and a free CHAIN_PORT.
 */
async function start(env: Record<string, string> = {}, options: { npm?: boolean } = {}): Promise<StartRun> {
  const command = options.npm
    ? ["npm", ["run", "start", "--ignore-scripts", "--silent"]]
    : [process.execPath, ["--import", "tsx", "scripts/start.ts"]];
  const child = spawn(command[0] as string, command[1] as string[], {
    cwd: ROOT,
    detached: true, // a process group of its own: what a terminal's Ctrl-C reaches, and what cleanup kills
    env: {
      ...process.env,
      PORT: "0",
      CHAIN_PORT: String(await closedPort()),
      DATABASE_URL: `file:${join(dir, `start-${++dbCount}.db`)}`,
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const watchers: { pattern: RegExp; done: () => void }[] = [];
  const exited = new Promise<ChildExit>((done) => child.once("exit", (code, signal) => done({ code, signal })));
  const onData = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    for (const w of watchers.filter((x) => x.pattern.test(output))) {
      watchers.splice(watchers.indexOf(w), 1);
      w.done();
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const printed = (pattern: RegExp) =>
    new Promise<void>((done) => {
      if (pattern.test(output)) done();
      else watchers.push({ pattern, done });
    });
  const base = Promise.race([
    printed(/API docs +http:\/\/\S+\/docs/).then(() => /API docs +(http:\/\/\S+)\/docs/.exec(output)![1]!),
    exited.then(({ code, signal }) => {
      throw new Error(`npm start exited (code ${code}, signal ${signal}):\n${output}`);
    }),
  ]);
  base.catch(() => undefined);
  const run: StartRun = {
    child,
    text: () => output,
    exited,
    base,
    chainUrl: () => /embedded chain (http:\/\/[\d.:]+),/.exec(output)![1]!,
    printed,
  };
  runs.push(run);
  return run;
}

/** Whether something accepts connections on `url`'s port of 127.0.0.1. */
function listening(url: string): Promise<boolean> {
  const port = Number(new URL(url).port);
  return new Promise((done) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

/** The demo bundle, once its batch is anchored (409 until then). */
async function demoBundle(run: StartRun): Promise<unknown> {
  const base = await run.base;
  const url = /demo bundle +(http:\/\/\S+)/.exec(run.text())![1]!;
  expect(url.startsWith(base)).toBe(true);
  return waitFor(
    async () => {
      const response = await fetch(url);
      return response.status === 200 ? ((await response.json()) as unknown) : undefined;
    },
    15_000,
    "the demo bundle",
  );
}

describe("npm start: starting and stopping (issue 15, points 1–5)", () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "credroot-start-"));
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) {
      // The whole group, even when its leader has exited: what an orphaned child would be left in.
      try {
        process.kill(-run.child.pid!, "SIGKILL");
      } catch {
        // nothing left
      }
      await run.exited;
    }
    for (const server of held.splice(0)) await new Promise((done) => server.close(done));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts its chain on a free port when CHAIN_PORT is taken, and SIGTERM stops the server and the chain: exit 0", async () => {
    const taken = await hold();
    const run = await start({ CHAIN_PORT: String(taken) });
    const base = await within(run.base, 20_000, "the banner");
    const chainUrl = run.chainUrl();
    expect(Number(new URL(chainUrl).port)).not.toBe(taken);
    expect(await listening(chainUrl)).toBe(true);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    run.child.kill("SIGTERM");
    expect(await within(run.exited, 10_000, "exit after SIGTERM")).toEqual({ code: 0, signal: null });
    expect([await listening(base), await listening(chainUrl)]).toEqual([false, false]);
  }, 40_000);

  it("SIGTERM to the npm process, and Ctrl-C (SIGINT to the process group), leave no server or chain behind", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const run = await start({}, { npm: true });
      const base = await within(run.base, 25_000, "the banner");
      const chainUrl = run.chainUrl();
      if (signal === "SIGTERM") run.child.kill("SIGTERM");
      else process.kill(-run.child.pid!, "SIGINT");
      await within(run.exited, 10_000, `npm's exit after ${signal}`);
      await waitFor(
        async () => ((await listening(base)) || (await listening(chainUrl)) ? undefined : true),
        5_000,
        `server and chain gone after ${signal}`,
      );
    }
  }, 60_000);

  it("with PORT taken it prints one line naming PORT, stops its chain and exits 1 within seconds", async () => {
    const port = await hold();
    const chainPort = await closedPort();
    const run = await start({ PORT: String(port), CHAIN_PORT: String(chainPort) });
    const exit = await within(run.exited, 20_000, "exit with PORT taken");
    expect(exit, run.text()).toEqual({ code: 1, signal: null });
    const lines = run
      .text()
      .split("\n")
      .filter((line) => line.startsWith("credroot could not start"));
    expect(lines).toEqual([
      `credroot could not start: port ${port} on 127.0.0.1 is in use: set PORT to a free one (e.g. PORT=3001)`,
    ]);
    expect(await listening(`http://127.0.0.1:${chainPort}`)).toBe(false);
  }, 40_000);

  it("SIGTERM with a keep-alive request in flight: the request completes and the process exits 0 at once", async () => {
    const run = await start();
    const base = await within(run.base, 20_000, "the banner");
    const body = Buffer.from(JSON.stringify(await demoBundle(run)));
    const agent = new Agent({ keepAlive: true });
    try {
      const answered = new Promise<{ status: number; verdict: string }>((done, fail) => {
        const req = request(
          `${base}/v1/verify`,
          { method: "POST", agent, headers: { "content-type": "application/json", "content-length": body.length } },
          (res) => {
            let text = "";
            res.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
            res.on("end", () =>
              done({ status: res.statusCode ?? 0, verdict: (JSON.parse(text) as { verdict: string }).verdict }),
            );
          },
        );
        req.on("error", fail);
        req.write(body.subarray(0, 10)); // the request is in flight: its body not yet complete
        void run.printed(/"url":"\/v1\/verify"[^\n]*"msg":"incoming request"/).then(async () => {
          run.child.kill("SIGTERM");
          await run.printed(/"msg":"shutting down"/);
          req.end(body.subarray(10));
        });
      });
      expect(await within(answered, 10_000, "the in-flight answer")).toEqual({ status: 200, verdict: "valid" });
      const answeredAt = Date.now();
      expect(await within(run.exited, 10_000, "exit after SIGTERM")).toEqual({ code: 0, signal: null });
      expect(Date.now() - answeredAt).toBeLessThan(3_000);
    } finally {
      agent.destroy();
    }
  }, 40_000);

  it("signs the demo credential out of the box: the demo issuer's DID is recorded on the embedded chain", async () => {
    const run = await start();
    const base = await within(run.base, 20_000, "the banner");
    await demoBundle(run);
    const did = /issuer DID +(did:key:z6Mk\w+)/.exec(run.text())?.[1];
    const answer = (await (await fetch(`${base}/v1/issuers/1/did`)).json()) as { did: string; registered: boolean };
    expect(answer).toMatchObject({ did, registered: true });
    const url = /signed badge +(http:\/\/\S+)/.exec(run.text())![1]!;
    const response = await fetch(url);
    const badge = (await response.json()) as { issuer: { id: string }; proof: unknown[] };
    expect([response.status, badge.issuer.id, badge.proof.length]).toEqual([200, did, 1]);
  }, 60_000);

  it("after a restart, a bundle of the earlier run is not-anchored, and the verdict says the embedded chain started empty", async () => {
    const first = await start();
    await within(first.base, 20_000, "the banner");
    const bundle = await demoBundle(first);
    first.child.kill("SIGTERM");
    expect(await first.exited).toEqual({ code: 0, signal: null });

    const second = await start();
    const base = await within(second.base, 20_000, "the banner");
    expect(second.text()).toContain("it starts empty at each npm start, so bundles from an earlier");
    const response = await fetch(`${base}/v1/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bundle),
    });
    const verdict = (await response.json()) as { verdict: string; checks: { name: string; message: string }[] };
    expect(verdict.verdict).toBe("not-anchored");
    expect(verdict.checks.find((c) => c.name === "anchor")?.message).toMatch(
      /has not anchored this root as batch \S+ on this registry: the embedded chain of `npm start` starts empty at each start, so a bundle issued by an earlier run is not on it/,
    );
    const presentation = await fetch(`${base}/v1/verify/presentation`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ type: "credroot/presentation", version: 2, bundles: [bundle] }),
    });
    const presented = await presentation.text();
    expect([presentation.status, presented.includes("starts empty at each start")], presented).toEqual([200, true]);
    // The web page computes its own verdict: its trust settings tell it the chain is ephemeral.
    const config = (await (await fetch(`${base}/config.json`)).json()) as { chains: { ephemeral?: boolean }[] };
    expect(config.chains.map((c) => c.ephemeral)).toEqual([true]);
  }, 60_000);
});
