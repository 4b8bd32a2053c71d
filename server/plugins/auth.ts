import type { FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { HttpError } from "../errors";
import { parseApiKey, secretMatches } from "../keys";

declare module "fastify" {
  interface FastifyInstance {
    /** preHandler for issuer routes: checks `Authorization: Bearer crk_…` and sets `request.issuerId`. */
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
  interface FastifyRequest {
    issuerId: number;
  }
}

const unauthorized = (message: string) => new HttpError("unauthorized", message);

/** Issuer authentication by API key: digests in the database, constant-time comparison. */
export default fp(
  (app, _options, done) => {
    app.decorateRequest("issuerId", 0);
    app.decorate("authenticate", async (request: FastifyRequest) => {
      const header = request.headers.authorization;
      if (!header) throw unauthorized("missing Authorization: Bearer <API key>");
      const [scheme, key] = header.split(" ", 2);
      // RFC 9110 §11.1: the scheme name is case-insensitive ("bearer", "BEARER").
      const parsed = scheme?.toLowerCase() === "bearer" && key ? parseApiKey(key) : null;
      if (!parsed) throw unauthorized("the Authorization header does not carry a credroot API key");
      const record = await app.store.getApiKey(parsed.id);
      // Compare even when the id is unknown, so timing does not tell ids apart.
      const digest = record?.digest ?? Buffer.alloc(32);
      if (!secretMatches(parsed.secret, digest) || !record) throw unauthorized("invalid API key");
      if (record.revokedAt) throw unauthorized("this API key was revoked");
      request.issuerId = record.issuerId;
    });
    done();
  },
  { name: "credroot-auth", dependencies: ["credroot-store"] },
);
