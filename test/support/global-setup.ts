import { execFileSync } from "node:child_process";

/** Compiles the contracts once, before any test file runs (offline: see hardhat.config.ts). */
export default function setup(): void {
  execFileSync(process.execPath, [require.resolve("hardhat/internal/cli/cli"), "compile", "--quiet"], {
    stdio: "inherit",
  });
}
