import { defineConfig } from "vitest/config";

/** Settings every project shares. */
const shared = {
  setupFiles: ["test/support/setup.ts"],
  // Hardhat's EDR runtime misbehaves in worker threads; forked processes are fine.
  pool: "forks",
  testTimeout: 60_000,
  hookTimeout: 120_000,
} as const;

/**
 * The server tests that touch the database run twice: on SQLite (project `sqlite`, with every
 * other test) and on PostgreSQL (project `postgres`). Their helpers pick the store by
 * `CREDROOT_TEST_DB` (test/support/db.ts); one PostgreSQL server serves the whole run, and each
 * test makes a database of its own on it.
 */
const ON_BOTH_DATABASES = [
  "test/server/store/**/*.test.ts",
  "test/server/worker.test.ts",
  "test/server/instances.test.ts",
  "test/server/routes/**/*.test.ts",
];

export default defineConfig({
  test: {
    // Two test files at a time (vitest would run one on a 2-core machine): every test is hermetic
    // (its own chain, database, ports and temporary folders), and the suite's wall time halves.
    maxWorkers: 2,
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
