import type { FastifyPluginCallback } from "fastify";
import { verifyBundle } from "../../src";
import { bundleBody } from "../schemas/bundle";
import { errors } from "../schemas/common";

const verificationSchema = {
  type: "object",
  required: ["verdict", "checks", "credential", "hidden", "issuer", "anchoredAt"],
  properties: {
    verdict: {
      type: "string",
      enum: [
        "valid",
        "tampered",
        "not-anchored",
        "revoked",
        "expired",
        "issuer-not-accredited",
        "wrong-chain",
        "chain-unavailable",
      ],
    },
    checks: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "ok", "message"],
        properties: { name: { type: "string" }, ok: { type: ["boolean", "null"] }, message: { type: "string" } },
      },
    },
    credential: { type: "object", additionalProperties: true },
    hidden: { type: "array", items: { type: "string" } },
    issuer: {
      type: ["object", "null"],
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        uri: { type: "string" },
        active: { type: "boolean" },
        accreditedUntil: { type: ["integer", "null"] },
      },
    },
    anchoredAt: { type: ["integer", "null"] },
  },
} as const;

const unavailableSchema = {
  type: "object",
  required: ["code", "message", "verdict", "checks"],
  properties: {
    code: { type: "string", const: "chain-unavailable" },
    message: { type: "string" },
    verdict: { type: "string", const: "chain-unavailable" },
    checks: verificationSchema.properties.checks,
  },
} as const;

const verifyRoutes: FastifyPluginCallback = (app, _options, done) => {
  app.post(
    "/v1/verify",
    {
      bodyLimit: Math.min(app.config.bodyLimit, 512 * 1024),
      config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        summary: "Verify a proof bundle against the chain (trustless: never this server's database)",
        description:
          "Computes the verdict from the bundle and one eth_call to the registry it names, if that registry is trusted. " +
          "Works for bundles this server never issued. 503 `chain-unavailable` when the chain cannot be asked — never an invalid verdict.",
        tags: ["employer"],
        body: bundleBody,
        response: { 200: verificationSchema, 503: unavailableSchema, ...errors(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const result = await verifyBundle(request.body, { chains: app.chain.trusted });
      if (result.verdict === "chain-unavailable") {
        const why = result.checks.at(-1)?.message ?? "the chain could not be asked";
        return reply
          .status(503)
          .send({ code: "chain-unavailable", message: why, verdict: result.verdict, checks: result.checks });
      }
      return result;
    },
  );
  done();
};

export default verifyRoutes;
