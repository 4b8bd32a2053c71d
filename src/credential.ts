import { CredrootError } from "./errors";
import { compileSchema, describeDetails, schemaErrors } from "./schema";

/**
 * A micro-credential with the mandatory elements of the EU Council Recommendation on
 * micro-credentials (2022) and its optional ones. Its shape maps onto W3C Verifiable Credentials
 * 2.0 / Open Badges 3.0 (`credentialSubject` ← `learner`, `issuer` ← `awardingBody`,
 * `validFrom` ← `issuedOn`, `achievement` ← title, outcomes, level, workload).
 */
export interface Credential {
  /** Unique identifier chosen by the issuer, e.g. `urn:uuid:…`. */
  id: string;
  /** Title of the micro-credential. */
  title: string;
  description?: string;
  /** Identification of the learner. */
  learner: {
    name: string;
    /** Student number, national id, DID… */
    identifier?: string;
    email?: string;
    dateOfBirth?: string;
  };
  /** The awarding body and the country of the issuer (ISO 3166-1 alpha-2). */
  awardingBody: {
    name: string;
    country: string;
    url?: string;
  };
  /** Date of issue (`YYYY-MM-DD`). */
  issuedOn: string;
  /** Learning outcomes, one statement each. */
  learningOutcomes: string[];
  /** Notional workload: ECTS credits where possible, hours otherwise (at least one). */
  workload: { ects?: number; hours?: number };
  /** EQF level (1–8), if applicable. */
  eqfLevel?: number;
  /** National qualifications framework level, if applicable, e.g. `"NL-NLQF 6"`. */
  nqfLevel?: string;
  /** Type of assessment; optionally the grade and how identity was checked. */
  assessment: {
    type: string;
    grade?: string;
    identityCheck?: "none" | "online-unsupervised" | "online-supervised" | "onsite-supervised";
  };
  /** Form of participation in the learning activity. */
  participation: "online" | "onsite" | "blended";
  /** Type of quality assurance used to underpin the micro-credential. */
  qualityAssurance: string;
  prerequisites?: string[];
  /** Stackability: what the credential counts towards and which credentials (leaves) it builds on. */
  stackability?: {
    countsTowards?: string;
    buildsOn?: string[];
  };
  /** Expiry (`YYYY-MM-DD` = valid through that day, UTC, or a full date-time). */
  validUntil?: string;
  /** ESCO skill (or other taxonomy) URIs. */
  skills?: string[];
  /** Where evidence of the learning can be seen. */
  evidenceUrl?: string;
}

const text = (maxLength: number) => ({ type: "string", minLength: 1, maxLength }) as const;
const dateOrDateTime = { type: "string", anyOf: [{ format: "date" }, { format: "date-time" }] } as const;
const uri = { type: "string", format: "uri", maxLength: 2048 } as const;

/** JSON Schema (draft-07) of {@link Credential}. Unknown fields are rejected so typos surface. */
export const credentialSchema = {
  $id: "https://credroot.dev/schemas/credential-v1.json",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "title",
    "learner",
    "awardingBody",
    "issuedOn",
    "learningOutcomes",
    "workload",
    "assessment",
    "participation",
    "qualityAssurance",
  ],
  properties: {
    id: text(256),
    title: text(512),
    description: text(4096),
    learner: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: {
        name: text(256),
        identifier: text(256),
        email: { type: "string", format: "email", maxLength: 256 },
        dateOfBirth: { type: "string", format: "date" },
      },
    },
    awardingBody: {
      type: "object",
      additionalProperties: false,
      required: ["name", "country"],
      properties: {
        name: text(256),
        country: { type: "string", pattern: "^[A-Z]{2}$" },
        url: uri,
      },
    },
    issuedOn: { type: "string", format: "date" },
    learningOutcomes: { type: "array", minItems: 1, maxItems: 100, items: text(2048) },
    workload: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      properties: {
        ects: { type: "number", minimum: 0, maximum: 1000 },
        hours: { type: "number", minimum: 0, maximum: 100000 },
      },
    },
    eqfLevel: { type: "integer", minimum: 1, maximum: 8 },
    nqfLevel: text(64),
    assessment: {
      type: "object",
      additionalProperties: false,
      required: ["type"],
      properties: {
        type: text(512),
        grade: text(64),
        identityCheck: {
          type: "string",
          enum: ["none", "online-unsupervised", "online-supervised", "onsite-supervised"],
        },
      },
    },
    participation: { type: "string", enum: ["online", "onsite", "blended"] },
    qualityAssurance: text(1024),
    prerequisites: { type: "array", maxItems: 100, items: text(1024) },
    stackability: {
      type: "object",
      additionalProperties: false,
      properties: {
        countsTowards: text(512),
        buildsOn: {
          type: "array",
          maxItems: 100,
          items: { type: "string", pattern: "^0x[0-9a-f]{64}$" },
        },
      },
    },
    validUntil: dateOrDateTime,
    skills: { type: "array", maxItems: 200, items: uri },
    evidenceUrl: uri,
  },
} as const;

const validate = compileSchema<Credential>(credentialSchema);

/**
 * Checks that `input` is a {@link Credential}.
 * @throws CredrootError `INVALID_CREDENTIAL` whose message and `details` name every bad field.
 * @example
 * const credential = parseCredential(JSON.parse(text));
 */
export function parseCredential(input: unknown): Credential {
  if (validate(input)) return input;
  const details = schemaErrors(validate.errors);
  throw new CredrootError("INVALID_CREDENTIAL", `invalid credential: ${describeDetails(details)}`, { details });
}

/**
 * The instant after which a credential with this `validUntil` has expired: the end of the day
 * (UTC) for a plain date, the instant itself for a date-time.
 */
export function expiryInstant(validUntil: string): number {
  const isDateOnly = /^\d{4}-\d{2}-\d{2}$/.test(validUntil);
  // JavaScript dates have no leap second: 23:59:60 is taken as the last instant of 23:59:59.
  return Date.parse(
    isDateOnly ? `${validUntil}T23:59:59.999Z` : validUntil.replace(/:60(\.\d+)?(?=Z|[+-])/, ":59.999"),
  );
}
