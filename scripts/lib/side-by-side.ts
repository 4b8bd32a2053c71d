/**
 * Two commands at once: one whose output is shown as it comes (the tests), one whose output is held
 * and printed in one piece after the first ends (the lint), so that it never cuts into the first's
 * lines. See scripts/test.ts.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";

/** A command and its arguments. */
export type Command = readonly [string, ...string[]];

/** How a command ended: its exit code (128 + n for signal n, 1 when it could not start). */
export interface Ended {
  code: number;
  seconds: number;
}

/** Runs `command`, its output inherited, or captured into `captured` (stdout and stderr in order). */
function run([command, ...args]: Command, captured?: Buffer[]): Promise<Ended> {
  const started = performance.now();
  return new Promise((done) => {
    const child = spawn(command, args, { stdio: captured ? ["ignore", "pipe", "pipe"] : "inherit" });
    child.stdout?.on("data", (chunk: Buffer) => captured?.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => captured?.push(chunk));
    const finish = (code: number) => done({ code, seconds: (performance.now() - started) / 1000 });
    child.on("error", (error) => {
      const line = `${command}: ${error.message}\n`;
      if (captured) captured.push(Buffer.from(line));
      else process.stderr.write(line);
      finish(1);
    });
    child.on("close", (code, signal) => finish(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/** `name: ok, 12 s` or `name: FAILED (exit 1), 12 s`. */
export function summaryLine(name: string, ended: Ended): string {
  return `${name}: ${ended.code === 0 ? "ok" : `FAILED (exit ${ended.code})`}, ${ended.seconds.toFixed(0)} s`;
}

/**
 * Runs `shown` and `held` side by side; once `shown` has ended, writes `held`'s output to `out`,
 * then one summary line each. Resolves to 0 when both exited 0, else 1.
 */
export async function runSideBySide(
  shown: { name: string; command: Command },
  held: { name: string; command: Command },
  out: (text: string) => void = (text) => process.stdout.write(text),
): Promise<number> {
  const heldOutput: Buffer[] = [];
  const heldEnded = run(held.command, heldOutput);
  const shownEnded = await run(shown.command);
  const heldResult = await heldEnded;
  out(`\n${Buffer.concat(heldOutput).toString("utf8")}`);
  out(`${summaryLine(held.name, heldResult)}\n${summaryLine(shown.name, shownEnded)}\n`);
  return heldResult.code === 0 && shownEnded.code === 0 ? 0 : 1;
}
