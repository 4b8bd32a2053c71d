import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const LISTENING = /^Server listening at (http:\/\/\S+)$/;

/** How a child process ended. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `server/main.ts` running in a child process, as an operator runs it. */
export interface ChildService {
  /** Base URL the child logged (`"msg":"Server listening at …"`). */
  url: string;
  child: ChildProcess;
  /** Every line the child wrote (JSON log lines on stdout, anything on stderr). */
  output: string[];
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<ChildExit>;
}

/** A child started by {@link launchService}, whether or not it ever listens. */
export interface LaunchedService extends Omit<ChildService, "url"> {
  /** Resolves when the process has exited (however: a crash test's child may kill itself). */
  exited: Promise<ChildExit>;
  /** Resolves with the base URL once it logs its listening address; rejects if it exits first. */
  listening: Promise<string>;
  /** Resolves with the first log line whose `msg` is `msg` (e.g. "shutting down"); never rejects. */
  logged(msg: string): Promise<string>;
}

/**
 * Starts `node --import tsx server/main.ts` with `env` added to this process's environment
 * (RPC_URL, DATABASE_URL, PORT=0, …) and returns at once: for children that may die before they
 * listen (`CREDROOT_FAULT=crash-after-sign` with a signed transaction waiting in the database).
 */
export function launchService(env: Record<string, string>): LaunchedService {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const waiting: { msg: string; done: (line: string) => void }[] = [];
  const exited = new Promise<ChildExit>((done) => {
    child.once("exit", (code, signal) => done({ code, signal }));
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  const logged = (msg: string) =>
    new Promise<string>((done) => {
      const line = output.find((l) => parseMessage(l) === msg);
      if (line === undefined) waiting.push({ msg, done });
      else done(line);
    });
  const listening = new Promise<string>((resolveUrl, rejectUrl) => {
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        const msg = parseMessage(line);
        if (msg === undefined) continue;
        const match = LISTENING.exec(msg);
        if (match) resolveUrl(match[1]!);
        for (const w of waiting.filter((x) => x.msg === msg)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.done(line);
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    void exited.then(({ code, signal }) => {
      rejectUrl(new Error(`the service exited (code ${code}, signal ${signal}); its output:\n${output.join("\n")}`));
    });
  });
  listening.catch(() => undefined); // a crash test may never ask
  return { child, output, exited, listening, logged, stop };
}

/**
 * Starts `node --import tsx server/main.ts` with `env` added to this process's environment
 * (RPC_URL, DATABASE_URL, PORT=0, …) and resolves once it logs its listening address.
 * @throws Error when it exits or stays silent for `timeoutMs` first (its output in the message).
 */
export async function spawnService(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildService> {
  const launched = launchService(env);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const silent = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new Error(`the service did not listen within ${timeoutMs} ms; its output:\n${launched.output.join("\n")}`),
      );
    }, timeoutMs);
  });
  try {
    const url = await Promise.race([launched.listening, silent]);
    return { url, child: launched.child, output: launched.output, stop: launched.stop };
  } catch (error) {
    await launched.stop("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function parseMessage(line: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === "object" && parsed !== null && "msg" in parsed && typeof parsed.msg === "string"
      ? parsed.msg
      : undefined;
  } catch {
    return undefined;
  }
}
