import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The `credroot-*` folders of the system temp folder created since `since` (ms). */
function leftovers(since: number): string[] {
  return readdirSync(tmpdir())
    .filter((name) => name.startsWith("credroot-"))
    .filter((name) => {
      try {
        return statSync(join(tmpdir(), name)).birthtimeMs >= since;
      } catch {
        return false;
      }
    });
}

/**
 * Compiles the contracts once, before any test file runs (offline: see hardhat.config.ts); after
 * the run, names the temporary folders tests left behind (each test removes what it makes).
 */
export default function setup(): () => void {
  const started = Date.now();
  execFileSync(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "compile", "--quiet"], {
    stdio: "inherit",
  });
  return () => {
    const left = leftovers(started);
    if (left.length > 0) {
      console.warn(`tests left ${left.length} temporary folders in ${tmpdir()}: ${left.slice(0, 5).join(", ")}…`);
    }
  };
}
