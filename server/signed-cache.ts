import type { FastifyInstance } from "fastify";
import type { Bundle } from "../src";
import { BlockCachedCalls, VerdictCache } from "./verify-cache";

/**
 * How long a signed credential is served again at unchanged blocks. A new block (a revocation, a
 * key retired, an accreditation withdrawn all come in one) empties the cache first; this bounds how
 * old a served proof's `created` time can be.
 */
export const SIGNED_TTL_MS = 60_000;

const DAY_MS = 86_400_000;

/**
 * Signed answers of `GET /v1/credentials/:id/credential`, by format, id and `hide`, while every
 * trusted chain stays at the same block: signing (JSON-LD canonicalisation) costs ~30 ms a credential,
 * and a badge on a public page is asked for by every visitor. Off (undefined) when a trusted chain
 * is asked live (VERIFY_CACHE_MS=0).
 */
export function signedCache(app: FastifyInstance): VerdictCache | undefined {
  const calls = app.chain.trusted.map((t) => t.provider);
  if (calls.length === 0 || !calls.every((c) => c instanceof BlockCachedCalls)) return undefined;
  return new VerdictCache(calls, SIGNED_TTL_MS, 32 * 1024 * 1024);
}

/**
 * Whether a credential signed now may be served for {@link SIGNED_TTL_MS}: not when it expires
 * within that time (give or take a day: a `validUntil` date means the end of that day somewhere).
 */
export function cacheable(bundle: Bundle, now = Date.now()): boolean {
  const { validUntil } = bundle.credential as { validUntil?: unknown };
  if (typeof validUntil !== "string") return true;
  const end = Date.parse(validUntil);
  return Number.isFinite(end) && end - DAY_MS > now + SIGNED_TTL_MS;
}
