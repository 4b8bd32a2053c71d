import type { FastifySchemaCompiler } from "fastify";
import { credentialSchema } from "../../src";
import { credentialColumns } from "../../src/node/csv";

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
const submitEnvelope = {
  ...submitBody,
  properties: {
    ...submitBody.properties,
    credentials: { ...submitBody.properties.credentials, items: { type: "object" } },
  },
} as const;

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
