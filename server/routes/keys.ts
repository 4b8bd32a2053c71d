import { HttpError, notFound } from "../errors";
import { generateApiKey } from "../keys";
import { issuerRoute } from "../rate-limits";
import { errors } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";
import { useStrictJson } from "./json-body";

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

const keyInfo = {
  type: "object",
  required: ["id", "name", "createdAt", "revokedAt"],
  properties: {
    id: { type: "string", description: "The key's id: `<id>` in `crk_<id>_<secret>`" },
    name: { type: "string", description: "What the key is for, as its creator named it" },
    createdAt: { type: "string" },
    revokedAt: { type: ["string", "null"] },
  },
} as const;

const newKeyBody = {
  type: "object",
  required: ["name"],
  additionalProperties: false,
  properties: {
    name: {
      type: "string",
      minLength: 1,
      maxLength: 100,
      pattern: "\\S",
      description: "What the key is for (`registrar laptop`, `student system`)",
    },
  },
} as const;

const toInfo = (key: { id: string; label: string; createdAt: string; revokedAt: string | null }) => ({
  id: key.id,
  name: key.label,
  createdAt: key.createdAt,
  revokedAt: key.revokedAt,
});

/** Issuer API keys: an issuer lists its keys, creates one (the secret shown once), revokes one. */
const keyRoutes: RoutePlugin = (app, _options, done) => {
  useStrictJson(app);
  app.get(
    "/v1/keys",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Your issuer's API keys (never their secrets), oldest first",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        response: {
          200: { type: "object", required: ["keys"], properties: { keys: { type: "array", items: keyInfo } } },
          ...errors(401, 429),
        },
      },
    },
    async (request) => ({ keys: (await app.store.listApiKeys(request.issuerId)).map(toInfo) }),
  );

  app.post(
    "/v1/keys",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Create an API key for your issuer, with a name",
        description:
          "The answer holds the whole key (`crk_<id>_<secret>`) once: only its digest is stored, so it cannot be shown again.",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        body: newKeyBody,
        response: {
          201: {
            ...keyInfo,
            required: [...keyInfo.required, "key"],
            properties: { ...keyInfo.properties, key: { type: "string" } },
          },
          ...errors(400, 401, 415, 429),
        },
      },
    },
    async (request, reply) => {
      const generated = generateApiKey();
      const name = request.body.name.trim();
      const record = await app.store.createApiKey({
        id: generated.id,
        issuerId: request.issuerId,
        digest: generated.digest,
        label: name,
      });
      request.log.info({ keyId: record.id, issuerId: record.issuerId }, "API key created");
      return reply.status(201).send({ ...toInfo(record), key: generated.key });
    },
  );

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
