import { valueHash } from "./commit";
import { joinBase64url, toBase64url } from "./encoding";
import { CredrootError } from "./errors";
import { ALWAYS_DISCLOSED, type Bundle } from "./bundle-format";
import { openBundle } from "./bundle-open";
import { type JsonValue, unflatten } from "./pointer";

/** `learner.email` or `/learner/email` → `/learner/email`. */
function toPointer(name: string): string {
  return name.startsWith("/") ? name : `/${name.split(".").join("/")}`;
}

/**
 * Selective disclosure: a copy in which each named field (a JSON Pointer or a dotted name; a
 * parent such as `learner` hides every field below it) keeps only its salted value hash, and the
 * shown fields carry their own salts instead of the secret. It still verifies.
 * @throws CredrootError `INVALID_ARGUMENT` for a field that does not exist or must stay disclosed.
 * @example
 * const shared = discloseBundle(bundle, ["learner.email", "assessment.grade"]);
 */
export function discloseBundle(bundle: Bundle, hide: readonly string[]): Bundle {
  const opening = openBundle(bundle);
  const hidden = new Map(opening.hidden);
  const shown = new Map(opening.shown);
  for (const name of hide) {
    const p = toPointer(name.trim());
    const matches = [...shown.keys()].filter((s) => s === p || s.startsWith(`${p}/`));
    if (matches.length === 0 && !hidden.has(p)) {
      throw new CredrootError("INVALID_ARGUMENT", `the credential has no field ${p}`);
    }
    for (const match of matches) {
      if (ALWAYS_DISCLOSED.includes(match)) {
        throw new CredrootError("INVALID_ARGUMENT", `${match} identifies the credential and cannot be hidden`);
      }
      const field = shown.get(match)!;
      hidden.set(match, valueHash(field.salt, field.value));
      shown.delete(match);
    }
  }
  const sorted = [...shown].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    type: "credroot/bundle",
    version: 2,
    anchor: { ...bundle.anchor },
    credential: unflattenShown(sorted),
    salts: joinBase64url(sorted.map(([, f]) => f.salt)),
    hidden: Object.fromEntries([...hidden].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, h]) => [p, toBase64url(h)])),
    root: bundle.root,
    proof: bundle.proof,
  };
}

function unflattenShown(fields: readonly [string, { value: JsonValue }][]): { [key: string]: JsonValue } {
  return unflatten(fields.map(([p, f]) => [p, structuredClone(f.value)] as const));
}

/** The credential as far as it is disclosed, and the pointers of its hidden fields. */
export function disclosedCredential(bundle: Bundle): { credential: { [key: string]: JsonValue }; hidden: string[] } {
  return { credential: bundle.credential, hidden: Object.keys(bundle.hidden ?? {}).sort() };
}
