import type { FastifyInstance } from "fastify";
import { HttpError } from "./errors";
import type { BatchRecord, CredentialRecord } from "./store/types";

const conflict = (code: string, message: string) => new HttpError(409, code, message);

/**
 * Queues an on-chain revocation of a batch (`credential` null) or of one credential, after the
 * checks that would otherwise only fail on chain: anchored first, not revoked already, not queued twice.
 */
export async function queueRevocation(
  app: FastifyInstance,
  batch: BatchRecord,
  credential: CredentialRecord | null,
  reason: string,
): Promise<void> {
  if (batch.status === "revoked") throw conflict("already-revoked", "the batch is already revoked");
  if (batch.status !== "anchored" && batch.status !== "final") {
    throw conflict("not-anchored-yet", `the batch is ${batch.status}: only an anchored batch can be revoked`);
  }
  if (credential?.revokedReason) throw conflict("already-revoked", "the credential is already revoked");
  const kind = credential ? "revoke-credential" : "revoke-batch";
  const queued = (await app.store.opsOfBatch(batch.id)).some(
    (op) => op.kind === kind && op.credentialId === (credential?.id ?? null) && op.status !== "failed",
  );
  if (queued) throw conflict("already-requested", "this revocation is already on its way to the chain");
  await app.store.enqueueOp({
    kind,
    batchId: batch.id,
    credentialId: credential?.id ?? null,
    signer: app.chain.wallet.address,
    reason,
  });
  app.wakeWorker();
}
