import type { FastifyError } from "fastify";
import fp from "fastify-plugin";
import type { ErrorObject } from "ajv";
import { isCredrootError } from "../../src";
import { schemaErrors } from "../../src/schema-errors";
import { HttpError, LIBRARY_ERROR_STATUS } from "../errors";
import { isStoreError } from "../store";

/** Fastify's own client errors, by Fastify error code. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "body-too-large",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "unsupported-media-type",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "invalid-content-length",
  FST_ERR_CTP_EMPTY_JSON_BODY: "invalid-json",
  FST_ERR_CTP_INVALID_JSON_BODY: "invalid-json",
};

/**
 * The one error handler: every error leaves as `{ code, message }` (plus `details` for validation)
 * with the right status. A 5xx body never carries a stack trace or an internal message.
 */
export default fp(
  (app, _options, done) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof HttpError) {
        return reply
          .status(error.statusCode)
          .send({ code: error.code, message: error.message, details: error.details });
      }
      if (isCredrootError(error)) {
        const { status, code } = LIBRARY_ERROR_STATUS[error.code];
        if (status >= 500) request.log.error({ err: error }, "library error");
        const message = status >= 500 && status !== 503 ? "internal error" : error.message;
        return reply.status(status).send({ code, message, details: error.details });
      }
      if (isStoreError(error, "CONFLICT")) {
        return reply.status(409).send({ code: "conflict", message: error.message, details: [] });
      }
      if (isStoreError(error, "NOT_FOUND")) {
        return reply.status(404).send({ code: "not-found", message: error.message, details: [] });
      }
      if (error.validation) {
        const where = error.validationContext ?? "request";
        return reply.status(400).send({
          code: "invalid-request",
          message: `invalid ${where}: ${error.message}`,
          details: schemaErrors(error.validation as ErrorObject[]),
        });
      }
      const status = error.statusCode ?? 500;
      if (status < 500) {
        const code = (error.code && FASTIFY_CODES[error.code]) ?? (status === 429 ? "rate-limited" : "bad-request");
        return reply.status(status).send({ code, message: error.message, details: [] });
      }
      request.log.error({ err: error }, "unhandled error");
      return reply.status(500).send({ code: "internal-error", message: "internal error", details: [] });
    });
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ code: "not-found", message: `no route ${request.method} ${request.url}`, details: [] }),
    );
    done();
  },
  { name: "credroot-errors" },
);
