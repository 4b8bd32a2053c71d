import { isCredrootError } from "../../src";
import { notFound } from "../errors";
import { publicLimit } from "../rate-limits";
import { errors, pageQuery } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";

const issuerSchema = {
  type: "object",
  required: ["id", "name", "uri", "active", "accreditedUntil"],
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    uri: { type: "string" },
    active: { type: "boolean" },
    accreditedUntil: {
      type: ["integer", "null"],
      description: "Seconds since the epoch; null while accreditation stands.",
    },
  },
} as const;

const issuerRoutes: RoutePlugin = (app, _options, done) => {
  const rateLimit = publicLimit(app.config);

  app.get(
    "/v1/issuers",
    {
      config: { rateLimit },
      schema: {
        summary: "Issuers registered in the registry, read from the chain",
        tags: ["anyone"],
        querystring: pageQuery(100, 100),
        response: {
          200: {
            type: "object",
            properties: { total: { type: "integer" }, issuers: { type: "array", items: issuerSchema } },
          },
          ...errors(400, 429, 503),
        },
      },
    },
    async (request) => {
      const { offset, limit } = request.query;
      const total = await app.chain.registry.issuerCount();
      const ids = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => offset + i + 1);
      return { total, issuers: await Promise.all(ids.map((id) => app.chain.registry.getIssuer(id))) };
    },
  );

  app.get(
    "/v1/issuers/:id",
    {
      config: { rateLimit },
      schema: {
        summary: "One issuer, read from the chain",
        tags: ["anyone"],
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
        response: { 200: issuerSchema, ...errors(400, 404, 429, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      try {
        return await app.chain.registry.getIssuer(id);
      } catch (error) {
        if (isCredrootError(error, "CONTRACT_REVERT") && error.revert?.name === "UnknownIssuer")
          throw notFound(`issuer ${id}`);
        throw error;
      }
    },
  );
  done();
};

export default issuerRoutes;
