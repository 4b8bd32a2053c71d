import { HttpError, notFound } from "../errors";
import { issuerRoute } from "../rate-limits";
import { errors } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";

/** The public part of an API key `crk_<id>_<secret>`. */
const keyParams = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: {
    id: { type: "string", pattern: "^[A-Za-z0-9_-]{16}$", description: "The key's id: `<id>` in `crk_<id>_<secret>`" },
  },
} as const;

const revokedKey = {
  type: "object",
  required: ["id", "revokedAt"],
  properties: {
    id: { type: "string" },
    revokedAt: { type: "string", description: "When it was first revoked (ISO-8601 UTC)" },
  },
} as const;

/** Issuer API keys: an issuer revokes its own (this very key, or another of its keys). */
const keyRoutes: RoutePlugin = (app, _options, done) => {
  app.delete(
    "/v1/keys/:id",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Revoke one of your API keys (this one or another of your issuer's)",
        description:
          "The id is the middle part of the key, `crk_<id>_<secret>`. From then on the key is refused (401). " +
          "Revoking a revoked key answers its first revocation time again. Another issuer's key: 403.",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        params: keyParams,
        response: { 200: revokedKey, ...errors(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { id } = request.params;
      const key = await app.store.getApiKey(id);
      if (!key) throw notFound(`API key ${id}`);
      if (key.issuerId !== request.issuerId) {
        throw new HttpError("forbidden", "this API key belongs to another issuer");
      }
      await app.store.revokeApiKey(id);
      const revoked = await app.store.getApiKey(id);
      request.log.info({ keyId: id, issuerId: key.issuerId }, "API key revoked");
      return { id, revokedAt: revoked?.revokedAt ?? "" };
    },
  );
  done();
};

export default keyRoutes;
