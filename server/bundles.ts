import type { FastifyInstance } from "fastify";
import { type Bundle, createBundle, discloseBundle, type Fields, type Hex32 } from "../src";
import { HttpError, notFound } from "./errors";

const OFFERED = new Set(["anchored", "final", "revoked"]);

/** `learner.email, assessment.grade` → `["learner.email", "assessment.grade"]`. */
export function hideNames(hide: string | undefined): string[] {
  return (hide ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The bundle of credential `id` with the named fields hidden.
 * @throws HttpError 404 for an unknown credential, 409 `not-anchored-yet` before its batch is
 * anchored; CredrootError `INVALID_ARGUMENT` (400) for a field that does not exist or must stay shown.
 */
export async function loadBundle(app: FastifyInstance, id: string, hide: readonly string[]): Promise<Bundle> {
  const credential = await app.store.getCredential(id);
  const batch = credential ? await app.store.getBatch(credential.batchId) : null;
  if (!credential || !batch) throw notFound(`credential ${id}`);
  if (!OFFERED.has(batch.status) || batch.txHash === null || batch.blockNumber === null) {
    throw new HttpError(
      409,
      "not-anchored-yet",
      `the batch is ${batch.status}; the bundle is offered once it is anchored`,
    );
  }
  const bundle = createBundle(
    { fields: credential.fields as Fields as Record<string, never>, leaf: credential.leaf as Hex32 },
    { path: credential.proof as Hex32[], root: batch.root as Hex32 },
    {
      chainId: app.chain.chainId,
      registry: app.chain.registryAddress,
      issuerId: batch.issuerId,
      txHash: batch.txHash as Hex32,
      blockNumber: batch.blockNumber,
    },
  );
  return hide.length > 0 ? discloseBundle(bundle, hide) : bundle;
}
