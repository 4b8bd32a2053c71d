import { defineConfig } from "vitest/config";
import { ON_BOTH_DATABASES } from "./test/support/both-databases";
import { SlowestFirstSequencer } from "./test/support/sequencer";

/** Settings every project shares. */
const shared = {
  setupFiles: ["test/support/setup.ts"],
  // Hardhat's EDR runtime misbehaves in worker threads; forked processes are fine.
  pool: "forks",
  // Each worker process runs file after file, loading Hardhat, ethers, Fastify and the rest once
  // rather than once a file (that was a third of the suite's CPU). Files stay independent:
  // test/support/setup.ts evaluates this project's modules afresh for each file and puts back
  // timers, globals, env and spies after it; every local chain is a chain of its own
  // (deploy/local.ts), so no file sees another's blocks or clock.
  isolate: false,
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

export default defineConfig({
  test: {
    // Two test files at a time (vitest would run one on a 2-core machine): every test is hermetic
    // (its own chain, database, ports and temporary folders), and the suite's wall time halves.
    maxWorkers: 2,
    // The slowest files first, so both workers finish together (test/support/sequencer.ts).
    sequence: { sequencer: SlowestFirstSequencer },
    // Runs once per run, whichever projects run: compiles the contracts.
    globalSetup: ["test/support/global-setup.ts"],
    projects: [
      { test: { ...shared, name: "sqlite", include: ["test/**/*.test.ts"] } },
      {
        test: {
          ...shared,
          name: "postgres",
          include: ON_BOTH_DATABASES,
          globalSetup: ["test/support/postgres-setup.ts"],
          env: { CREDROOT_TEST_DB: "postgres" },
        },
      },
    ],
  },
});
