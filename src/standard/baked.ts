// Open Badges 3.0 baked badges: a signed credential carried inside its own image (PNG or SVG).
import { CredrootError } from "../errors";
import { extractPngCredential, isPng, MAX_BADGE_IMAGE } from "./baked-png";
import { extractSvgCredential, looksLikeSvg } from "./baked-svg";
import { COMPACT_JWT } from "./detect";

export { bakePng, extractPngCredential, isPng, MAX_BADGE_IMAGE, PNG_KEYWORD } from "./baked-png";
export { bakeSvg, extractSvgCredential, looksLikeSvg, OB3_SVG_NAMESPACE } from "./baked-svg";
export { defaultBadgePng, defaultBadgeSvg, type DefaultBadgeParameters } from "./baked-default";

/** A credential taken out of a badge image: the signed JSON (`json`) or a compact VC-JOSE JWT (`jwt`). */
export interface BakedCredential {
  format: "json" | "jwt";
  text: string;
}

/** What a baked text is, by its shape: JSON starts with `{`, a JWT is three base64url parts. */
function classify(text: string): BakedCredential {
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) return { format: "json", text: trimmed };
  if (COMPACT_JWT.test(trimmed)) return { format: "jwt", text: trimmed };
  throw new CredrootError("INVALID_ARGUMENT", "not a baked badge: what is baked in is neither JSON nor a JWT");
}

/**
 * The credential baked into a badge image, PNG (`iTXt` chunk `openbadgecredential`) or SVG
 * (`<openbadges:credential>`), as Open Badges 3.0 specifies. It is only taken out: verify it with
 * `verifySignedCredential`.
 * @throws CredrootError `INVALID_ARGUMENT` when the image is neither, is larger than
 * {@link MAX_BADGE_IMAGE}, is damaged, or holds no credential or more than one.
 * @example
 * const { format, text } = extractBakedCredential(new Uint8Array(await file.arrayBuffer()));
 */
export function extractBakedCredential(bytes: Uint8Array): BakedCredential {
  if (bytes.length > MAX_BADGE_IMAGE) {
    throw new CredrootError("INVALID_ARGUMENT", `not a baked badge: larger than ${MAX_BADGE_IMAGE} bytes`);
  }
  if (isPng(bytes)) return classify(extractPngCredential(bytes));
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CredrootError("INVALID_ARGUMENT", "not a baked badge: neither a PNG nor an SVG image");
  }
  if (!looksLikeSvg(text.replace(/^\uFEFF/, ""))) {
    throw new CredrootError("INVALID_ARGUMENT", "not a baked badge: neither a PNG nor an SVG image");
  }
  return classify(extractSvgCredential(text.replace(/^\uFEFF/, "")).text);
}
