import { randomUUID } from "node:crypto";
import type { FastifyPluginCallback } from "fastify";
import { type ErrorDetail, isCredrootError, proofOf } from "../../src";
import { parseCredentialsCsv } from "../../src/csv";
import { HttpError, type HttpErrorDetail, notFound } from "../errors";
import { newCredentialId } from "../keys";
import { queueRevocation } from "../revocations";
import { errors, idParams, revokeSchema } from "../schemas/common";
import type { BatchRecord } from "../store/types";

const submitBody = {
  type: "object",
  additionalProperties: false,
  required: ["credentials"],
  properties: {
    credentials: { type: "array", minItems: 1, maxItems: 1_000_000, items: { type: "object" } },
    uri: {
      type: "string",
      maxLength: 2048,
      description: "Where you publish batch metadata (goes on chain in the event): never personal data.",
    },
  },
} as const;

const accepted = {
  type: "object",
  required: ["id", "root", "count", "status", "credentials"],
  properties: {
    id: { type: "string" },
    root: { type: "string" },
    count: { type: "integer" },
    status: { type: "string" },
    credentials: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "index", "leaf"],
        properties: { id: { type: "string" }, index: { type: "integer" }, leaf: { type: "string" } },
      },
    },
  },
} as const;

/** `/3/learner/name` from prepareBatch → row 3, field /learner/name (and its CSV line). */
function rowDetails(details: readonly ErrorDetail[], lines: readonly number[] | null): HttpErrorDetail[] {
  return details.map((d) => {
    const [, row, ...rest] = d.path.split("/");
    const index = Number(row);
    const line = lines?.[index];
    return { path: `/${rest.join("/")}`, message: d.message, row: index, ...(line === undefined ? {} : { line }) };
  });
}

const batchRoutes: FastifyPluginCallback = (app, _options, done) => {
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
      schema: {
        summary: "Submit a batch of credentials (JSON or CSV) for anchoring",
        description:
          "Every credential is validated first; if any is invalid the response lists each bad row and field and nothing is stored. " +
          "Send `application/json` `{ credentials: [...] }` or `text/csv` with one row per credential and columns named after the fields (`learner.name`; arrays joined with `|`).",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        body: {
          content: {
            "application/json": { schema: submitBody },
            "text/csv": {
              schema: {
                type: "string",
                minLength: 1,
                description: "Header row of field paths, then one row per credential",
              },
            },
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
          `this service signs for issuer ${signerIssuer}; issuer ${request.issuerId} cannot anchor through it`,
        );
      }
      const csv = typeof request.body === "string" ? parseCredentialsCsv(request.body) : null;
      const body = request.body as { credentials: unknown[]; uri?: string } | string;
      const inputs = csv ? csv.credentials : (body as { credentials: unknown[] }).credentials;
      let batch;
      try {
        batch = await app.commitPool.prepare(inputs);
      } catch (error) {
        if (!isCredrootError(error, "INVALID_CREDENTIAL")) throw error;
        const details = rowDetails(error.details, csv?.lines ?? null);
        throw new HttpError(400, "invalid-credential", `${error.message}; nothing was stored`, details);
      }
      const id = randomUUID();
      const credentials = batch.credentials.map((c, index) => ({
        id: newCredentialId(),
        index,
        leaf: c.leaf,
        fields: c.fields,
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
                    leaf: { type: "string" },
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
