/**
 * What `npm run build` makes, and how the start scripts tell whether it is there and current: the
 * contracts' artifacts (`artifacts/`, which only the embedded chain of `npm start` and the
 * deployment tooling read) and the web verifier page (`web/dist`, which the service serves).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildWeb, WEB_DIST, WEB_FILES } from "../../server/web/build";

const ROOT = resolve(__dirname, "../..");

/** What the page's bundle is made of (the library and ethers included): a build older than any is stale. */
export const WEB_INPUTS: readonly string[] = [
  "web/src",
  "web/index.html",
  "web/style.css",
  "web/console.html",
  "web/console.css",
  "src",
  "server/web",
  "package-lock.json",
].map((path) => join(ROOT, path));

/** Whether the web page is built (`missing`), and if so whether its sources changed since (`stale`). */
export type WebBuildState = "missing" | "stale" | "current";

/** The latest modification under `path` (a folder's own time counts: it changes when a file goes). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/**
 * Compares the build in `dist` with its sources by modification time (a fresh clone's files all
 * date from the checkout, before `npm ci` builds).
 * @example
 * if (webBuildState() === "missing") console.error("run `npm run build`");
 */
export function webBuildState(dist: string = WEB_DIST, inputs: readonly string[] = WEB_INPUTS): WebBuildState {
  const files = WEB_FILES.map((file) => join(dist, file));
  if (!files.every((file) => existsSync(file))) return "missing";
  const built = Math.min(...files.map((file) => statSync(file).mtimeMs));
  return inputs.some((input) => newest(input) > built) ? "stale" : "current";
}

/**
 * Builds `dist` (default `web/dist`) when it is missing or older than `inputs`, saying so in one
 * line; a current build is left alone.
 * @returns whether it built
 */
export async function ensureWebBuild(
  say: (line: string) => void,
  { dist = WEB_DIST, inputs = WEB_INPUTS }: { dist?: string; inputs?: readonly string[] } = {},
): Promise<boolean> {
  const state = webBuildState(dist, inputs);
  if (state === "current") return false;
  say(`${state === "missing" ? "building" : "rebuilding (its sources changed)"} the web verifier page in ${dist}…`);
  await buildWeb({ outDir: dist });
  return true;
}

/** Whether Hardhat is installed: not after `npm ci --omit=dev`, which is enough to run the service. */
export function hardhatInstalled(): boolean {
  try {
    require.resolve("hardhat");
    return true;
  } catch {
    return false;
  }
}

/**
 * Compiles the contracts into `artifacts/` with Hardhat in this process (so no telemetry prompt);
 * Hardhat's cache skips sources that have not changed, so a current build costs well under a second.
 */
export async function compileContracts(): Promise<void> {
  const { default: hre } = await import("hardhat");
  const { TASK_COMPILE } = await import("hardhat/builtin-tasks/task-names");
  await hre.run(TASK_COMPILE, { quiet: true });
}
