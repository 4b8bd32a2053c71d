/**
 * The server tests that touch the database run twice: on SQLite (project `sqlite`, with every
 * other test) and on PostgreSQL (project `postgres`). Their helpers pick the store by
 * `CREDROOT_TEST_DB` (test/support/db.ts); one PostgreSQL server serves the whole run, and each
 * test makes a database of its own on it.
 */
export const ON_BOTH_DATABASES = [
  "test/server/store.test.ts",
  "test/server/store/**/*.test.ts",
  "test/server/outbox.test.ts",
  "test/server/outbox/**/*.test.ts",
  "test/server/instances.test.ts",
  "test/server/routes/**/*.test.ts",
  "test/server/status-list*.test.ts",
];
