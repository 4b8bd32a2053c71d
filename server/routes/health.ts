import type { FastifyPluginCallback } from "fastify";
import { decodeRegistryError } from "../../src";
import { chainMismatch } from "../chain-identity";
import { errors } from "../schemas/common";

const CHAIN_TIMEOUT_MS = 3000;

interface Readiness {
  status: 200 | 503;
  body: Record<string, unknown>;
}

const healthRoutes: FastifyPluginCallback = (app, _options, done) => {
  let confirmed = false;
  /** Why the chain is not the configured one, or null; a confirmed chain is not asked again. */
  const identity = async (): Promise<string | null> => {
    if (confirmed) return null;
    const { provider, chainId, registryAddress } = app.chain;
    const wrong = await chainMismatch(provider, chainId, registryAddress).catch(
      (error: unknown) => `unreachable: ${decodeRegistryError(error).message}`,
    );
    confirmed = wrong === null;
    return wrong;
  };
  app.get(
    "/health",
    {
      schema: {
        summary: "The process is up",
        tags: ["operator"],
        response: { 200: { type: "object", properties: { status: { type: "string" } } } },
      },
    },
    () => ({ status: "ok" }),
  );

  /** The check under way, if any: concurrent requests share it rather than each pinging both. */
  let inFlight: Promise<Readiness> | null = null;
  const ready = (): Promise<Readiness> => {
    inFlight ??= check().finally(() => {
      inFlight = null;
    });
    return inFlight;
  };
  app.get(
    "/ready",
    {
      // Each check pings the database and asks the chain: unauthenticated, so limited per client.
      config: { rateLimit: { max: app.config.readyRateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        summary: "The database and the chain are reachable",
        tags: ["operator"],
        response: {
          "2xx": {
            type: "object",
            properties: {
              status: { type: "string" },
              database: { type: "string" },
              chain: { type: "string" },
              block: { type: ["integer", "null"] },
            },
          },
          503: {
            type: "object",
            properties: {
              code: { type: "string" },
              message: { type: "string" },
              database: { type: "string" },
              chain: { type: "string" },
            },
          },
          ...errors(429),
        },
      },
    },
    async (_request, reply) => {
      const { status, body } = await ready();
      return reply.status(status).send(body);
    },
  );

  async function check(): Promise<Readiness> {
    {
      const database = await app.store.ping().then(
        () => "ok",
        (error: unknown) => {
          // The driver's message may carry paths or SQL: log it, show only its code.
          app.log.error({ err: error }, "database not ready");
          const code = (error as { code?: unknown } | null)?.code;
          return typeof code === "string" ? `unreachable (${code})` : "unreachable";
        },
      );
      let block: number | null = null;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const chain = await Promise.race([
        app.chain.provider.getBlockNumber().then((n) => {
          block = n;
          return "ok";
        }),
        new Promise<string>((resolve) => {
          timer = setTimeout(() => resolve(`no answer within ${CHAIN_TIMEOUT_MS} ms`), CHAIN_TIMEOUT_MS);
        }),
      ])
        .catch((error: unknown) => `unreachable: ${decodeRegistryError(error).message}`)
        .finally(() => clearTimeout(timer));
      const wrong = chain === "ok" ? await identity() : null;
      if (wrong !== null) {
        return {
          status: 503,
          body: { code: "not-ready", message: "the chain is not the one configured", database, chain: wrong },
        };
      }
      if (database === "ok" && chain === "ok")
        return { status: 200, body: { status: "ready", database, chain, block } };
      return { status: 503, body: { code: "not-ready", message: "a dependency is unreachable", database, chain } };
    }
  }
  done();
};

export default healthRoutes;
