import type { JsonValue } from "../pointer";

/** A JSON object of a document being built. */
export type Json = { [key: string]: JsonValue };

/** True for a JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `object[key]` when it is the object's own property. */
export function pick(object: Json, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

/** A nested object of the credential (`learner`, `assessment`, …), or an empty one when hidden or absent. */
export function objectAt(object: Json, key: string): Json {
  const value = pick(object, key);
  return isObject(value) ? value : {};
}

/** The value when it is a string, else undefined (a hand-made bundle may carry anything). */
export function text(object: Json, key: string): string | undefined {
  const value = pick(object, key);
  return typeof value === "string" ? value : undefined;
}

/** The value when it is a finite number, else undefined. */
export function number(object: Json, key: string): number | undefined {
  const value = pick(object, key);
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The strings of an array value; undefined when absent or when none is a string. */
export function strings(object: Json, key: string): string[] | undefined {
  const value = pick(object, key);
  const found = Array.isArray(value) ? value.filter((item) => typeof item === "string") : [];
  return found.length > 0 ? found : undefined;
}

/** Drops undefined properties, so an absent field leaves no key in the document. */
export function compact(object: { [key: string]: JsonValue | undefined }): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}

/** A date is the start of that day (validFrom) or its end (validUntil, as the verifier reads it); a date-time stays. */
export function dateTime(value: string, end: boolean): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? "23:59:59" : "00:00:00"}Z` : value;
}

/**
 * The EU micro-credential elements that neither VC 2.0 nor OB 3.0 names, as credroot terms
 * (see `CREDROOT_CONTEXT`): type of assessment, form of participation, quality assurance, hours,
 * NQF level, identity check, prerequisites and stackability. Hidden fields are left out.
 */
export function euElements(credential: Json): Json {
  const assessment = objectAt(credential, "assessment");
  const stackability = objectAt(credential, "stackability");
  return compact({
    typeOfAssessment: text(assessment, "type"),
    formOfParticipation: text(credential, "participation"),
    qualityAssurance: text(credential, "qualityAssurance"),
    workloadHours: number(objectAt(credential, "workload"), "hours"),
    nqfLevel: text(credential, "nqfLevel"),
    identityCheck: text(assessment, "identityCheck"),
    prerequisites: strings(credential, "prerequisites"),
    countsTowards: text(stackability, "countsTowards"),
    buildsOn: strings(stackability, "buildsOn"),
  });
}

/** The JSON Pointer of the first place where `actual` differs from `expected`, or null. */
export function firstDifference(expected: unknown, actual: unknown, path: string): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return path;
    for (const [i, item] of expected.entries()) {
      const found = firstDifference(item, actual[i], `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return path;
    const extra = Object.keys(actual).find((key) => !Object.hasOwn(expected, key));
    if (extra !== undefined) return `${path}/${extra}`;
    for (const [key, value] of Object.entries(expected)) {
      const found = firstDifference(value, Object.hasOwn(actual, key) ? actual[key] : undefined, `${path}/${key}`);
      if (found !== null) return found;
    }
    return null;
  }
  return expected === actual ? null : path;
}
