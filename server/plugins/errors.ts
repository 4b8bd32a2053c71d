import type { ErrorObject } from "ajv";
import type { FastifyError, FastifyReply } from "fastify";
import fp from "fastify-plugin";
import { API_ERRORS, type ApiErrorCode, isCredrootError, LIBRARY_ERRORS } from "../../src";
import { schemaErrors } from "../../src/schema-errors";
import { errorBody, HttpError, type HttpErrorDetail } from "../errors";
import { isStoreError, type StoreErrorCode } from "../store";

/** Fastify's own client errors, by Fastify error code. */
const FASTIFY_ERRORS: Readonly<Record<string, ApiErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "body-too-large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported-media-type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid-content-length",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid-json",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid-json",
};

/** The store's errors: a collision or a missing row is the caller's; a schema mismatch is a bug of the deployment. */
const STORE_ERRORS: Readonly<Record<StoreErrorCode, ApiErrorCode>> = {
  CONFLICT: "conflict",
  NOT_FOUND: "not-found",
  SCHEMA: "internal-error",
};

/** Other client errors (of plugins: rate limits, static files), by status. */
const BY_STATUS: Readonly<Record<number, ApiErrorCode>> = {
  401: "unauthorized",
  403: "forbidden",
  404: "not-found",
  413: "body-too-large",
  415: "unsupported-media-type",
  429: "rate-limited",
};

/** The API code of a library or store error raised on purpose (`internal-error` for a bug), else undefined. */
function codeOf(error: unknown): ApiErrorCode | undefined {
  if (isCredrootError(error)) return LIBRARY_ERRORS[error.code].api;
  if (isStoreError(error)) return STORE_ERRORS[error.code];
  return undefined;
}

/** What every 500 says: nothing of the failure, which only the log shows. */
const INTERNAL_MESSAGE = "internal error";

/** Sends `{ code, message, details }` with the status of `code` (or `status`, for `bad-request`'s other 4xx). */
function send(
  reply: FastifyReply,
  code: ApiErrorCode,
  message: string,
  details: readonly HttpErrorDetail[] = [],
  status: number = API_ERRORS[code].status,
) {
  return reply.status(status).send(errorBody(code, message, details));
}

/**
 * The one error handler: every error leaves as `{ code, message, details }`, its code one of
 * `API_ERRORS`, with that code's status. An error nobody raised on purpose (a bug, a failing
 * database, a 5xx of a plugin) is logged with its stack and answered 500 `internal-error` with a
 * bare message: a 5xx body never carries a stack trace or an internal message.
 */
export default fp(
  (app, _options, done) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpError) {
        if (error.statusCode >= 500) request.log.error({ err: error }, "service error");
        return send(reply, error.code, error.message, error.details);
      }
      const known = codeOf(error);
      if (known !== undefined && known !== "internal-error") {
        // chain-unavailable (503) says what failed: the library's messages carry no URL or key.
        if (API_ERRORS[known].status >= 500) request.log.warn({ err: error }, "dependency unavailable");
        return send(reply, known, error.message, isCredrootError(error) ? error.details : []);
      }
      if (known === undefined && error.validation) {
        const where = error.validationContext ?? "request";
        const details = schemaErrors(error.validation as ErrorObject[]);
        return send(reply, "invalid-request", `invalid ${where}: ${error.message}`, details);
      }
      const status = error.statusCode ?? 500;
      if (known === undefined && status >= 400 && status < 500) {
        const client = (error.code && FASTIFY_ERRORS[error.code]) || BY_STATUS[status];
        return client ? send(reply, client, error.message) : send(reply, "bad-request", error.message, [], status);
      }
      request.log.error({ err: error }, "unhandled error");
      return send(reply, "internal-error", INTERNAL_MESSAGE);
    });
    // An unknown URL spends the default rate-limit budget (when the app has one), as a route would.
    const limited = app.hasDecorator("rateLimit") ? { preHandler: app.rateLimit() } : {};
    app.setNotFoundHandler(limited, (request, reply) =>
      send(reply, "not-found", `no route ${request.method} ${request.url}`),
    );
    done();
  },
  { name: "credroot-errors" },
);
