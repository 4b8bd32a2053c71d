import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import { API_ERRORS, initHasher } from "../src";
import type { Config } from "./config";
import { errorBody } from "./errors";
import { CommitPool } from "./issuance/commit-pool";
import authPlugin from "./plugins/auth";
import chainPlugin from "./plugins/chain";
import errorsPlugin from "./plugins/errors";
import securityHeaders from "./plugins/security-headers";
import storePlugin from "./plugins/store";
import workerPlugin from "./plugins/outbox";
import statusListsPlugin from "./status-lists/plugin";
import { rateLimits, requireRateLimit } from "./rate-limits";
import batchRoutes from "./routes/batches";
import certificateRoutes from "./routes/certificate";
import consoleArchiveRoutes from "./routes/console-archive";
import consolePageRoutes from "./routes/console-page";
import consoleValidateRoutes from "./routes/console-validate";
import credentialRoutes from "./routes/credentials";
import healthRoutes from "./routes/health";
import issuerDidRoutes from "./routes/issuer-did";
import issuerRoutes from "./routes/issuers";
import keyRoutes from "./routes/keys";
import shareRoutes from "./routes/share";
import verifyRoutes from "./routes/verify";
import issuersPageRoutes from "./routes/issuers-page";
import webRoutes, { webTrustConfig } from "./routes/web";
import { batchSchema, errorSchema } from "./schemas/common";
import { signingKeysPlugin } from "./signing-keys";
import type { Store } from "./store/types";

declare module "fastify" {
  interface FastifyInstance {
    config: Config;
    /** Worker threads that validate and commit large batches off the event loop. */
    commitPool: CommitPool;
  }
}

export interface BuildOptions {
  /** Use this store instead of opening `config.databaseUrl` (tests). */
  store?: Store;
  /** Run the anchoring worker inside the app (default true). */
  worker?: boolean;
  /** Fastify logger option (default: pino at `config.logLevel`). */
  logger?: FastifyServerOptions["logger"];
  /** Serve the web verifier page from this build folder (default `web/dist`, built when missing). */
  webDir?: string;
}

const VERSION = "0.1.0";

/**
 * Origins the web verifier page may send JSON-RPC requests to: those of its trust config; with
 * no RPC URL configured the page asks the person for their own node, so any https origin.
 */
function rpcOrigins(config: Config): string[] {
  const urls = webTrustConfig(config).chains.map((c) => c.rpcUrl);
  if (urls.includes(null)) return ["https:"];
  return [...new Set(urls.map((url) => new URL(url!).origin))];
}

/**
 * A request URL as logged: credential ids, the capability to a learner's bundle, replaced by `[redacted]`
 * (`/v1/credentials/[redacted]/bundle?hide=…`, `/v/[redacted]`).
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^\/v1\/credentials\/[^/?#]+/, "/v1/credentials/[redacted]")
    .replace(/^\/v\/[^/?#]+/, "/v/[redacted]");
}

/** The logger option with Fastify's request serializer replaced by one that redacts credential ids. */
function withRedactedUrls(logger: FastifyServerOptions["logger"], config: Config): FastifyServerOptions["logger"] {
  if (logger === false || logger === undefined) return logger;
  const options = logger === true ? { level: config.logLevel } : logger;
  return {
    ...options,
    serializers: {
      ...options.serializers,
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: redactUrl(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket.remotePort,
      }),
    },
  };
}

/**
 * A request that arrives once shutdown has begun (on a keep-alive connection still open for an
 * answer in flight) gets 503 `shutting-down` in our error body, before any other work; Fastify
 * has already marked the connection to close.
 */
function refuseWhileClosing(app: FastifyInstance): void {
  let closing = false;
  app.addHook("preClose", (done) => {
    closing = true;
    done();
  });
  app.addHook("onRequest", async (_request, reply) => {
    if (!closing) return;
    const code = "shutting-down";
    // As text: a route's own 503 schema (POST /v1/verify's has a verdict) must not reshape it, or fail on it.
    return reply
      .status(API_ERRORS[code].status)
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(errorBody(code, "this instance is shutting down; send it again")));
  });
}

/**
 * Builds the credroot service: plugins for errors, database, chain, auth and the anchoring
 * worker, then the routes. It does not listen: `server/main.ts` does, tests use `app.inject`.
 * @example
 * const app = await buildApp(loadConfig());
 * await app.listen({ host: app.config.host, port: app.config.port });
 */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  await initHasher(); // WebAssembly keccak for issuance and verification
  const app = Fastify({
    logger: withRedactedUrls(options.logger ?? { level: config.logLevel }, config),
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    // Off: Fastify's own 503 body is not ours. The `onRequest` hook below answers instead.
    return503OnClosing: false,
    // Errors Fastify raises before routing (a malformed URL) keep the `{ code, message, details }` shape.
    frameworkErrors: (error, _request, reply) => {
      void (reply as unknown as FastifyReply)
        .status(API_ERRORS["bad-url"].status)
        .send(errorBody("bad-url", error.message));
    },
  });
  // Bodies are validated as sent (no coercion, unknown properties rejected, not dropped);
  // params and query strings arrive as text and are coerced to the declared types.
  const strict = addFormats(
    new Ajv({ allErrors: false, removeAdditional: false, coerceTypes: false, useDefaults: true }),
  );
  const lenient = addFormats(
    new Ajv({ allErrors: false, removeAdditional: false, coerceTypes: "array", useDefaults: true }),
  );
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? strict : lenient).compile(schema));
  app.decorate("config", config);
  const commitPool = new CommitPool();
  app.decorate("commitPool", commitPool);
  app.addHook("onClose", async () => {
    await commitPool.close();
  });

  refuseWhileClosing(app);
  // Before the errors plugin, whose not-found handler spends the default budget too.
  await app.register(rateLimit, rateLimits(config));
  app.addHook("onRoute", requireRateLimit);
  await app.register(errorsPlugin);
  // helmet's headers, computed once (plugins/security-headers.ts); HSTS only over https.
  const httpsOnly = config.publicUrl?.startsWith("https:") ?? false;
  const helmet = {
    contentSecurityPolicy: {
      directives: {
        // The web verifier page asks the chain itself: only the RPC origins it is configured with.
        "connect-src": ["'self'", ...rpcOrigins(config)],
        "img-src": ["'self'", "data:"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        // Sent below only over https: over plain http (a LAN address) it makes the browser fetch
        // the page's CSS and JS over an https that does not exist.
        "upgrade-insecure-requests": null,
      },
    },
    strictTransportSecurity: false,
  };
  await app.register(securityHeaders, { helmet, httpsOnly });
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "credroot",
        version: VERSION,
        description:
          "Blockchain-anchored registry for micro-credentials. Issuers submit batches and revoke; learners fetch proof bundles; anyone verifies against the chain.",
      },
      tags: [
        { name: "issuer", description: "Authenticated with `Authorization: Bearer <API key>`" },
        { name: "learner" },
        { name: "employer" },
        { name: "anyone" },
        { name: "operator" },
      ],
      components: {
        securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "crk_… issuer API key" } },
      },
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`),
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  app.addSchema(errorSchema);
  app.addSchema(batchSchema);

  await app.register(storePlugin, {
    databaseUrl: config.databaseUrl,
    poolSize: config.databasePoolSize,
    ...(options.store ? { store: options.store } : {}),
  });
  await app.register(chainPlugin, { config });
  await app.register(signingKeysPlugin);
  await app.register(authPlugin);
  await app.register(workerPlugin, { config, enabled: options.worker ?? true });
  await app.register(statusListsPlugin, { config, background: options.worker ?? true });

  await app.register(healthRoutes);
  await app.register(batchRoutes);
  await app.register(credentialRoutes);
  await app.register(keyRoutes);
  await app.register(verifyRoutes);
  await app.register(issuerRoutes);
  await app.register(issuerDidRoutes);
  await app.register(shareRoutes);
  await app.register(import("./routes/standard-credentials"));
  await app.register(import("./routes/status-lists"));
  await app.register(import("./routes/badges"));
  await app.register(certificateRoutes);
  await app.register(consoleValidateRoutes);
  await app.register(consoleArchiveRoutes);
  // Before the verifier page's routes: a build of before the console is rebuilt before they read it.
  await app.register(consolePageRoutes, options.webDir ? { dir: options.webDir } : {});
  await app.register(webRoutes, options.webDir ? { dir: options.webDir } : {});
  await app.register(issuersPageRoutes, options.webDir ? { dir: options.webDir } : {});
  return app;
}
