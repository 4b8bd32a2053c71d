import type { Bundle } from "../../src";
import { hideNames, loadBundle, SerialisedBundles } from "../bundles";
import { HttpError, notFound } from "../errors";
import { issuerRoute, publicLimit } from "../rate-limits";
import { queueRevocation } from "../revocations";
import { bundleBody } from "../schemas/bundle";
import { batchStatusSchema, errors, hex32, idParams, revokeSchema } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";
import type { BatchRecord } from "../store/types";
import { useStrictJson } from "./json-body";

/** Most credentials one lookup answers. */
const LOOKUP_LIMIT = 100;

const lookupQuery = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    credentialId: {
      type: "string",
      minLength: 1,
      maxLength: 2048,
      description: "The credential's own `id` (its `/id`)",
    },
    learner: {
      type: "string",
      minLength: 1,
      maxLength: 2048,
      description: "The learner's identifier (`learner.identifier`)",
    },
    name: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "Part of the learner's name (`learner.name`), in any case",
    },
  },
} as const;

const foundCredential = {
  type: "object",
  required: ["id", "credentialId", "batchId", "index", "status", "revoked"],
  properties: {
    id: { type: "string", description: "The credential record's id (for /v1/credentials/{id}/…)" },
    credentialId: { type: ["string", "null"], description: "The credential's own `id`" },
    learner: { type: ["string", "null"], description: "Its `learner.identifier`" },
    learnerName: { type: ["string", "null"], description: "Its `learner.name`" },
    title: { type: ["string", "null"] },
    batchId: { type: "string" },
    index: { type: "integer", description: "Its index in the batch" },
    digest: { ...hex32, description: "What the registry's revokeCredential takes" },
    status: { ...batchStatusSchema, description: "The batch's status" },
    revoked: { type: "boolean", description: "Revoked, on its own or with its batch" },
    revokedReason: { type: ["string", "null"] },
  },
} as const;

const stringOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null);

const credentialRoutes: RoutePlugin = (app, _options, done) => {
  useStrictJson(app);
  const serialised = new SerialisedBundles();
  app.get(
    "/v1/credentials",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Find your credentials by their own id, learner identifier or learner name (to revoke one later)",
        description: `Give \`credentialId\`, \`learner\`, \`name\` (part of the learner's name, any case) or several (all must match). Only your own credentials, oldest batch first, at most ${LOOKUP_LIMIT}.`,
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        querystring: lookupQuery,
        response: {
          200: {
            type: "object",
            required: ["credentials"],
            properties: { credentials: { type: "array", items: foundCredential } },
          },
          ...errors(400, 401, 403, 429),
        },
      },
    },
    async (request) => {
      const found = await app.store.findCredentials(request.issuerId, request.query, LOOKUP_LIMIT);
      // Found through their batch's issuer: every batch exists.
      const batches = new Map<string, BatchRecord | null>();
      for (const c of found) if (!batches.has(c.batchId)) batches.set(c.batchId, await app.store.getBatch(c.batchId));
      return {
        credentials: found.map((c) => {
          const batch = batches.get(c.batchId) ?? null;
          const learner = c.credential.learner as { identifier?: unknown; name?: unknown } | undefined;
          const batchRevoked = batch?.status === "revoked";
          return {
            id: c.id,
            credentialId: stringOrNull(c.credential.id),
            learner: stringOrNull(learner?.identifier),
            learnerName: stringOrNull(learner?.name),
            title: stringOrNull(c.credential.title),
            batchId: c.batchId,
            index: c.index,
            digest: c.digest,
            status: batch?.status ?? "pending",
            revoked: batchRevoked || c.revokedReason !== null,
            revokedReason: c.revokedReason ?? (batch?.status === "revoked" ? batch.revokedReason : null),
          };
        }),
      };
    },
  );
  app.get(
    "/v1/credentials/:id/bundle",
    {
      config: { rateLimit: publicLimit(app.config) },
      schema: {
        summary: "A learner's proof bundle, version 2 (once the batch is anchored), optionally with fields hidden",
        description:
          "The id is unguessable: knowing it is what entitles you to the bundle. `hide` takes dotted field names or JSON Pointers (`learner.email,assessment.grade`).",
        tags: ["learner"],
        params: idParams,
        querystring: {
          type: "object",
          additionalProperties: false,
          properties: { hide: { type: "string", maxLength: 2048 } },
        },
        response: { 200: bundleBody, ...errors(400, 404, 409, 429) },
      },
    },
    async (request, reply): Promise<Bundle | string> => {
      const hide = hideNames(request.query.hide);
      if (hide.length > 0) return loadBundle(app, request.params.id, hide);
      // The route's own serialiser, once per bundle: the same bytes as an uncached answer.
      const text = await serialised.get(app, request.params.id, (bundle) => reply.serialize(bundle) as string);
      void reply.type("application/json; charset=utf-8");
      return text;
    },
  );

  app.post(
    "/v1/credentials/:id/revoke",
    {
      ...issuerRoute(app),
      schema: revokeSchema("Revoke one credential (on chain, by its digest: it then stays revoked under every root)"),
    },
    async (request, reply) => {
      const { id } = request.params;
      const credential = await app.store.getCredential(id);
      const batch = credential ? await app.store.getBatch(credential.batchId) : null;
      if (!credential || !batch) throw notFound(`credential ${id}`);
      if (batch.issuerId !== request.issuerId) {
        throw new HttpError("forbidden", "this credential belongs to another issuer");
      }
      await queueRevocation(app, batch, credential, request.body.reason);
      return reply.status(202).send({ id, status: "revocation-queued" });
    },
  );
  done();
};

export default credentialRoutes;
