import type { FastifySchemaCompiler } from "fastify";
import type { FromSchema } from "json-schema-to-ts";
import { credentialSchema } from "../../src";
import { credentialColumns } from "../../src/node/csv";
import { batchStatusSchema, hex32 } from "./common";

const { $id: credentialSchemaId, ...credentialItem } = credentialSchema;

const uri = {
  type: "string",
  maxLength: 2048,
  description: "Where you publish batch metadata (goes on chain in the event): never personal data.",
} as const;

/**
 * `POST /v1/batches` as documented: every credential in full, as `parseCredential` enforces it
 * (the credential input schema, format v2, in the OpenAPI document for reimplementers).
 */
export const submitBody = {
  type: "object",
  additionalProperties: false,
  required: ["credentials"],
  properties: {
    credentials: {
      type: "array",
      minItems: 1,
      maxItems: 1_000_000,
      items: {
        ...credentialItem,
        description:
          `A credential, format v2 (${credentialSchemaId}). The awarding body is not a field: it is the issuer the ` +
          "registry records for your API key's issuer. An invalid credential is reported with its row and field.",
      },
    },
    uri,
  },
} as const;

/**
 * `POST /v1/batches` as validated by Fastify: the envelope only. Each credential is checked by
 * `parseCredential` instead, so that every bad row and field is reported at once, with its row
 * (and CSV line), rather than the first schema error of the body.
 */
export const submitEnvelope = {
  ...submitBody,
  properties: {
    ...submitBody.properties,
    credentials: { ...submitBody.properties.credentials, items: { type: "object" } },
  },
} as const;

/** A JSON submission as the handler receives it (each credential still to be checked by `parseCredential`). */
export type SubmitEnvelope = FromSchema<typeof submitEnvelope>;

/**
 * A route's validator compiler that validates {@link submitBody} as {@link submitEnvelope} and
 * everything else with `compile` (the app's).
 */
export function envelopeCompiler(compile: FastifySchemaCompiler<unknown>): FastifySchemaCompiler<unknown> {
  return (route) => {
    const documented = (route.schema as { properties?: { credentials?: unknown } }).properties?.credentials;
    const isSubmit = route.httpPart === "body" && documented !== undefined;
    return compile(isSubmit ? { ...route, schema: submitEnvelope } : route);
  };
}

/** The `text/csv` body of `POST /v1/batches`. */
export const csvBody = {
  type: "string",
  minLength: 1,
  description:
    "A header row of field paths, then one row per credential (arrays joined with `|`). Columns: " +
    `${credentialColumns().join(", ")}. v1 columns awardingBody.* are refused: the awarding body comes from the registry.`,
} as const;

/** The `Idempotency-Key` header of a submission: 1 to 255 visible ASCII characters (a UUID, say). */
export const submitHeaders = {
  type: "object",
  properties: { "idempotency-key": { type: "string", pattern: "^[\\x21-\\x7e]{1,255}$" } },
} as const;

/** 202 to a submission: the batch and, for each credential, the id its bundle is fetched by. */
export const acceptedBatch = {
  type: "object",
  required: ["id", "root", "count", "status", "credentials"],
  properties: {
    id: { type: "string", description: "The batch id, a lowercase UUID: also its bytes16 id on chain" },
    root: hex32,
    count: { type: "integer" },
    status: batchStatusSchema,
    credentials: {
      type: "array",
      items: {
        type: "object",
        required: ["id", "index", "leaf"],
        properties: { id: { type: "string" }, index: { type: "integer" }, leaf: hex32 },
      },
    },
  },
} as const;

const batchSummary = {
  type: "object",
  required: ["id", "createdAt", "count", "status", "revokedCredentials", "revoked"],
  properties: {
    id: { type: "string" },
    createdAt: { type: "string", description: "When the batch was submitted (ISO-8601 UTC)" },
    count: { type: "integer" },
    status: batchStatusSchema,
    root: hex32,
    txHash: { type: ["string", "null"] },
    revoked: { type: "boolean", description: "The whole batch is revoked" },
    revokedReason: { type: ["string", "null"] },
    revokedCredentials: { type: "integer", description: "Credentials of the batch revoked one by one" },
  },
} as const;

/** `GET /v1/batches`: a page of the issuer's batches. */
export const batchList = {
  type: "object",
  required: ["batches", "total", "offset", "limit"],
  properties: {
    batches: { type: "array", items: batchSummary },
    total: { type: "integer", description: "How many batches the issuer has in all" },
    offset: { type: "integer" },
    limit: { type: "integer" },
  },
} as const;

/** `GET /v1/batches/:id/credentials`: the credentials of a batch. */
export const batchCredentials = {
  type: "object",
  properties: {
    credentials: {
      type: "array",
      items: {
        type: "object",
        properties: {
          id: { type: "string" },
          index: { type: "integer" },
          leaf: hex32,
          digest: { ...hex32, description: "What the registry's revokeCredential takes" },
          revoked: { type: "boolean" },
        },
      },
    },
  },
} as const;
