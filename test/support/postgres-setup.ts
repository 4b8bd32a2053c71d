import type { TestProject } from "vitest/node";
import { startPostgres } from "../../harness/postgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** The superuser URL of the test run's PostgreSQL server (project `postgres` only). */
    postgresUrl: string;
  }
}

/** Starts one PostgreSQL server for the whole run of project `postgres`; each test makes its own database on it. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startPostgres();
  project.provide("postgresUrl", server.url);
  return () => server.stop();
}
