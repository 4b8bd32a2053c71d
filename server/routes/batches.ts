import type { FastifyPluginCallback } from "fastify";
import { type AnchorContext, type ErrorDetail, isCredrootError, newBatchId, proofOf } from "../../src";
import { parseCredentialsCsv } from "../../src/csv";
import { HttpError, type HttpErrorDetail, notFound } from "../errors";
import { newCredentialId } from "../keys";
import { queueRevocation, signerMismatch } from "../revocations";
import { csvBody, envelopeCompiler, submitBody } from "../schemas/batch";
import { errors, hex32, idParams, revokeSchema } from "../schemas/common";
import type { BatchRecord } from "../store/types";
import { useStrictJson } from "./json-body";

const accepted = {
  type: "object",
  required: ["id", "root", "count", "status", "credentials"],
  properties: {
    id: { type: "string", description: "The batch id, a lowercase UUID: also its bytes16 id on chain" },
    root: hex32,
    count: { type: "integer" },
    status: { type: "string" },
    credentials: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "index", "leaf"],
        properties: { id: { type: "string" }, index: { type: "integer" }, leaf: hex32 },
      },
    },
  },
} as const;

/**
 * Format v1 credentials named their awarding body; v2 ones cannot (any issuer could award in any
 * institution's name): it is the issuer the registry records. Said plainly to whoever still sends it.
 */
const AWARDING_BODY_GONE =
  "the awarding body now comes from the registry (the name it records for your issuer), not from the credential";
const isAwardingBody = (path: string) => /^\/awardingBody(\/|$)/.test(path);

/** `/3/learner/name` from prepareBatch → row 3, field /learner/name (and its CSV line). */
function rowDetails(details: readonly ErrorDetail[], lines: readonly number[] | null): HttpErrorDetail[] {
  return details.map((d) => {
    const [, row, ...rest] = d.path.split("/");
    const index = Number(row);
    const line = lines?.[index];
    const path = `/${rest.join("/")}`;
    const message = isAwardingBody(path) ? `${AWARDING_BODY_GONE}: remove awardingBody` : d.message;
    return { path, message, row: index, ...(line === undefined ? {} : { line }) };
  });
}

const batchRoutes: FastifyPluginCallback = (app, _options, done) => {
  useStrictJson(app);
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, done) => {
    done(null, body);
  });

  const ownBatch = async (id: string, issuerId: number): Promise<BatchRecord> => {
    const batch = await app.store.getBatch(id);
    if (!batch) throw notFound(`batch ${id}`);
    if (batch.issuerId !== issuerId) throw new HttpError(403, "forbidden", "this batch belongs to another issuer");
    return batch;
  };

  app.post(
    "/v1/batches",
    {
      onRequest: app.authenticate,
      validatorCompiler: envelopeCompiler(app.validatorCompiler!),
      schema: {
        summary: "Submit a batch of credentials (JSON or CSV) for anchoring",
        description:
          "Every credential is validated first; if any is invalid the response lists each bad row and field and nothing is stored. " +
          "Send `application/json` `{ credentials: [...] }` or `text/csv` with one row per credential and columns named after the fields (`learner.name`; arrays joined with `|`). " +
          "Every leaf commits to this service's chain, registry, your issuer id and the batch id, chosen here.",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        body: {
          content: {
            "application/json": { schema: submitBody },
            "text/csv": { schema: csvBody },
          },
        },
        response: { 202: accepted, ...errors(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const signerIssuer = await app.chain.signerIssuerId();
      if (signerIssuer !== null && signerIssuer !== request.issuerId) {
        throw new HttpError(
          403,
          "forbidden",
          `${signerMismatch(app.chain.wallet.address, signerIssuer)}; issuer ${request.issuerId} cannot anchor through it`,
        );
      }
      const csv = typeof request.body === "string" ? parseCredentialsCsv(request.body) : null;
      const body = request.body as { credentials: unknown[]; uri?: string } | string;
      const inputs = csv ? csv.credentials : (body as { credentials: unknown[] }).credentials;
      // The id comes first: every leaf commits to it (and to the chain, registry and issuer).
      const id = newBatchId();
      const context: AnchorContext = {
        chainId: app.chain.chainId,
        registry: app.chain.registryAddress,
        issuerId: request.issuerId,
        batchId: id,
      };
      let batch;
      try {
        batch = await app.commitPool.prepare(inputs, context);
      } catch (error) {
        if (!isCredrootError(error, "INVALID_CREDENTIAL")) throw error;
        const details = rowDetails(error.details, csv?.lines ?? null);
        const old = details.some((d) => isAwardingBody(d.path)) ? ` (${AWARDING_BODY_GONE}: remove awardingBody)` : "";
        throw new HttpError(400, "invalid-credential", `${error.message}${old}; nothing was stored`, details);
      }
      const credentials = batch.credentials.map((c, index) => ({
        id: newCredentialId(),
        index,
        leaf: c.leaf,
        digest: c.digest,
        secret: c.secret,
        credential: c.credential,
        proof: proofOf(batch.tree, index),
      }));
      const uri = typeof body === "string" ? "" : (body.uri ?? "");
      const stored = await app.store.insertBatch(
        { id, issuerId: request.issuerId, root: batch.root, count: batch.count, uri, signer: app.chain.wallet.address },
        credentials,
      );
      app.wakeWorker();
      return reply
        .status(202)
        .header("location", `/v1/batches/${id}`)
        .send({
          id,
          root: stored.root,
          count: stored.count,
          status: stored.status,
          credentials: credentials.map((c) => ({ id: c.id, index: c.index, leaf: c.leaf })),
        });
    },
  );

  app.get(
    "/v1/batches/:id",
    {
      onRequest: app.authenticate,
      schema: {
        summary: "Status of a batch: pending | submitted | anchored | final | failed | revoked",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        params: idParams,
        response: { 200: { $ref: "Batch#" }, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => ownBatch((request.params as { id: string }).id, request.issuerId),
  );

  app.get(
    "/v1/batches/:id/credentials",
    {
      onRequest: app.authenticate,
      schema: {
        summary: "The credential ids of a batch (to hand each learner their bundle link)",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        params: idParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            offset: { type: "integer", minimum: 0, default: 0 },
            limit: { type: "integer", minimum: 1, maximum: 10_000, default: 1000 },
          },
        },
        response: {
          200: {
            type: "object",
            properties: {
              credentials: {
                type: "array",
                items: {
                  type: "object",
                  properties: {
                    id: { type: "string" },
                    index: { type: "integer" },
                    leaf: hex32,
                    digest: { ...hex32, description: "What the registry's revokeCredential takes" },
                    revoked: { type: "boolean" },
                  },
                },
              },
            },
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { id } = request.params as { id: string };
      const { offset, limit } = request.query as { offset: number; limit: number };
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
    {
      onRequest: app.authenticate,
      schema: revokeSchema("Revoke every credential of an anchored batch (on chain)"),
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { reason } = request.body as { reason: string };
      const batch = await ownBatch(id, request.issuerId);
      await queueRevocation(app, batch, null, reason);
      return reply.status(202).send({ id, status: "revocation-queued" });
    },
  );
  done();
};

export default batchRoutes;
