import type { Hex32 } from "./hash";
import type { JsonValue } from "./pointer";
import type { PresentationResult, PresentedCredential } from "./presentation";

/*
 * Questions an employer asks of a verified presentation. Only `valid` credentials count, each
 * credential once however many times it was presented (same leaf), and only what is disclosed:
 * a hidden skill list or workload cannot answer yes.
 */

export interface HoldsParameters {
  /** An ESCO skill (or other taxonomy) URI that must appear in the credential's `/skills`. */
  skill?: string;
  /** The credential's `/eqfLevel` must be at least this. */
  minEqf?: number;
}

export interface HoldsReturnType {
  holds: boolean;
  /** The valid credentials that match, one per leaf. */
  credentials: PresentedCredential[];
}

export interface TotalEctsParameters {
  /**
   * Counts only credentials whose title contains this text (any case) or whose `/skills` list this
   * exact URI. Not a substring of skill URIs: every ESCO URI contains "data" (data.europa.eu).
   */
  field?: string;
}

export interface TotalEctsReturnType {
  ects: number;
  /** The valid credentials counted, one per leaf, each with a disclosed `/workload/ects`. */
  credentials: PresentedCredential[];
}

function member(value: JsonValue | undefined, key: string): JsonValue | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? value[key] : undefined;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

/** The valid credentials of a result, the first of each leaf. */
function validOnce(result: PresentationResult): PresentedCredential[] {
  const seen = new Set<Hex32>();
  return result.credentials.filter((c) => {
    if (c.verdict !== "valid" || c.leaf === null || seen.has(c.leaf)) return false;
    seen.add(c.leaf);
    return true;
  });
}

/**
 * Does the presentation show a valid credential with `skill` in `/skills` and an `/eqfLevel` of at
 * least `minEqf`? With neither criterion, any valid credential answers yes.
 * @example
 * const { holds: yes, credentials } = holds(await verifyPresentation(json, options), {
 *   skill: "http://data.europa.eu/esco/skill/S1.13.4",
 *   minEqf: 5,
 * });
 */
export function holds(result: PresentationResult, criteria: HoldsParameters = {}): HoldsReturnType {
  const credentials = validOnce(result).filter(({ credential }) => {
    if (criteria.skill !== undefined && !strings(credential.skills).includes(criteria.skill)) return false;
    if (criteria.minEqf === undefined) return true;
    const eqf = credential.eqfLevel;
    return typeof eqf === "number" && eqf >= criteria.minEqf;
  });
  return { holds: credentials.length > 0, credentials };
}

/**
 * Sum of `/workload/ects` over the valid credentials, optionally only those whose title contains
 * `field` (a plain case-insensitive substring, no taxonomy lookup: "data" matches "Clinical Data
 * Management") or whose `/skills` list `field` exactly. Rounded to 6 decimals so that 0.1 + 0.2 answers 0.3.
 * @example
 * const { ects } = totalEcts(await verifyPresentation(json, options), { field: "solidity" });
 */
export function totalEcts(result: PresentationResult, parameters: TotalEctsParameters = {}): TotalEctsReturnType {
  const needle = parameters.field;
  const credentials = validOnce(result).filter(({ credential }) => {
    if (typeof member(credential.workload, "ects") !== "number") return false;
    if (needle === undefined) return true;
    const title = typeof credential.title === "string" ? credential.title : "";
    return title.toLowerCase().includes(needle.toLowerCase()) || strings(credential.skills).includes(needle);
  });
  const sum = credentials.reduce((total, c) => total + (member(c.credential.workload, "ects") as number), 0);
  return { ects: Math.round(sum * 1e6) / 1e6, credentials };
}

/** Questions an employer asks of a verified presentation (see {@link askQuestions}). */
export interface Questions {
  /** Holds a valid credential listing this skill URI? (with `minEqf`: at that level) */
  skill?: string;
  /** Holds a valid credential at this EQF level or above? */
  minEqf?: number;
  /** Total valid ECTS: `true` or `""` for all credentials, else those matching this field. */
  totalEcts?: string | true;
}

/** A question in words, its answer, and the valid credentials behind the answer. */
export interface Answer {
  question: string;
  answer: boolean | number;
  credentials: PresentedCredential[];
}

/**
 * Answers the questions asked ({@link holds} for `skill`/`minEqf`, {@link totalEcts} for
 * `totalEcts`), in that order; none asked → `[]`.
 * @example
 * askQuestions(result, { skill: "http://data.europa.eu/esco/skill/S4.8.1", minEqf: 6 })
 * // → [{ question: "holds a valid credential with skill … at EQF level ≥ 6", answer: true, credentials: [...] }]
 */
export function askQuestions(result: PresentationResult, questions: Questions): Answer[] {
  const { skill, minEqf } = questions;
  const answers: Answer[] = [];
  if (skill !== undefined || minEqf !== undefined) {
    const asked = holds(result, { skill, minEqf });
    const parts = [skill !== undefined && `skill ${skill}`, minEqf !== undefined && `EQF level ≥ ${minEqf}`];
    const question = `holds a valid credential with ${parts.filter(Boolean).join(" at ")}`;
    answers.push({ question, answer: asked.holds, credentials: asked.credentials });
  }
  if (questions.totalEcts !== undefined) {
    const field = questions.totalEcts === true || questions.totalEcts === "" ? undefined : questions.totalEcts;
    const asked = totalEcts(result, { field });
    const question = field === undefined ? "total valid ECTS" : `total valid ECTS in "${field}"`;
    answers.push({ question, answer: asked.ects, credentials: asked.credentials });
  }
  return answers;
}
