import { type CommittedCredential, type FieldOpening, SALT_BYTES, saltOf, valueHash } from "./commit";
import { isCanonicalValidUntil } from "./credential";
import { chunksOf, fixedBase64url, joinBase64url, toBase64url } from "./encoding";
import { CredrootError } from "./errors";
import { fromHex32, type Hex32, toHex } from "./hash";
import { findLoneSurrogate, parseStrictJson } from "./json";
import { flatten, type JsonValue, unflatten } from "./pointer";
import { compileSchema, describeDetails, schemaErrors } from "./schema";

/** Where a credential is anchored: what its leaf commits to, and the block of the anchoring transaction. */
export interface BundleAnchor {
  chainId: number;
  /** Registry contract address, lowercase `0x` + 40 hex digits. */
  registry: string;
  issuerId: number;
  /** The issuer's batch id, a lowercase UUID (16 bytes on chain). */
  batchId: string;
  /** Block of the anchoring transaction (for finding it; not needed to verify). */
  block: number;
}

/**
 * Version 2 of the proof bundle a learner keeps: everything needed to verify but the chain. A full
 * bundle carries the credential's `secret` (every salt derives from it); a disclosed copy carries
 * instead the `salts` of its shown fields and the value hashes of its `hidden` ones.
 */
export interface Bundle {
  type: "credroot/bundle";
  version: 2;
  anchor: BundleAnchor;
  /** The shown fields, nested as in the credential. */
  credential: { [key: string]: JsonValue };
  /** Full bundle: the 16-byte per-credential secret, base64url. */
  secret?: string;
  /** Disclosed copy: the 16-byte salts of the shown fields, concatenated in ascending pointer order, base64url. */
  salts?: string;
  /** Disclosed copy: pointer → 32-byte value hash (base64url) of each hidden field. */
  hidden?: Record<string, string>;
  /** The batch's Merkle root (32 bytes, base64url). */
  root: string;
  /** The Merkle path, leaf to root: 32-byte sibling hashes concatenated, base64url ("" for a batch of one). */
  proof: string;
}

/**
 * Fields that cannot be hidden: what the credential is (`/id`, `/title`), when it was issued and
 * until when it is valid, without which a verifier cannot identify it or check expiry.
 */
export const ALWAYS_DISCLOSED: readonly string[] = ["/id", "/title", "/issuedOn", "/validUntil"];

const b64 = (bytes: number) => ({ type: "string", pattern: `^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$` });
const pointer = { type: "string", pattern: "^(/[^/]{1,128}){1,8}$" } as const;
const MAX_PATH = 64;
const MAX_FIELDS = 256;

/** JSON Schema (draft-07) of {@link Bundle} version 2. */
export const bundleSchema = {
  $id: "https://credroot.dev/schemas/bundle-v2.json",
  type: "object",
  additionalProperties: false,
  required: ["type", "version", "anchor", "credential", "root", "proof"],
  properties: {
    type: { const: "credroot/bundle" },
    version: { const: 2 },
    anchor: {
      type: "object",
      additionalProperties: false,
      required: ["chainId", "registry", "issuerId", "batchId", "block"],
      properties: {
        chainId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        registry: { type: "string", pattern: "^0x[0-9a-f]{40}$" },
        issuerId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        batchId: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" },
        block: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      },
    },
    credential: {
      type: "object",
      required: ["id", "title", "issuedOn"],
      properties: { id: { type: "string" }, title: { type: "string" }, issuedOn: { type: "string" } },
    },
    secret: b64(16),
    salts: { type: "string", pattern: "^[A-Za-z0-9_-]*$", maxLength: Math.ceil((MAX_FIELDS * SALT_BYTES * 4) / 3) },
    hidden: { type: "object", maxProperties: MAX_FIELDS, propertyNames: pointer, additionalProperties: b64(32) },
    root: b64(32),
    proof: { type: "string", pattern: "^[A-Za-z0-9_-]*$", maxLength: Math.ceil((MAX_PATH * 32 * 4) / 3) },
  },
} as const;

const validate = compileSchema<Bundle>(bundleSchema);

/** Largest bundle text accepted by {@link parseBundle}, in characters. */
export const MAX_BUNDLE_TEXT = 256 * 1024;

const V1_MESSAGE =
  "this is a version 1 credroot bundle, which is not bound to its issuer and is no longer accepted: ask the issuer to re-issue it";

/** A deep copy of JSON data: a third of structuredClone's time, which serialises and parses (issue 16). */
function copyJson<T extends JsonValue>(value: T): T {
  if (typeof value !== "object" || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson) as T;
  const out: { [key: string]: JsonValue } = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(out, key, {
      value: copyJson(value[key]!),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out as T;
}

/** Builds the full bundle of one credential of the batch with Merkle root `root`. */
export function createBundle(
  committed: Pick<CommittedCredential, "secret" | "credential">,
  { path, root }: { path: readonly Hex32[]; root: Hex32 },
  anchor: BundleAnchor,
): Bundle {
  return {
    type: "credroot/bundle",
    version: 2,
    anchor: { ...anchor, registry: anchor.registry.toLowerCase() },
    // A copy: a caller changing the bundle must not change the batch it came from.
    credential: copyJson(committed.credential),
    secret: committed.secret,
    root: toBase64url(fromHex32(root)),
    proof: joinBase64url(path.map(fromHex32)),
  };
}

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

/**
 * The bundle's fields as the verifier rehashes them: every shown value with its salt (derived from
 * the secret, or read from `salts`), every hidden field's value hash.
 * @throws CredrootError `INVALID_BUNDLE` for salts or hashes that are not canonical base64url.
 */
export function openBundle(bundle: Bundle): FieldOpening {
  const values = [...flatten(bundle.credential)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  try {
    const shown = new Map<string, { salt: Uint8Array; value: JsonValue }>();
    if (bundle.secret !== undefined) {
      const secret = fixedBase64url(bundle.secret, 16, "the secret");
      for (const [p, value] of values) shown.set(p, { salt: saltOf(secret, p), value });
    } else {
      const salts = chunksOf(bundle.salts ?? "", SALT_BYTES, "salts");
      values.forEach(([p, value], i) => shown.set(p, { salt: salts[i]!, value }));
    }
    const hidden = new Map<string, Uint8Array>();
    for (const [p, hash] of Object.entries(bundle.hidden ?? {})) hidden.set(p, fixedBase64url(hash, 32, p));
    return { shown, hidden };
  } catch (cause) {
    throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${(cause as Error).message}`, { cause });
  }
}

/** The batch root a bundle names, as 0x-hex. */
export function bundleRoot(bundle: Bundle): Hex32 {
  try {
    return toHex(fixedBase64url(bundle.root, 32, "the root"));
  } catch (cause) {
    throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${(cause as Error).message}`, { cause });
  }
}

/** The Merkle path of a bundle as 0x-hex hashes, leaf to root. */
export function bundlePath(bundle: Bundle): Hex32[] {
  try {
    return chunksOf(bundle.proof, 32, "the proof").map(toHex);
  } catch (cause) {
    throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${(cause as Error).message}`, { cause });
  }
}

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
