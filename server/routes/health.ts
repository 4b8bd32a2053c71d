import { API_ERRORS, decodeRegistryError } from "../../src";
import { TimeoutError, withTimeout } from "../../src/timeout";
import { chainMismatch } from "../chain-identity";
import { errorBody } from "../errors";
import { readyLimit } from "../rate-limits";
import { errors } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";

const CHAIN_TIMEOUT_MS = 3000;

interface Readiness {
  status: number;
  body: Record<string, unknown>;
}

/** 503 `not-ready`, saying which dependency is not. */
const notReady = (message: string, database: string, chain: string): Readiness => ({
  status: API_ERRORS["not-ready"].status,
  body: { ...errorBody("not-ready", message), database, chain },
});

const healthRoutes: RoutePlugin = (app, _options, done) => {
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
      // What load balancers poll: never limited (see UNLIMITED_ROUTES in rate-limits.ts).
      config: { rateLimit: false },
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
      config: { rateLimit: readyLimit(app.config) },
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
              code: { type: "string", const: "not-ready" },
              message: { type: "string" },
              details: { type: "array", maxItems: 0 },
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
      const chain = await withTimeout(app.chain.provider.getBlockNumber(), CHAIN_TIMEOUT_MS).then(
        (n) => {
          block = n;
          return "ok";
        },
        (error: unknown) =>
          // "no answer within 3000 ms" from the timeout, else why the chain could not be asked.
          error instanceof TimeoutError ? error.message : `unreachable: ${decodeRegistryError(error).message}`,
      );
      const wrong = chain === "ok" ? await identity() : null;
      if (wrong !== null) return notReady("the chain is not the one configured", database, wrong);
      if (database === "ok" && chain === "ok")
        return { status: 200, body: { status: "ready", database, chain, block } };
      return notReady("a dependency is unreachable", database, chain);
    }
  }
  done();
};

export default healthRoutes;
