import { type ServiceFixture, type ServiceOptions, startService as startHarnessService } from "../../harness/service";
import { openTestStore } from "./db";

export * from "../../harness/service";

/** The harness's service, on a fresh database of the kind under test (SQLite or PostgreSQL: see ./db.ts). */
export async function startService(options: ServiceOptions = {}): Promise<ServiceFixture> {
  return startHarnessService({ ...options, store: options.store ?? (await openTestStore()) });
}
