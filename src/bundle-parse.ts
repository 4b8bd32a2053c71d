import { SALT_BYTES } from "./commit";
import { isCanonicalValidUntil } from "./credential";
import { chunksOf, fixedBase64url } from "./encoding";
import { CredrootError } from "./errors";
import { ALWAYS_DISCLOSED, type Bundle, bundleSchema, MAX_FIELDS } from "./bundle-format";
import { findLoneSurrogate, parseStrictJson } from "./json";
import { flatten, type JsonValue } from "./pointer";
import { compileSchema, describeDetails, schemaErrors } from "./schema";

const validate = compileSchema<Bundle>(bundleSchema);

/** Largest bundle text accepted by {@link parseBundle}, in characters. */
export const MAX_BUNDLE_TEXT = 256 * 1024;

const V1_MESSAGE =
  "this is a version 1 credroot bundle, which is not bound to its issuer and is no longer accepted: ask the issuer to re-issue it";

function invalid(message: string, path = "/"): never {
  throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${message}`, { details: [{ path, message }] });
}

/**
 * Parses a bundle from JSON text or an already-parsed value; rejects anything that does not fit
 * version 2 of the format, duplicate keys and lone surrogates included. A version 1 bundle is
 * refused with a message that says to have it re-issued.
 * @throws CredrootError `INVALID_BUNDLE` naming what does not fit.
 * @example
 * const bundle = parseBundle(await file.text());
 */
export function parseBundle(input: unknown): Bundle {
  let value = input;
  if (typeof input === "string") {
    if (input.length > MAX_BUNDLE_TEXT) invalid(`larger than ${MAX_BUNDLE_TEXT} characters`);
    value = parseStrictJson(input, "INVALID_BUNDLE", "the bundle");
  } else {
    const lone = findLoneSurrogate(input);
    if (lone !== null) invalid(`a lone surrogate (not Unicode text) at ${lone}`, lone);
  }
  const version = (value as { type?: unknown; version?: unknown } | null)?.version;
  if ((value as { type?: unknown } | null)?.type === "credroot/bundle" && version === 1) {
    throw new CredrootError("INVALID_BUNDLE", V1_MESSAGE, { details: [{ path: "/version", message: V1_MESSAGE }] });
  }
  if (!validate(value)) {
    const details = schemaErrors(validate.errors);
    throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${describeDetails(details)}`, { details });
  }
  checkFields(value);
  return value;
}

const MAX_VALUE_DEPTH = 8;

function checkFields(bundle: Bundle): void {
  // Before flatten, which recurses: a hostile value 12,000 objects deep would overflow the stack.
  if (depthOf(bundle.credential) > MAX_VALUE_DEPTH + 1) invalid(`a value is nested deeper than ${MAX_VALUE_DEPTH}`);
  const shown = [...flatten(bundle.credential).keys()];
  const hidden = Object.keys(bundle.hidden ?? {});
  if (shown.length + hidden.length > MAX_FIELDS) invalid(`more than ${MAX_FIELDS} fields`);
  if ((bundle.secret === undefined) === (bundle.salts === undefined)) {
    invalid("a bundle carries either its secret (full) or the salts of its shown fields (disclosed copy)");
  }
  if (bundle.secret !== undefined && hidden.length > 0) invalid("a full bundle hides no field", "/hidden");
  if (bundle.salts !== undefined && bundle.salts.length !== Math.ceil((shown.length * SALT_BYTES * 4) / 3)) {
    invalid(`salts must hold ${SALT_BYTES} bytes for each of the ${shown.length} shown fields`, "/salts");
  }
  for (const p of hidden) {
    if (ALWAYS_DISCLOSED.includes(p)) invalid(`${p} must not be hidden`, "/hidden");
    if (shown.some((s) => s === p || s.startsWith(`${p}/`) || p.startsWith(`${s}/`))) {
      invalid(`${p} is both shown and hidden`, "/hidden");
    }
  }
  for (const p of shown) {
    if (p.split("/").length > MAX_VALUE_DEPTH + 1) invalid(`${p} is nested deeper than ${MAX_VALUE_DEPTH}`);
  }
  checkEncodings(bundle);
  const validUntil = bundle.credential.validUntil;
  if (validUntil !== undefined && (typeof validUntil !== "string" || !isCanonicalValidUntil(validUntil))) {
    invalid(
      "validUntil must be a calendar date YYYY-MM-DD or a UTC instant YYYY-MM-DDTHH:MM:SS.sssZ",
      "/credential/validUntil",
    );
  }
}

/**
 * Every byte string of the bundle must be canonical base64url of the right length, so that a
 * bundle has one text form and a bad encoding is a malformed bundle, not a failed digest.
 */
function checkEncodings(bundle: Bundle): void {
  const decode = (path: string, read: () => unknown) => {
    try {
      read();
    } catch (error) {
      invalid(`${path}: ${(error as Error).message}`, path);
    }
  };
  const { secret, salts, hidden, proof } = bundle;
  if (secret !== undefined) decode("/secret", () => fixedBase64url(secret, 16, "the secret"));
  if (salts !== undefined) decode("/salts", () => chunksOf(salts, SALT_BYTES, "salts"));
  decode("/root", () => fixedBase64url(bundle.root, 32, "the root"));
  decode("/proof", () => chunksOf(proof, 32, "the proof"));
  for (const [p, hash] of Object.entries(hidden ?? {})) {
    decode(`/hidden/${p.replace(/~/g, "~0").replace(/\//g, "~1")}`, () => fixedBase64url(hash, 32, p));
  }
}

/** Nesting depth of a JSON value, computed without recursion (hostile input may nest deeply). */
function depthOf(value: JsonValue): number {
  let deepest = 0;
  const stack: [JsonValue, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_VALUE_DEPTH + 1) return deepest;
    if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}
