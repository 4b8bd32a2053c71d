/**
 * Rate limits: on for every route by default (one budget per client address shared by the routes
 * that set none: the web page, /docs), with a budget of its own for each route that costs more or
 * is worth guessing at (verify, bundle, share, issuers, /ready), and per issuer on issuer routes.
 * A route goes unlimited only when it says `rateLimit: false` and is listed in {@link UNLIMITED_ROUTES}.
 */
import type { RateLimitOptions, RateLimitPluginOptions } from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest, RouteOptions } from "fastify";
import { invariant } from "../src";
import type { Config } from "./config";
import { HttpError } from "./errors";

const WINDOW = "1 minute";

/**
 * Routes answered without any limit, on purpose: `GET /health` (HEAD too) is what load balancers
 * and orchestrators poll, it touches nothing, and refusing it would have the instance restarted.
 */
export const UNLIMITED_ROUTES: readonly string[] = ["GET /health", "HEAD /health"];

/** The plugin's options: on for every route, RATE_LIMIT_PER_MINUTE per client address, answered `rate-limited`. */
export function rateLimits(config: Config): RateLimitPluginOptions {
  return {
    global: true,
    max: config.rateLimitPerMinute,
    timeWindow: WINDOW,
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        "rate-limited",
        `too many requests: at most ${context.max} a minute here; retry in ${context.after}`,
      ),
  };
}

/** A public route's own budget: RATE_LIMIT_PER_MINUTE per client address, apart from every other route's. */
export function publicLimit(config: Config): RateLimitOptions {
  return { max: config.rateLimitPerMinute, timeWindow: WINDOW };
}

/** `/ready`'s budget: each check asks the database and the chain. */
export function readyLimit(config: Config): RateLimitOptions {
  return { max: config.readyRateLimitPerMinute, timeWindow: WINDOW };
}

/**
 * An issuer route's budget: ISSUER_RATE_LIMIT_PER_MINUTE per issuer, wherever its requests come
 * from. Counted after authentication (see {@link issuerRoute}), so that a request without a valid
 * key never spends an issuer's budget; were it ever counted before, it falls back to the address.
 */
export function issuerLimit(config: Config): RateLimitOptions {
  return {
    max: config.issuerRateLimitPerMinute,
    timeWindow: WINDOW,
    keyGenerator: (request: FastifyRequest) => (request.issuerId ? `issuer:${request.issuerId}` : request.ip),
  };
}

/**
 * The options every issuer route starts from: the API key checked first (`onRequest`), then the
 * issuer's rate limit, which @fastify/rate-limit appends after the route's own `onRequest`.
 * @example
 * app.get("/v1/batches", { ...issuerRoute(app), schema }, handler);
 */
export function issuerRoute(app: FastifyInstance) {
  return { onRequest: app.authenticate, config: { rateLimit: issuerLimit(app.config) } };
}

/**
 * onRoute hook (registered before any route): refuses a route that turns its limit off without
 * being listed in {@link UNLIMITED_ROUTES}, so that no route goes unlimited by accident.
 * @throws CredrootError `INVARIANT` naming the route, when the app is built.
 */
export function requireRateLimit(route: RouteOptions): void {
  if (route.config?.rateLimit !== false) return;
  for (const method of [route.method].flat()) {
    const name = `${method} ${route.url}`;
    invariant(UNLIMITED_ROUTES.includes(name), `${name} turns its rate limit off but is not in UNLIMITED_ROUTES`);
  }
}
