/**
 * `npm test`: the whole lint (`npm run lint`) and every test (`vitest run`, with the arguments
 * given: `npm test -- test/src` runs those files only, still after a full lint) side by side; fails
 * when either fails. The suite leaves about a fifth of two cores idle while its tests wait on
 * chains, timers and child processes: the lint fills it, rather than running alone first (73 s
 * of a 12-minute run). The tests print as they run; the lint's output follows them in one piece.
 */
import { runSideBySide } from "./lib/side-by-side";

async function main(): Promise<void> {
  process.exitCode = await runSideBySide(
    { name: "tests", command: ["npx", "vitest", "run", ...process.argv.slice(2)] },
    { name: "lint", command: ["npm", "run", "-s", "lint"] },
  );
}

void main();
