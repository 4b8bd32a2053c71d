import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Check, VerificationResult, VerifiedBundle } from "../../src";
import { BlockCachedCalls, VerdictCache } from "../verify-cache";

/**
 * `POST /v1/verify` answered from a {@link VerdictCache}: the same request text at the same
 * blocks gets the same bytes back, before its JSON is parsed, its schema checked or its bundle
 * verified. Off (undefined) when VERIFY_CACHE_MS=0, i.e. when any trusted chain is asked live.
 */
export interface CachedVerify {
  /** For `useStrictJson`: a placeholder body for a request the cache answers, else undefined. */
  shortcut: (request: FastifyRequest, text: string) => unknown;
  /** Route hooks: reply a cached answer before validation; store a fresh 200 answer as sent. */
  preValidation: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  onSend: (request: FastifyRequest, reply: FastifyReply, payload: unknown) => Promise<unknown>;
  /**
   * Runs `verify` and reads its result now; marks that answer for storing when the chains stayed
   * at the same blocks and the verdict is the same `ttlMs` later.
   */
  verify: (request: FastifyRequest, verify: () => Promise<VerifiedBundle>) => Promise<VerificationResult>;
}

/**
 * How long an answer is served at unchanged blocks. Blocks are what make answers stale and they
 * empty the cache; this only bounds how far ahead the expiry check is made (`verify`).
 */
const VERDICT_TTL_MS = 60_000;

/** Whether two lists of checks say the same, check for check (what JSON.stringify of each compared). */
function sameChecks(a: readonly Check[], b: readonly Check[]): boolean {
  return (
    a.length === b.length &&
    a.every((c, i) => c.name === b[i]!.name && c.ok === b[i]!.ok && c.message === b[i]!.message)
  );
}

/** What a cached request is parsed as: never validated, never seen by the handler. */
const ANSWERED = Object.freeze({});

export function cachedVerify(app: FastifyInstance, url: string): CachedVerify | undefined {
  const calls = app.chain.trusted.map((t) => t.provider);
  if (calls.length === 0 || !calls.every((c) => c instanceof BlockCachedCalls)) return undefined;
  const cache = new VerdictCache(calls, VERDICT_TTL_MS);
  const texts = new WeakMap<FastifyRequest, string>();
  const hits = new WeakMap<FastifyRequest, string>();
  const fills = new WeakMap<FastifyRequest, { epoch: string; until: number }>();
  const inflight = new Map<string, { epoch: string; result: Promise<VerificationResult> }>();
  return {
    shortcut(request, text) {
      if (request.routeOptions.url !== url) return undefined;
      texts.set(request, text);
      const hit = cache.get(text);
      if (hit === undefined) return undefined;
      hits.set(request, hit);
      return ANSWERED;
    },
    preValidation(request, reply) {
      const hit = hits.get(request);
      if (hit === undefined) return Promise.resolve(undefined);
      return Promise.resolve(reply.type("application/json; charset=utf-8").send(hit));
    },
    onSend(request, reply, payload) {
      const fill = fills.get(request);
      const text = texts.get(request);
      if (fill && text !== undefined && reply.statusCode === 200 && typeof payload === "string") {
        cache.set(text, fill.epoch, payload, fill.until);
      }
      return Promise.resolve(payload);
    },
    async verify(request, verify) {
      const text = texts.get(request);
      const epoch = cache.current();
      if (text === undefined || epoch === null) return (await verify())(Date.now());
      // Many callers asking the same bundle at once share one verification.
      const running = inflight.get(text);
      if (running?.epoch === epoch) return running.result;
      const result = (async () => {
        const verified = await verify();
        const now = verified(Date.now());
        if (now.verdict === "chain-unavailable") return now;
        // Read again as of VERDICT_TTL_MS from now, from the same chain answer: an expiry date
        // falling in between changes the checks, and then nothing is stored.
        const until = Date.now() + VERDICT_TTL_MS;
        const later = verified(until);
        if (later.verdict === now.verdict && sameChecks(later.checks, now.checks)) {
          fills.set(request, { epoch, until });
        }
        return now;
      })();
      inflight.set(text, { epoch, result });
      try {
        return await result;
      } finally {
        if (inflight.get(text)?.result === result) inflight.delete(text);
      }
    },
  };
}
