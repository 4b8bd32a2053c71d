/**
 * The proof bundle: {@link createBundle} builds one; its format, parsing, opening and disclosure
 * live in the `bundle-*` files beside this one and are re-exported here.
 */
import type { CommittedCredential } from "./commit";
import { joinBase64url, toBase64url } from "./encoding";
import type { Bundle, BundleAnchor } from "./bundle-format";
import { fromHex32, type Hex32 } from "./hash";
import type { JsonValue } from "./pointer";

export { ALWAYS_DISCLOSED, type Bundle, type BundleAnchor, bundleSchema } from "./bundle-format";
export { MAX_BUNDLE_TEXT, parseBundle } from "./bundle-parse";
export { bundlePath, bundleRoot, openBundle } from "./bundle-open";
export { disclosedCredential, discloseBundle } from "./bundle-disclose";

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

/** A bundle's parts, already encoded, for {@link assembleBundle}. */
export interface BundleParts {
  /** The credential's values; the bundle takes this object itself, uncopied. */
  credential: { [key: string]: JsonValue };
  secret: string;
  /** The batch's Merkle root, base64url (43 characters). */
  root: string;
  /** The Merkle path, the concatenation of its hashes as base64url. */
  proof: string;
}

/**
 * A full bundle of parts the caller has encoded and owns: for a caller that builds them from its
 * own storage (the service, from a database row it has just parsed) and can encode them faster
 * than this browser-safe library (Node's Buffer). Anyone else: {@link createBundle}.
 */
export function assembleBundle(parts: BundleParts, anchor: BundleAnchor): Bundle {
  return {
    type: "credroot/bundle",
    version: 2,
    anchor: { ...anchor, registry: anchor.registry.toLowerCase() },
    credential: parts.credential,
    secret: parts.secret,
    root: parts.root,
    proof: parts.proof,
  };
}

/** Builds the full bundle of one credential of the batch with Merkle root `root`. */
export function createBundle(
  committed: Pick<CommittedCredential, "secret" | "credential">,
  { path, root }: { path: readonly Hex32[]; root: Hex32 },
  anchor: BundleAnchor,
): Bundle {
  return assembleBundle(
    {
      // A copy: a caller changing the bundle must not change the batch it came from.
      credential: copyJson(committed.credential),
      secret: committed.secret,
      root: toBase64url(fromHex32(root)),
      proof: joinBase64url(path.map(fromHex32)),
    },
    anchor,
  );
}
