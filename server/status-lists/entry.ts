import type { FastifyInstance } from "fastify";
import { type StatusListEntry, statusListEntry } from "../../src/standard/status-list-entry";
import { statusListUrl } from "../routes/status-lists";

/**
 * The `credentialStatus` a signed copy of credential `credentialId` carries: its bit in its issuer's
 * list at this service's URL; undefined for a credential that has none (unknown here).
 */
export async function credentialStatusOf(
  app: FastifyInstance,
  credentialId: string,
): Promise<StatusListEntry | undefined> {
  const entry = await app.store.getStatusEntry(credentialId);
  return entry === null ? undefined : statusListEntry(statusListUrl(app, entry.issuerId), entry.index);
}
