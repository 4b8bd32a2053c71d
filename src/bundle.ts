import { type CommittedCredential, type Fields, hideField, isHidden } from "./commit";
import { CredrootError } from "./errors";
import type { Hex32 } from "./hash";
import { type JsonValue, unflatten } from "./pointer";
import { compileSchema, describeDetails, schemaErrors } from "./schema";

/**
 * Where a batch root is anchored: the chain, the registry contract, the issuer whose signer
 * anchored it, and the anchoring transaction.
 */
export interface AnchorRef {
  chainId: number;
  registry: string;
  issuerId: number;
  txHash: Hex32;
  blockNumber: number;
}

/** Version 1 of the proof bundle a learner keeps: everything needed to verify but the chain. */
export interface Bundle {
  type: "credroot/bundle";
  version: 1;
  credential: { fields: Fields };
  proof: { leaf: Hex32; path: Hex32[]; root: Hex32 };
  anchor: AnchorRef;
}

/**
 * Fields that cannot be hidden: what the credential is (`/id`, `/title`), who awarded it, when,
 * and until when it is valid, without which a verifier cannot identify it or check expiry.
 */
export const ALWAYS_DISCLOSED: readonly string[] = ["/id", "/title", "/awardingBody/name", "/issuedOn", "/validUntil"];

const hex32 = { type: "string", pattern: "^0x[0-9a-f]{64}$" } as const;

/** JSON Schema (draft-07) of {@link Bundle} version 1. */
export const bundleSchema = {
  $id: "https://credroot.dev/schemas/bundle-v1.json",
  type: "object",
  additionalProperties: false,
  required: ["type", "version", "credential", "proof", "anchor"],
  properties: {
    type: { const: "credroot/bundle" },
    version: { const: 1 },
    credential: {
      type: "object",
      additionalProperties: false,
      required: ["fields"],
      properties: {
        fields: {
          type: "object",
          minProperties: 1,
          maxProperties: 256,
          propertyNames: { pattern: "^(/[^/]{1,128}){1,8}$" },
          additionalProperties: {
            oneOf: [
              {
                type: "object",
                additionalProperties: false,
                required: ["salt", "value"],
                properties: { salt: hex32, value: {} },
              },
              { type: "object", additionalProperties: false, required: ["hash"], properties: { hash: hex32 } },
            ],
          },
        },
      },
    },
    proof: {
      type: "object",
      additionalProperties: false,
      required: ["leaf", "path", "root"],
      properties: { leaf: hex32, root: hex32, path: { type: "array", maxItems: 64, items: hex32 } },
    },
    anchor: {
      type: "object",
      additionalProperties: false,
      required: ["chainId", "registry", "issuerId", "txHash", "blockNumber"],
      properties: {
        chainId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        registry: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" },
        issuerId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        txHash: hex32,
        blockNumber: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      },
    },
  },
} as const;

const validate = compileSchema<Bundle>(bundleSchema);

/** Largest bundle text accepted by {@link parseBundle}, in characters. */
export const MAX_BUNDLE_TEXT = 256 * 1024;

/** Builds the bundle of one credential once its batch root is anchored. */
export function createBundle(
  committed: Pick<CommittedCredential, "fields" | "leaf">,
  proof: { path: readonly Hex32[]; root: Hex32 },
  anchor: AnchorRef,
): Bundle {
  return {
    type: "credroot/bundle",
    version: 1,
    credential: { fields: { ...committed.fields } },
    proof: { leaf: committed.leaf, path: [...proof.path], root: proof.root },
    anchor: { ...anchor },
  };
}

/**
 * Parses a bundle from JSON text or an already-parsed value; rejects anything that does not fit
 * version 1 of the format.
 * @throws CredrootError `INVALID_BUNDLE` naming what does not fit.
 * @example
 * const bundle = parseBundle(await file.text());
 */
export function parseBundle(input: unknown): Bundle {
  let value = input;
  if (typeof input === "string") {
    if (input.length > MAX_BUNDLE_TEXT) {
      throw new CredrootError("INVALID_BUNDLE", `bundle is larger than ${MAX_BUNDLE_TEXT} characters`);
    }
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new CredrootError("INVALID_BUNDLE", `bundle is not JSON: ${(cause as Error).message}`, { cause });
    }
  }
  if (!validate(value)) {
    const details = schemaErrors(validate.errors);
    throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${describeDetails(details)}`, { details });
  }
  for (const [pointer, field] of Object.entries(value.credential.fields)) {
    if (isHidden(field)) {
      if (ALWAYS_DISCLOSED.includes(pointer)) invalidField(pointer, "must not be hidden");
    } else if (depthOf(field.value) > MAX_VALUE_DEPTH) {
      invalidField(pointer, `is nested deeper than ${MAX_VALUE_DEPTH}`);
    }
  }
  return value;
}

const MAX_VALUE_DEPTH = 8;

function invalidField(pointer: string, message: string): never {
  const details = [{ path: `/credential/fields/${pointer.replace(/~/g, "~0").replace(/\//g, "~1")}`, message }];
  throw new CredrootError("INVALID_BUNDLE", `invalid bundle: ${pointer} ${message}`, { details });
}

/** Nesting depth of a JSON value, computed without recursion (hostile input may nest deeply). */
function depthOf(value: JsonValue): number {
  let deepest = 0;
  const stack: [JsonValue, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_VALUE_DEPTH) return deepest;
    if (typeof node === "object" && node !== null) {
      for (const child of Object.values(node)) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** `learner.email` or `/learner/email` → `/learner/email`. */
function toPointer(name: string): string {
  return name.startsWith("/") ? name : `/${name.split(".").join("/")}`;
}

/**
 * Selective disclosure: a new bundle in which each named field (a JSON Pointer or a dotted name;
 * a parent such as `learner` hides every field below it) keeps only its salted hash. The bundle
 * still verifies, because the digest is computed from field hashes.
 * @throws CredrootError `INVALID_ARGUMENT` for a field that does not exist or must stay disclosed.
 * @example
 * const shared = discloseBundle(bundle, ["learner.email", "assessment.grade"]);
 */
export function discloseBundle(bundle: Bundle, hide: readonly string[]): Bundle {
  const fields: Fields = { ...bundle.credential.fields };
  for (const name of hide) {
    const pointer = toPointer(name.trim());
    const matches = Object.keys(fields).filter((p) => p === pointer || p.startsWith(`${pointer}/`));
    if (matches.length === 0) throw new CredrootError("INVALID_ARGUMENT", `the credential has no field ${pointer}`);
    for (const match of matches) {
      if (ALWAYS_DISCLOSED.includes(match)) {
        throw new CredrootError("INVALID_ARGUMENT", `${match} identifies the credential and cannot be hidden`);
      }
      fields[match] = hideField(fields[match]!);
    }
  }
  return { ...structuredClone(bundle), credential: { fields } };
}

/** The credential as far as it is disclosed, and the pointers of its hidden fields. */
export function disclosedCredential(bundle: Bundle): { credential: { [key: string]: JsonValue }; hidden: string[] } {
  const shown: [string, JsonValue][] = [];
  const hidden: string[] = [];
  for (const [pointer, field] of Object.entries(bundle.credential.fields)) {
    if (isHidden(field)) hidden.push(pointer);
    else shown.push([pointer, field.value]);
  }
  return { credential: unflatten(shown), hidden: hidden.sort() };
}
