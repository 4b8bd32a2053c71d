/**
 * `npm run lint`: runs the `lint:*` scripts named on the command line side by side, as many at a
 * time as the machine has cores, and fails when any of them fails. Each check is one
 * single-threaded process (tsc, ESLint, Prettier…), so run one after another they leave every core
 * but one idle: on 2 cores, ESLint alone takes about as long as all the others together.
 *
 * Scripts start in the order given (put the longest first); each one's output is printed in one
 * piece when it ends, so two checks never interleave their lines.
 */
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";

/** What one script did. */
interface Outcome {
  name: string;
  code: number;
  seconds: number;
  output: string;
}

/** Runs `npm run -s <name>` with its output (stdout and stderr, in order) captured. */
function runScript(name: string): Promise<Outcome> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn("npm", ["run", "-s", name], {
      env: { ...process.env, FORCE_COLOR: "0" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => chunks.push(chunk));
    const finish = (code: number) => {
      const seconds = (performance.now() - started) / 1000;
      done({ name, code, seconds, output: Buffer.concat(chunks).toString("utf8") });
    };
    child.on("error", (error) => {
      chunks.push(Buffer.from(`${error.message}\n`));
      finish(1);
    });
    child.on("close", (code, signal) => finish(code ?? (signal === null ? 1 : 128)));
  });
}

/** Runs `names` at most `slots` at a time, in the order given; resolves once all have ended. */
async function runAll(names: readonly string[], slots: number): Promise<Outcome[]> {
  const queue = [...names];
  const outcomes: Outcome[] = [];
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const outcome = await runScript(name);
      const mark = outcome.code === 0 ? "ok" : `FAILED (exit ${outcome.code})`;
      process.stdout.write(`${outcome.output}${outcome.name}: ${mark}, ${outcome.seconds.toFixed(1)} s\n`);
      outcomes.push(outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, names.length) }, worker));
  return outcomes;
}

async function main(): Promise<void> {
  const names = process.argv.slice(2);
  if (names.length === 0) throw new Error("usage: tsx scripts/lint.ts <npm script>…");
  const failed = (await runAll(names, Math.max(1, availableParallelism()))).filter((o) => o.code !== 0);
  if (failed.length > 0) {
    console.error(`lint failed: ${failed.map((o) => o.name).join(", ")}`);
    process.exitCode = 1;
  }
}

void main();
