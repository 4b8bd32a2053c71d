import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/setup.ts"],
    // Hardhat's EDR runtime misbehaves in worker threads; forked processes are fine.
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
