import { CredrootError, type ErrorDetail } from "./errors";
import { findLoneSurrogate } from "./json";
import { compileSchema, describeDetails, schemaErrors } from "./schema";

/**
 * A micro-credential (format v2) with the mandatory elements of the EU Council Recommendation on
 * micro-credentials (2022) and its optional ones. Its shape maps onto W3C Verifiable Credentials
 * 2.0 / Open Badges 3.0 (`credentialSubject` ← `learner`, `validFrom` ← `issuedOn`, `achievement` ←
 * title, outcomes, level, workload). The awarding body is not a claim of the credential: it is the
 * issuer the registry records for the issuer id the credential is anchored under (its name and
 * metadata URI), so no issuer can award in another institution's name.
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
  /** Country of the issuer (ISO 3166-1 alpha-2), e.g. `"NL"`. */
  issuerCountry: string;
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
  /**
   * Expiry: `YYYY-MM-DD` (valid through the end of that day, UTC) or a UTC date-time
   * `YYYY-MM-DDTHH:MM:SS.sssZ`. Input may be any RFC 3339 date-time with a time zone; it is
   * normalised to that UTC form before it is hashed.
   */
  validUntil?: string;
  /** ESCO skill (or other taxonomy) URIs. */
  skills?: string[];
  /** Where evidence of the learning can be seen. */
  evidenceUrl?: string;
}

const text = (maxLength: number) => ({ type: "string", minLength: 1, maxLength }) as const;
const dateOrDateTime = {
  type: "string",
  maxLength: 40,
  description: "YYYY-MM-DD, or an RFC 3339 date-time with a time zone (normalised to UTC)",
} as const;
const uri = { type: "string", format: "uri", maxLength: 2048 } as const;

/** JSON Schema (draft-07) of {@link Credential}. Unknown fields are rejected so typos surface. */
export const credentialSchema = {
  $id: "https://credroot.dev/schemas/credential-v2.json",
  type: "object",
  additionalProperties: false,
  required: [
    "id",
    "title",
    "learner",
    "issuerCountry",
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
    issuerCountry: { type: "string", pattern: "^[A-Z]{2}$", description: "ISO 3166-1 alpha-2, e.g. NL" },
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
 * Checks that `input` is a {@link Credential} and returns it in canonical form: `validUntil` as a
 * date or a UTC date-time with milliseconds. Text with a lone surrogate (which RFC 8785 cannot
 * canonicalise) and date-times the verifier could not read back (leap seconds, offsets without
 * minutes) are refused.
 * @throws CredrootError `INVALID_CREDENTIAL` whose message and `details` name every bad field.
 * @example
 * const credential = parseCredential(JSON.parse(text));
 */
export function parseCredential(input: unknown): Credential {
  const details: ErrorDetail[] = [];
  const lone = findLoneSurrogate(input);
  if (lone !== null) details.push({ path: lone, message: "contains a lone surrogate (not Unicode text)" });
  if (details.length === 0 && validate(input)) {
    if (input.validUntil === undefined) return input;
    const validUntil = normaliseValidUntil(input.validUntil);
    if (validUntil !== null) return { ...input, validUntil };
    details.push({ path: "/validUntil", message: VALID_UNTIL_FORMS });
  } else if (details.length === 0) {
    details.push(...schemaErrors(validate.errors));
  }
  throw new CredrootError("INVALID_CREDENTIAL", `invalid credential: ${describeDetails(details)}`, { details });
}

const VALID_UNTIL_FORMS =
  "must be a date (2031-06-30) or a date-time with a time zone (2031-06-30T23:59:59Z, 2031-06-30T23:59:59+02:00)";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|([+-])(\d{2}):(\d{2}))$/;
/** The only `validUntil` forms a bundle may carry: what {@link parseCredential} produces. */
export const CANONICAL_VALID_UNTIL = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\.\d{3}Z)?$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return y >= 1000 && date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

/**
 * `validUntil` in canonical form (a date as given, a date-time as `YYYY-MM-DDTHH:MM:SS.sssZ`), or
 * null when it is neither a calendar date nor an RFC 3339 date-time with a time zone and no leap
 * second. Digits beyond milliseconds are dropped.
 */
export function normaliseValidUntil(text: string): string | null {
  const date = DATE.exec(text);
  if (date) return isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3])) ? text : null;
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (!isCalendarDate(y, mo, d) || h > 23 || mi > 59 || se > 59) return null;
  const offsetMinutes = m[9] ? (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) : 0;
  if (m[9] && (Number(m[10]) > 23 || Number(m[11]) > 59)) return null;
  const ms = Math.floor(Number(`0${m[7] ?? ""}`) * 1000);
  const instant = Date.UTC(y, mo - 1, d, h, mi, se, ms) - offsetMinutes * 60_000;
  const out = new Date(instant);
  if (out.getUTCFullYear() < 1000 || out.getUTCFullYear() > 9999) return null;
  return out.toISOString();
}

/**
 * True for a `validUntil` in the form {@link parseCredential} produces: a calendar date, or a UTC
 * date-time with milliseconds that names a real instant (no 2031-02-30, no 24:00, no leap second).
 * The pattern alone is not enough: `Date.parse` reads "2031-02-30" as 2 March and "23:59:60" as NaN.
 */
export function isCanonicalValidUntil(text: string): boolean {
  return CANONICAL_VALID_UNTIL.test(text) && normaliseValidUntil(text) === text;
}

/**
 * The instant (ms since the epoch) after which a credential with this canonical `validUntil`
 * has expired: the last millisecond of the day (UTC) for a plain date, the instant itself for a
 * date-time. NaN for any other form (a bundle carrying one does not parse).
 */
export function expiryInstant(validUntil: string): number {
  if (!isCanonicalValidUntil(validUntil)) return Number.NaN;
  return Date.parse(validUntil.length === 10 ? `${validUntil}T23:59:59.999Z` : validUntil);
}
