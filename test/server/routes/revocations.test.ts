import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { newBatchId, prepareBatch, proofOf } from "../../../src";
import { newCredentialId } from "../../../server/keys";
import { type ServiceFixture, startService } from "../../support/service";
import { closedPort, expectError } from "../helpers";

/** Not the address of any service here: no worker would pick the batch's anchor op up. */
const NOBODY = "0x000000000000000000000000000000000000dEaD";

/**
 * Stores, in `service`'s database, an anchored batch of the fixture's issuer (1) with one
 * credential, as `POST /v1/batches` and the worker would have left it.
 */
async function anchoredBatch(service: ServiceFixture): Promise<{ batchId: string; credentialId: string }> {
  const batchId = newBatchId();
  const context = { chainId: service.chain.chainId, registry: service.registry, issuerId: service.issuerId, batchId };
  const prepared = prepareBatch([sampleCredential(0)], context);
  const credentials = prepared.credentials.map((c, index) => ({
    id: newCredentialId(),
    index,
    leaf: c.leaf,
    digest: c.digest,
    secret: c.secret,
    credential: c.credential,
    proof: proofOf(prepared.tree, index),
  }));
  await service.store.insertBatch(
    { id: batchId, issuerId: service.issuerId, root: prepared.root, count: 1, uri: "", signer: NOBODY },
    credentials,
  );
  await service.store.setBatchStatus(batchId, "anchored");
  return { batchId, credentialId: credentials[0]!.id };
}

const revoke = (service: ServiceFixture, url: string) =>
  service.app.inject({ method: "POST", url, headers: service.auth, payload: { reason: "issued in error" } });

/**
 * Issue 11, point 6: the registry revokes for the caller's issuer only, so a revocation sent by a
 * signer of another issuer (or of none) never reaches the credential. It used to be answered 202
 * and fail silently in the worker; now it is refused up front and nothing is queued.
 */
describe("revocation routes, when the service's signer does not sign for the batch's issuer", () => {
  let fx: ServiceFixture;
  /** The service's key is account 2's, the signer of issuer 2; its API key is issuer 1's. */
  let otherIssuers: ServiceFixture;
  /** The service's key is account 3's, which signs for no issuer. */
  let nobodys: ServiceFixture;
  let otherIssuerId: number;

  beforeAll(async () => {
    fx = await startService({ worker: false });
    const signer = await fx.chain.signer(2);
    ({ issuerId: otherIssuerId } = await fx.accreditor.registerIssuer(
      "Other College",
      "https://other.test",
      signer.address,
    ));
    otherIssuers = await startService({
      registry: fx,
      worker: false,
      env: { ISSUER_PRIVATE_KEY: fx.chain.privateKey(2) },
    });
    nobodys = await startService({ registry: fx, worker: false, env: { ISSUER_PRIVATE_KEY: fx.chain.privateKey(3) } });
  });
  afterAll(async () => {
    await nobodys.close();
    await otherIssuers.close();
    await fx.close();
  });

  const cases = () =>
    [
      ["a signer of another issuer", otherIssuers, `signs for issuer ${otherIssuerId}, not for issuer 1`],
      ["a signer of no issuer", nobodys, "signs for no issuer (it was removed, or never added), not for issuer 1"],
    ] as const;

  it.each([0, 1])("refuses a batch revocation with 409 wrong-signer and queues nothing (case %i)", async (i) => {
    const [, service, says] = cases()[i]!;
    const { batchId } = await anchoredBatch(service);
    const body = expectError(await revoke(service, `/v1/batches/${batchId}/revoke`), 409, "wrong-signer");
    expect(body.message).toContain(says);
    expect(body.message).toContain(service.app.chain.wallet.address);
    expect(body.message).toContain("nothing was queued");
    expect((await service.store.opsOfBatch(batchId)).map((op) => op.kind)).toEqual(["anchor"]);
  });

  it.each([0, 1])("refuses a credential revocation with 409 wrong-signer and queues nothing (case %i)", async (i) => {
    const [, service, says] = cases()[i]!;
    const { batchId, credentialId } = await anchoredBatch(service);
    const res = await revoke(service, `/v1/credentials/${credentialId}/revoke`);
    expect(expectError(res, 409, "wrong-signer").message).toContain(says);
    expect((await service.store.opsOfBatch(batchId)).map((op) => op.kind)).toEqual(["anchor"]);
  });

  it("refuses a batch submission through a signer of no issuer with 403 saying so", async () => {
    const res = await nobodys.app.inject({
      method: "POST",
      url: "/v1/batches",
      headers: nobodys.auth,
      payload: { credentials: [sampleCredential(1)] },
    });
    expect(expectError(res, 403, "forbidden").message).toContain("signs for no issuer");
  });

  it("queues it (202) through a signer of the batch's issuer", async () => {
    const { batchId, credentialId } = await anchoredBatch(fx);
    expect((await revoke(fx, `/v1/credentials/${credentialId}/revoke`)).statusCode).toBe(202);
    expect((await revoke(fx, `/v1/batches/${batchId}/revoke`)).statusCode).toBe(202);
    const ops = await fx.store.opsOfBatch(batchId);
    expect(ops.map((op) => [op.kind, op.credentialId])).toEqual([
      ["anchor", null],
      ["revoke-credential", credentialId],
      ["revoke-batch", null],
    ]);
  });

  it("queues it (202) while the chain cannot be asked: the worker checks the signer before it sends", async () => {
    const down = await startService({
      registry: fx,
      worker: false,
      env: { RPC_URL: `http://127.0.0.1:${await closedPort()}` },
    });
    try {
      const { batchId } = await anchoredBatch(down);
      expect((await revoke(down, `/v1/batches/${batchId}/revoke`)).statusCode).toBe(202);
    } finally {
      await down.close();
    }
  });

  // Last: it removes the fixture's signer from its issuer.
  it("refuses it with 409 once the service's signer is removed from the batch's issuer on chain", async () => {
    const { batchId, credentialId } = await anchoredBatch(fx);
    await fx.accreditor.removeSigner(fx.issuerId, fx.app.chain.wallet.address);
    const batch = expectError(await revoke(fx, `/v1/batches/${batchId}/revoke`), 409, "wrong-signer");
    expect(batch.message).toContain("signs for no issuer");
    expectError(await revoke(fx, `/v1/credentials/${credentialId}/revoke`), 409, "wrong-signer");
    expect((await fx.store.opsOfBatch(batchId)).map((op) => op.kind)).toEqual(["anchor"]);
  });
});
