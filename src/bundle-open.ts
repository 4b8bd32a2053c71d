import { type FieldOpening, SALT_BYTES, saltOf } from "./commit";
import { chunksOf, fixedBase64url } from "./encoding";
import { CredrootError } from "./errors";
import type { Bundle } from "./bundle-format";
import { type Hex32, toHex } from "./hash";
import { flatten, type JsonValue } from "./pointer";

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
