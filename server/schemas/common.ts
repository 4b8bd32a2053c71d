/** JSON Schemas shared by the routes (also the source of the OpenAPI document at /docs). */
import { API_ERROR_CODES, API_ERRORS } from "../../src";
import { BATCH_STATUSES } from "../store/types";

/** `- \`not-found\` (404): No such route, …` for each code of the list: the API reference of the codes. */
const codeTable = API_ERROR_CODES.map(
  (code) => `- \`${code}\` (${API_ERRORS[code].status}): ${API_ERRORS[code].meaning}`,
).join("\n");

export const errorSchema = {
  $id: "Error",
  type: "object",
  description: "Every error: a stable kebab-case code and a message; details name each bad field.",
  required: ["code", "message"],
  properties: {
    code: {
      type: "string",
      enum: API_ERROR_CODES,
      description: `One of these codes (never renamed), with the HTTP status it comes with:\n\n${codeTable}`,
      examples: ["invalid-credential"],
    },
    message: { type: "string" },
    details: {
      type: "array",
      items: {
        type: "object",
        required: ["path", "message"],
        properties: {
          path: { type: "string" },
          message: { type: "string" },
          row: { type: "integer" },
          line: { type: "integer" },
        },
      },
    },
  },
} as const;

export const errorRef = { $ref: "Error#" } as const;

/** Response schemas for the error statuses a route can answer, and 500 (`internal-error`), which any route can. */
export function errors(...statuses: number[]): Record<number, typeof errorRef> {
  return Object.fromEntries([...statuses, 500].map((s) => [s, errorRef]));
}

/** `offset` and `limit` of a paged list, `limit` at most `max` (`fallback` when not given). */
export function pageQuery<Max extends number, Fallback extends number>(max: Max, fallback: Fallback) {
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      offset: { type: "integer", minimum: 0, default: 0 },
      limit: { type: "integer", minimum: 1, maximum: max, default: fallback },
    },
  } as const;
}

export const hex32 = { type: "string", pattern: "^0x[0-9a-f]{64}$" } as const;

export const batchStatusSchema = { type: "string", enum: BATCH_STATUSES } as const;

export const batchSchema = {
  $id: "Batch",
  type: "object",
  required: ["id", "issuerId", "root", "count", "status", "txHash", "blockNumber", "createdAt", "updatedAt"],
  properties: {
    id: { type: "string", description: "A lowercase UUID: also the batch's bytes16 id on chain" },
    issuerId: { type: "integer" },
    root: hex32,
    count: { type: "integer" },
    uri: { type: "string" },
    status: batchStatusSchema,
    txHash: { type: ["string", "null"] },
    blockNumber: { type: ["integer", "null"] },
    error: { type: ["string", "null"] },
    revokedReason: { type: ["string", "null"] },
    createdAt: { type: "string" },
    updatedAt: { type: "string" },
  },
} as const;

export const reasonBody = {
  type: "object",
  additionalProperties: false,
  required: ["reason"],
  properties: { reason: { type: "string", minLength: 1, maxLength: 500 } },
} as const;

/** Schema of the two revocation routes (`:id` of a batch or a credential, a reason). */
export function revokeSchema(summary: string) {
  return {
    summary,
    description:
      "202: queued for the chain (poll the batch or its credentials). 409 `not-anchored-yet`, `already-revoked`, " +
      "`already-requested`, or `wrong-signer` when this service's signer no longer signs for the batch's issuer " +
      "(the registry revokes for the signer's own issuer only): nothing is queued then.",
    tags: ["issuer"],
    security: [{ apiKey: [] }],
    params: idParams,
    body: reasonBody,
    response: {
      202: { type: "object", properties: { id: { type: "string" }, status: { type: "string" } } },
      ...errors(400, 401, 403, 404, 409, 415, 429),
    },
  } as const;
}

export const idParams = {
  type: "object",
  required: ["id"],
  properties: { id: { type: "string", minLength: 1, maxLength: 64 } },
} as const;
