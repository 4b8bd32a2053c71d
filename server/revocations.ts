import type { FastifyInstance } from "fastify";
import type { ApiErrorCode } from "../src";
import { HttpError } from "./errors";
import type { BatchRecord, CredentialRecord } from "./store/types";

/** A 409 of a revocation: it is refused before anything is queued. */
const conflict = (code: ApiErrorCode, message: string) => new HttpError(code, message);

/** What the registry says the service's signer `address` signs for (`issuerOf`: 0 for none). */
export function signerMismatch(address: string, signerIssuer: number): string {
  return signerIssuer === 0
    ? `this service's signer ${address} signs for no issuer (it was removed, or never added)`
    : `this service's signer ${address} signs for issuer ${signerIssuer}`;
}

/**
 * Queues an on-chain revocation of a batch (`credential` null) or of one credential (the worker
 * sends `revokeCredential` with its stored digest), after the checks that would otherwise only
 * fail on chain: anchored first, not revoked already, not queued twice, and the service's signer
 * still signing for the batch's issuer — the registry revokes for the caller's issuer only, so
 * another signer's revocation would never reach this credential.
 * @throws HttpError 409 naming the check that failed; nothing is queued then.
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
  // Asked afresh (revocations are rare, and a removed signer must be refused at once); null: the
  // chain cannot be asked now, and the worker checks again before it sends.
  const signerIssuer = await app.chain.signerIssuerId({ fresh: true });
  if (signerIssuer !== null && signerIssuer !== batch.issuerId) {
    throw conflict(
      "wrong-signer",
      `${signerMismatch(app.chain.wallet.address, signerIssuer)}, not for issuer ${batch.issuerId}, ` +
        "so it cannot revoke this issuer's credentials: nothing was queued",
    );
  }
  await app.store.enqueueOp({
    kind,
    batchId: batch.id,
    credentialId: credential?.id ?? null,
    signer: app.chain.wallet.address,
    reason,
  });
  app.wakeWorker();
}
