/**
 * What the store tests (test/server/store/*.test.ts) share: a fresh, migrated store per test with
 * issuer 1 in it ({@link useStore}), on SQLite or PostgreSQL as the vitest project says
 * (test/support/db.ts), and builders of batches and credentials.
 */
import { afterEach, beforeEach, expect, vi } from "vitest";
import type { NewBatch, NewCredential, OpStatus, Store } from "../../../server/store/types";
import { type TestDatabase, testDatabase } from "../../support/db";

export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
/** Matches an ISO-8601 UTC timestamp (typed `unknown`: vitest's asymmetric matchers are `any`). */
export const anIsoTime: unknown = expect.stringMatching(ISO_UTC);
export const aNumber: unknown = expect.any(Number);
export const SIGNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
export const ALL_STATUSES: readonly OpStatus[] = ["queued", "signed", "sent", "mined", "final", "failed"];

/** A 32-byte hex string derived from `label`, e.g. a root or a leaf. */
export function hex32(label: string): string {
  return `0x${Buffer.from(label).toString("hex").padEnd(64, "0").slice(0, 64)}`;
}

/** `count` credentials of batch `batchId`, ids `<batchId>-c<index>`. */
export function credentialsFor(batchId: string, count: number): NewCredential[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `${batchId}-c${index}`,
    index,
    leaf: hex32(`${batchId}/leaf/${index}`),
    digest: hex32(`${batchId}/digest/${index}`),
    secret: Buffer.from(`secret/${index}`.padEnd(16, ".")).toString("base64url"),
    credential: { name: `Learner ${index}`, workload: { ects: 5 }, skills: ["a", "b"] },
    proof: [hex32(`${batchId}/p0/${index}`), hex32(`${batchId}/p1/${index}`)],
  }));
}

export function newBatch(id: string, count: number, overrides: Partial<NewBatch> = {}): NewBatch {
  return { id, issuerId: 1, root: hex32(`${id}/root`), count, uri: `ipfs://${id}`, signer: SIGNER, ...overrides };
}

// The same contract on SQLite and PostgreSQL: the vitest project says which (test/support/db.ts).
export let db: TestDatabase;
export let store: Store;

/** Rows of `table`, counted through a second connection: what is committed, not what one connection sees. */
export const countRows = (table: string): Promise<number> => db.count(table);

/** A violated CHECK constraint, in either dialect's words. */
export const CHECK_VIOLATION = /check constraint/i;

/** Opens a fresh, migrated store with issuer 1 before each of the calling file's tests, and disposes of it after. */
export function useStore(): void {
  beforeEach(async () => {
    db = await testDatabase();
    store = db.open();
    await store.migrate();
    await store.upsertIssuer({ id: 1, name: "Open University" });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    await db.dispose();
  });
}
