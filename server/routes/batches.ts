import { HttpError, notFound } from "../errors";
import { issuerRoute } from "../rate-limits";
import { queueRevocation } from "../revocations";
import { batchCredentials, batchList } from "../schemas/batch";
import { errors, idParams, pageQuery, revokeSchema } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";
import type { BatchRecord, BatchSummary } from "../store/types";
import { submitRoute } from "./batch-submit";
import { useStrictJson } from "./json-body";

const toSummary = (b: BatchSummary) => ({
  id: b.id,
  createdAt: b.createdAt,
  count: b.count,
  status: b.status,
  root: b.root,
  txHash: b.txHash,
  revoked: b.status === "revoked",
  revokedReason: b.revokedReason,
  revokedCredentials: b.revokedCredentials,
});

/** An issuer's batches: submit (batch-submit.ts), list, status, credentials, revoke. */
const batchRoutes: RoutePlugin = (app, _options, done) => {
  useStrictJson(app);
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, done) => {
    done(null, body);
  });

  const ownBatch = async (id: string, issuerId: number): Promise<BatchRecord> => {
    const batch = await app.store.getBatch(id);
    if (!batch) throw notFound(`batch ${id}`);
    if (batch.issuerId !== issuerId) throw new HttpError("forbidden", "this batch belongs to another issuer");
    return batch;
  };

  app.get(
    "/v1/batches",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Your batches, newest first (date, count, status, revocations)",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        querystring: pageQuery(1000, 100),
        response: { 200: batchList, ...errors(400, 401, 403, 429) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const [batches, total] = await Promise.all([
        app.store.listBatches(request.issuerId, offset, limit),
        app.store.countBatches(request.issuerId),
      ]);
      return { batches: batches.map(toSummary), total, offset, limit };
    },
  );

  submitRoute(app);

  app.get(
    "/v1/batches/:id",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Status of a batch: pending | submitted | anchored | final | failed | revoked",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        params: idParams,
        response: { 200: { $ref: "Batch#" }, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => ownBatch(request.params.id, request.issuerId),
  );

  app.get(
    "/v1/batches/:id/credentials",
    {
      ...issuerRoute(app),
      schema: {
        summary: "The credential ids of a batch (to hand each learner their bundle link)",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        params: idParams,
        querystring: pageQuery(10_000, 1000),
        response: { 200: batchCredentials, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const { offset, limit } = request.query;
      const batch = await ownBatch(id, request.issuerId);
      const rows = await app.store.listCredentials(id, offset, limit);
      const batchRevoked = batch.status === "revoked";
      return {
        credentials: rows.map((c) => ({
          id: c.id,
          index: c.index,
          leaf: c.leaf,
          digest: c.digest,
          revoked: batchRevoked || c.revokedReason !== null,
        })),
      };
    },
  );

  app.post(
    "/v1/batches/:id/revoke",
    { ...issuerRoute(app), schema: revokeSchema("Revoke every credential of an anchored batch (on chain)") },
    async (request, reply) => {
      const { id } = request.params;
      const batch = await ownBatch(id, request.issuerId);
      await queueRevocation(app, batch, null, request.body.reason);
      return reply.status(202).send({ id, status: "revocation-queued" });
    },
  );
  done();
};

export default batchRoutes;
