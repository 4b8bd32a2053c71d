import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { STATUS_LIST_JWT_MEDIA_TYPE } from "../../src/standard/sd-jwt-status";
import { HttpError, notFound } from "../errors";
import { errors } from "../schemas/common";
import { baseUrl } from "./share";

/** How long generic verifiers may keep a list without asking again (seconds): a revocation shows this much later. */
export const STATUS_LIST_MAX_AGE_S = 30;

/** The path of issuer `issuerId`'s list; entries name it under the service's base URL. */
export const statusListPath = (issuerId: number) => `/v1/status-lists/${issuerId}`;

/**
 * The URL of issuer `issuerId`'s list credential: under STATUS_LIST_BASE_URL when set (lists hosted
 * elsewhere), else this route's under PUBLIC_URL (or the listen address).
 */
export function statusListUrl(app: FastifyInstance, issuerId: number): string {
  const base = app.config.statusListBaseUrl;
  return base === null ? `${baseUrl(app)}${statusListPath(issuerId)}` : `${base}/${issuerId}`;
}

/** The URL of issuer `issuerId`'s Token Status List (for SD-JWT VCs): its list's URL + `/token`. */
export const tokenStatusListUrl = (app: FastifyInstance, issuerId: number): string =>
  `${statusListUrl(app, issuerId)}/token`;

const ISSUER_ID = /^(0|[1-9][0-9]{0,15})$/;

/**
 * What `publish` made of issuer `text`'s list (either form): 404 for an id that is none or an issuer
 * the registry lacks, 503 when the chain cannot be read (logged), never a list it cannot vouch for.
 */
async function published<T>(
  request: FastifyRequest,
  text: string,
  publish: (issuerId: number) => Promise<T | null | "no-key">,
): Promise<T> {
  if (!ISSUER_ID.test(text) || !Number.isSafeInteger(Number(text))) throw notFound(`issuer ${text}`);
  const issuerId = Number(text);
  let list: T | null | "no-key";
  try {
    list = await publish(issuerId);
  } catch (error) {
    if (error instanceof HttpError) throw error;
    request.log.warn({ err: error }, "status list: the chain could not be read");
    throw new HttpError("chain-unavailable", "the registry could not be read: no status list can be vouched for now");
  }
  if (list === null) throw notFound(`issuer ${issuerId}`);
  if (list === "no-key") {
    throw new HttpError("signing-not-configured", "this service has no signing key for this issuer's status list");
  }
  return list;
}

const listSchema = {
  type: "object",
  additionalProperties: true,
  required: ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "proof"],
  description:
    "A BitstringStatusListCredential: `credentialSubject.encodedList` (multibase base64url of the GZIP'd bits), " +
    "`statusPurpose: revocation`, signed with the issuer's key (Data Integrity, eddsa-rdfc-2022)",
} as const;

/**
 * `GET /v1/status-lists/:issuerId`: the issuer's W3C Bitstring Status List credential, signed with the
 * key that signs its credentials. The bits are derived from the registry (see server/status-lists/),
 * read at most one block poll (WORKER_INTERVAL_MS) before. Public and cacheable for
 * {@link STATUS_LIST_MAX_AGE_S} seconds, with a strong ETag (`If-None-Match` → 304, no body).
 */
const statusListRoutes: FastifyPluginAsync = (app) => {
  app.get(
    "/v1/status-lists/:issuerId",
    {
      config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        summary: "An issuer's revocation list (W3C Bitstring Status List), signed",
        description:
          "What a signed credential's `credentialStatus.statusListCredential` names. A credential's bit is set " +
          "once the registry revoked it, its batch, or its issuer's accreditation from before the batch was " +
          "anchored. Derived from the chain's events, whoever sent them; at most one block poll old. Cacheable " +
          `(max-age ${STATUS_LIST_MAX_AGE_S} s) with an ETag: \`If-None-Match\` answers 304 with no body while it holds.`,
        tags: ["anyone"],
        params: {
          type: "object",
          required: ["issuerId"],
          properties: { issuerId: { type: "string", minLength: 1, maxLength: 64, description: "registry issuer id" } },
        },
        response: {
          200: {
            content: {
              "application/vc": { schema: listSchema },
              "application/ld+json": { schema: listSchema },
            },
          },
          ...errors(400, 404, 429, 503),
        },
      },
    },
    // Typed as a plain reply: its 304 has no schema (no body to describe).
    async (request, reply: FastifyReply) => {
      const { issuerId: text } = request.params as { issuerId: string };
      const list = await published(request, text, (issuerId) =>
        app.statusLists.publish(issuerId, statusListUrl(app, issuerId)),
      );
      reply.header("cache-control", `public, max-age=${STATUS_LIST_MAX_AGE_S}`).header("etag", list.etag);
      const match = request.headers["if-none-match"];
      if (match !== undefined && match.split(/\s*,\s*/).includes(list.etag)) return reply.status(304).send();
      const wantsVc = /application\/vc(?![+\w])/.test(request.headers.accept ?? "");
      return reply.type(wantsVc ? "application/vc" : "application/ld+json").send(list.body);
    },
  );

  app.get(
    "/v1/status-lists/:issuerId/token",
    {
      config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        summary: "An issuer's revocation list for SD-JWT VCs (IETF Token Status List), signed",
        description:
          "What an SD-JWT VC's `status.status_list.uri` names: the same bits as `GET /v1/status-lists/:issuerId`, as a " +
          "`statuslist+jwt` (one bit per credential, 1 = revoked) signed with the issuer's key.",
        tags: ["anyone"],
        params: {
          type: "object",
          required: ["issuerId"],
          properties: { issuerId: { type: "string", minLength: 1, maxLength: 64, description: "registry issuer id" } },
        },
        response: {
          200: { content: { [STATUS_LIST_JWT_MEDIA_TYPE]: { schema: { type: "string" } } } },
          ...errors(400, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { issuerId: text } = request.params as { issuerId: string };
      const token = await published(request, text, (issuerId) =>
        app.statusLists.publishToken(issuerId, tokenStatusListUrl(app, issuerId), STATUS_LIST_MAX_AGE_S),
      );
      reply.header("cache-control", `public, max-age=${STATUS_LIST_MAX_AGE_S}`);
      return reply.type(STATUS_LIST_JWT_MEDIA_TYPE).send(token.jwt);
    },
  );
  return Promise.resolve();
};

export default statusListRoutes;
