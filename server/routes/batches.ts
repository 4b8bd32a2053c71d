import { createHash } from "node:crypto";
import type { FastifyPluginCallback, FastifyReply } from "fastify";
import { type AnchorContext, type ErrorDetail, isCredrootError, newBatchId, proofOf } from "../../src";
import { columnOf, parseCredentialsCsv } from "../../src/node/csv";
import { HttpError, type HttpErrorDetail, notFound } from "../errors";
import { newCredentialId } from "../keys";
import { queueRevocation, signerMismatch } from "../revocations";
import { csvBody, envelopeCompiler, submitBody } from "../schemas/batch";
import { batchStatusSchema, errors, hex32, idParams, revokeSchema } from "../schemas/common";
import { StoreConflictError, StoreIssuedError } from "../store/errors";
import type { BatchRecord, BatchSummary } from "../store/types";
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

/**
 * `/3/learner/name` from prepareBatch → row 4 (rows count from 1, as the CLI counts them), field
 * /learner/name; from a CSV, the field is named by its column (`learner.name`) and `line` is the
 * line of the file the row starts on.
 */
function rowDetails(details: readonly ErrorDetail[], lines: readonly number[] | null): HttpErrorDetail[] {
  return details.map((d) => {
    const [, row, ...rest] = d.path.split("/");
    const index = Number(row);
    const line = lines?.[index];
    const pointer = `/${rest.join("/")}`;
    const message = isAwardingBody(pointer) ? `${AWARDING_BODY_GONE}: remove awardingBody` : d.message;
    const path = lines === null ? pointer : columnOf(pointer);
    return { path, message, row: index + 1, ...(line === undefined ? {} : { line }) };
  });
}

/** An `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID, say). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** What a submission's `Idempotency-Key` is compared on: the body as sent (CSV) or as parsed (JSON). */
function bodyDigest(body: unknown): string {
  const text = typeof body === "string" ? `text/csv\n${body}` : `application/json\n${JSON.stringify(body)}`;
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A credential `/id` twice in one upload: the rows, for a 409 naming both. */
function repeatedId(credentials: readonly { credential: Record<string, unknown> }[]): [number, number, string] | null {
  const seen = new Map<string, number>();
  for (const [index, { credential }] of credentials.entries()) {
    const id = credential.id;
    if (typeof id !== "string") continue;
    const first = seen.get(id);
    if (first !== undefined) return [first, index, id];
    seen.set(id, index);
  }
  return null;
}

const batchSummary = {
  type: "object",
  required: ["id", "createdAt", "count", "status", "revokedCredentials", "revoked"],
  properties: {
    id: { type: "string" },
    createdAt: { type: "string", description: "When the batch was submitted (ISO-8601 UTC)" },
    count: { type: "integer" },
    status: batchStatusSchema,
    root: hex32,
    txHash: { type: ["string", "null"] },
    revoked: { type: "boolean", description: "The whole batch is revoked" },
    revokedReason: { type: ["string", "null"] },
    revokedCredentials: { type: "integer", description: "Credentials of the batch revoked one by one" },
  },
} as const;

const batchList = {
  type: "object",
  required: ["batches", "total", "offset", "limit"],
  properties: {
    batches: { type: "array", items: batchSummary },
    total: { type: "integer", description: "How many batches the issuer has in all" },
    offset: { type: "integer" },
    limit: { type: "integer" },
  },
} as const;

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

  /** The 202 a submission got, again: the batch `key` stands for (its status as it is now). */
  const replay = async (reply: FastifyReply, batchId: string) => {
    const batch = await app.store.getBatch(batchId);
    if (!batch) throw notFound(`batch ${batchId}`);
    const rows = await app.store.listCredentials(batchId, 0, batch.count);
    return reply
      .status(202)
      .header("location", `/v1/batches/${batchId}`)
      .header("idempotent-replayed", "true")
      .send({
        id: batch.id,
        root: batch.root,
        count: batch.count,
        status: batch.status,
        credentials: rows.map((c) => ({ id: c.id, index: c.index, leaf: c.leaf })),
      });
  };
  const keyReused = (key: string) =>
    new HttpError(
      422,
      "idempotency-key-reused",
      `Idempotency-Key ${JSON.stringify(key)} was already used with a different body: ` +
        "send the same body to get that batch again, or a new key for a new batch; nothing was stored",
    );

  app.get(
    "/v1/batches",
    {
      onRequest: app.authenticate,
      schema: {
        summary: "Your batches, newest first (date, count, status, revocations)",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: {
            offset: { type: "integer", minimum: 0, default: 0 },
            limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: batchList, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { offset, limit } = request.query as { offset: number; limit: number };
      const [batches, total] = await Promise.all([
        app.store.listBatches(request.issuerId, offset, limit),
        app.store.countBatches(request.issuerId),
      ]);
      return { batches: batches.map(toSummary), total, offset, limit };
    },
  );

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
          "Every leaf commits to this service's chain, registry, your issuer id and the batch id, chosen here. " +
          "A credential `id` you already issued in an earlier batch (or twice in this one) is refused with 409 " +
          "`already-issued` naming the row and the batch that holds it. " +
          "Send an `Idempotency-Key` header (1–255 visible ASCII characters, e.g. a UUID) to retry safely: the same key " +
          "with the same body answers the same batch again (202, `Idempotent-Replayed: true`, its current status) and " +
          "stores nothing; the same key with another body is refused with 422 `idempotency-key-reused`. Keys are kept per issuer.",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        headers: {
          type: "object",
          properties: { "idempotency-key": { type: "string", pattern: "^[\\x21-\\x7e]{1,255}$" } },
        },
        body: {
          content: {
            "application/json": { schema: submitBody },
            "text/csv": { schema: csvBody },
          },
        },
        response: { 202: accepted, ...errors(400, 401, 403, 409, 413, 415, 422) },
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
      const idempotencyKey = request.headers["idempotency-key"];
      const idempotency =
        typeof idempotencyKey === "string" && IDEMPOTENCY_KEY.test(idempotencyKey)
          ? { key: idempotencyKey, digest: bodyDigest(request.body) }
          : undefined;
      if (idempotency) {
        const earlier = await app.store.getIdempotencyKey(request.issuerId, idempotency.key);
        if (earlier) {
          if (earlier.digest !== idempotency.digest) throw keyReused(idempotency.key);
          return replay(reply, earlier.batchId);
        }
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
      /** Row `index` of this upload as errors name it: counted from 1, as `rowDetails` does (and its CSV line). */
      const where = (index: number) => {
        const line = csv?.lines[index];
        return { row: index + 1, ...(line === undefined ? {} : { line }) };
      };
      const rowWords = (index: number) => {
        const line = csv?.lines[index];
        return `row ${index + 1}${line === undefined ? "" : ` (line ${line})`}`;
      };
      const twice = repeatedId(credentials);
      if (twice) {
        const [first, second, credentialId] = twice;
        throw new HttpError(
          409,
          "already-issued",
          `credential id ${credentialId} is in this upload twice (${rowWords(first)} and ${rowWords(second)}); nothing was stored`,
          [{ path: "/id", message: `also in ${rowWords(first)}`, ...where(second) }],
        );
      }
      const uri = typeof body === "string" ? "" : (body.uri ?? "");
      let stored;
      try {
        stored = await app.store.insertBatch(
          {
            id,
            issuerId: request.issuerId,
            root: batch.root,
            count: batch.count,
            uri,
            signer: app.chain.wallet.address,
            refuseIssuedIds: true,
            ...(idempotency ? { idempotency } : {}),
          },
          credentials,
        );
      } catch (error) {
        if (error instanceof StoreIssuedError) {
          const { credentialId, index, earlier } = error;
          const message = `credential id ${credentialId} was already issued in batch ${earlier.batchId} (its row ${earlier.index + 1})`;
          throw new HttpError(
            409,
            "already-issued",
            `${rowWords(index)}: ${message}: give this one a new id (revoke the earlier one if it was issued in error); nothing was stored`,
            [{ path: "/id", message, ...where(index) }],
          );
        }
        // A submission with the same key was stored meanwhile: answer as if it had come first.
        if (idempotency && error instanceof StoreConflictError && error.target === "idempotency-key") {
          const earlier = await app.store.getIdempotencyKey(request.issuerId, idempotency.key);
          if (earlier && earlier.digest !== idempotency.digest) throw keyReused(idempotency.key);
          if (earlier) return replay(reply, earlier.batchId);
        }
        throw error;
      }
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
