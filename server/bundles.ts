import type { FastifyInstance } from "fastify";
import { type Bundle, createBundle, discloseBundle, type Hex32, type JsonValue } from "../src";
import { HttpError, notFound } from "./errors";
import type { BatchRecord, CredentialRecord } from "./store/types";

const OFFERED = new Set(["anchored", "final", "revoked"]);

/** `learner.email, assessment.grade` → `["learner.email", "assessment.grade"]`. */
export function hideNames(hide: string | undefined): string[] {
  return (hide ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * The full bundle of a stored credential: its secret and values, its path and its batch's root, and
 * where it is anchored (this service's chain and registry, the batch's issuer and id, `block`).
 */
export function bundleOfRecord(
  app: FastifyInstance,
  credential: CredentialRecord,
  batch: BatchRecord,
  block: number,
): Bundle {
  return createBundle(
    { secret: credential.secret, credential: credential.credential as { [key: string]: JsonValue } },
    { path: credential.proof as Hex32[], root: batch.root as Hex32 },
    {
      chainId: app.chain.chainId,
      registry: app.chain.registryAddress,
      issuerId: batch.issuerId,
      batchId: batch.id,
      block,
    },
  );
}

/**
 * The (version 2) bundle of credential `id` with the named fields hidden: its secret and values as
 * stored, its path and its batch's root, and where it is anchored — this service's chain and registry, the batch's
 * issuer and id (what its leaf commits to), and the block of the anchoring transaction.
 * @throws HttpError 404 for an unknown credential, 409 `not-anchored-yet` before its batch is
 * anchored; CredrootError `INVALID_ARGUMENT` (400) for a field that does not exist or must stay shown.
 */
export async function loadBundle(app: FastifyInstance, id: string, hide: readonly string[]): Promise<Bundle> {
  const credential = await app.store.getCredential(id);
  const batch = credential ? await app.store.getBatch(credential.batchId) : null;
  if (!credential || !batch) throw notFound(`credential ${id}`);
  if (!OFFERED.has(batch.status) || batch.blockNumber === null) {
    throw new HttpError("not-anchored-yet", `the batch is ${batch.status}; the bundle is offered once it is anchored`);
  }
  const bundle = bundleOfRecord(app, credential, batch, batch.blockNumber);
  return hide.length > 0 ? discloseBundle(bundle, hide) : bundle;
}
