import { type ChildProcess, spawn } from "node:child_process";
import { resolve } from "node:path";

const ROOT = resolve(__dirname, "../..");
const LISTENING = /^Server listening at (http:\/\/\S+)$/;

/** `server/main.ts` running in a child process, as an operator runs it. */
export interface ChildService {
  /** Base URL the child logged (`"msg":"Server listening at …"`). */
  url: string;
  child: ChildProcess;
  /** Every line the child wrote (JSON log lines on stdout, anything on stderr). */
  output: string[];
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `node --import tsx server/main.ts` with `env` added to this process's environment
 * (RPC_URL, DATABASE_URL, PORT=0, …) and resolves once it logs its listening address.
 * @throws Error when it exits or stays silent for `timeoutMs` first (its output in the message).
 */
export function spawnService(env: Record<string, string>, timeoutMs = 30_000): Promise<ChildService> {
  const child = spawn(process.execPath, ["--import", "tsx", "server/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once("exit", (code, signal) => done({ code, signal }));
  });
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    return exited;
  };
  return new Promise((resolveStart, rejectStart) => {
    let started = false;
    const fail = (why: string) => {
      if (started) return;
      clearTimeout(timer);
      void stop("SIGKILL");
      rejectStart(new Error(`${why}; its output:\n${output.join("\n")}`));
    };
    const timer = setTimeout(() => fail(`the service did not listen within ${timeoutMs} ms`), timeoutMs);
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        const msg = parseMessage(line);
        const match = msg === undefined ? null : LISTENING.exec(msg);
        if (match && !started) {
          started = true;
          clearTimeout(timer);
          resolveStart({ url: match[1]!, child, output, stop });
        }
      }
    });
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString("utf8")));
    void exited.then(({ code, signal }) => fail(`the service exited (code ${code}, signal ${signal})`));
  });
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
