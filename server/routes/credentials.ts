import type { FastifyPluginCallback } from "fastify";
import type { Bundle } from "../../src";
import { hideNames, loadBundle } from "../bundles";
import { HttpError, notFound } from "../errors";
import { queueRevocation } from "../revocations";
import { bundleBody } from "../schemas/bundle";
import { errors, idParams, revokeSchema } from "../schemas/common";
import { useStrictJson } from "./json-body";

const credentialRoutes: FastifyPluginCallback = (app, _options, done) => {
  useStrictJson(app);
  app.get(
    "/v1/credentials/:id/bundle",
    {
      config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
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
    async (request): Promise<Bundle> => {
      const { id } = request.params as { id: string };
      const { hide } = request.query as { hide?: string };
      return loadBundle(app, id, hideNames(hide));
    },
  );

  app.post(
    "/v1/credentials/:id/revoke",
    {
      onRequest: app.authenticate,
      schema: revokeSchema("Revoke one credential (on chain, by its digest: it then stays revoked under every root)"),
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { reason } = request.body as { reason: string };
      const credential = await app.store.getCredential(id);
      const batch = credential ? await app.store.getBatch(credential.batchId) : null;
      if (!credential || !batch) throw notFound(`credential ${id}`);
      if (batch.issuerId !== request.issuerId) {
        throw new HttpError(403, "forbidden", "this credential belongs to another issuer");
      }
      await queueRevocation(app, batch, credential, reason);
      return reply.status(202).send({ id, status: "revocation-queued" });
    },
  );
  done();
};

export default credentialRoutes;
