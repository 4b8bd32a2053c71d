// What kind of input a person handed a verifier: told apart by its first bytes and its JSON header
// only, so that nothing heavy (pdf-lib, the JSON-LD stack) loads before it is needed.
import { isPdf } from "../certificate/names";
import { CredrootError, isCredrootError } from "../errors";
import { parseStrictJson } from "../json";
import { isPng, looksLikeSvg, MAX_BADGE_IMAGE } from "./baked-sniff";

/** Every kind of input {@link detect} recognises. */
export const INPUT_KINDS = ["bundle", "presentation", "pdf", "png", "svg", "jwt", "sd-jwt", "vc-json"] as const;
export type InputKind = (typeof INPUT_KINDS)[number];

/** What an input is, with what the next step reads: its bytes (PDF, PNG), its text, or its parsed JSON. */
export type Detected =
  | { kind: "pdf"; bytes: Uint8Array }
  | { kind: "png"; bytes: Uint8Array }
  | { kind: "svg"; text: string }
  | { kind: "jwt"; text: string }
  | { kind: "sd-jwt"; text: string }
  | { kind: "bundle"; text: string; value: Record<string, unknown> }
  | { kind: "presentation"; text: string; value: Record<string, unknown> }
  | { kind: "vc-json"; text: string; value: Record<string, unknown> };

/** The one sentence said of anything that is none of the kinds: what credroot does read. */
export const NOT_A_CREDENTIAL_MESSAGE =
  "this is not a credential credroot can check: it reads a credroot bundle or presentation (JSON), a signed " +
  "Open Badges 3.0 / Verifiable Credential (JSON, JWT or SD-JWT), a badge image with a credential baked in " +
  "(PNG or SVG) and a credroot certificate PDF";

/**
 * Why a JSON object is refused when it has neither credroot's `type` nor an `@context`: the page and
 * the CLI hand such JSON to the bundle reader instead, which names what a bundle lacks.
 */
export const NEITHER_MARKER = "a JSON object with neither credroot's `type` nor a credential's `@context`";

/** True when `error` is {@link detect}'s refusal of a JSON object with neither marker. */
export function isUnmarkedJson(error: unknown): boolean {
  return isCredrootError(error, "NOT_A_CREDENTIAL") && error.message.endsWith(`(${NEITHER_MARKER})`);
}

const B64URL = "[A-Za-z0-9_-]+";
/** A compact JWS: three base64url parts. */
export const COMPACT_JWT = new RegExp(`^${B64URL}\\.${B64URL}\\.${B64URL}$`);
/** An SD-JWT: the issuer's JWT, `~`, disclosures each followed by `~`, and an optional key-binding JWT. */
const SD_JWT = new RegExp(`^${B64URL}\\.${B64URL}\\.${B64URL}~(${B64URL}~)*(${B64URL}\\.${B64URL}\\.${B64URL})?$`);

const notACredential = (why?: string) =>
  new CredrootError(
    "NOT_A_CREDENTIAL",
    why === undefined ? NOT_A_CREDENTIAL_MESSAGE : `${NOT_A_CREDENTIAL_MESSAGE} (${why})`,
  );

function hasType(value: Record<string, unknown>, type: string): boolean {
  const types = value.type;
  return types === type || (Array.isArray(types) && types.includes(type));
}

/** A JSON document's kind, by its `type` (credroot's own) or its `@context` and `type` (a W3C credential). */
function jsonKind(text: string): Detected {
  let value: unknown;
  try {
    value = parseStrictJson(text, "INVALID_BUNDLE", "the JSON");
  } catch (error) {
    // A key given twice or a lone surrogate is named; text that is not JSON at all is just not a credential.
    if (isCredrootError(error) && !error.message.startsWith("the JSON is not JSON")) throw error;
    throw notACredential("it starts as JSON but is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw notACredential("it is not a JSON object");
  const object = value as Record<string, unknown>;
  if (object.type === "credroot/bundle") return { kind: "bundle", text, value: object };
  if (object.type === "credroot/presentation") return { kind: "presentation", text, value: object };
  if ("@context" in object) {
    if (hasType(object, "VerifiableCredential")) return { kind: "vc-json", text, value: object };
    if (hasType(object, "VerifiablePresentation")) {
      throw notACredential("it is a Verifiable Presentation: give the credential inside it");
    }
    throw notACredential("a JSON-LD document that is not a VerifiableCredential");
  }
  throw notACredential(NEITHER_MARKER);
}

/** What a text is: JSON, an SVG document, a JWT or an SD-JWT. */
function textKind(raw: string): Detected {
  const text = raw.replace(/^\uFEFF/, "");
  const trimmed = text.trim();
  if (trimmed === "") throw new CredrootError("NOT_A_CREDENTIAL", "there is nothing to check: the input is empty");
  if (trimmed.startsWith("{")) return jsonKind(text);
  if (looksLikeSvg(trimmed)) return { kind: "svg", text };
  if (COMPACT_JWT.test(trimmed)) return { kind: "jwt", text: trimmed };
  if (SD_JWT.test(trimmed)) return { kind: "sd-jwt", text: trimmed };
  throw notACredential();
}

/**
 * What kind of input `input` is: a credroot bundle or presentation, a certificate PDF, a baked
 * PNG or SVG badge, a VC-JOSE JWT, an SD-JWT VC, or a signed W3C / Open Badges 3.0 credential in
 * JSON (`vc-json`). Only the header is read: whether the input is a valid one of its kind is for
 * the parser or verifier of that kind.
 * @throws CredrootError `NOT_A_CREDENTIAL` with one sentence listing what credroot reads (and, for
 * JSON with a key given twice or a lone surrogate, `INVALID_BUNDLE` naming it).
 * @example
 * const detected = detect(new Uint8Array(await file.arrayBuffer()));
 * if (detected.kind === "png") …
 */
export function detect(input: Uint8Array | string): Detected {
  if (typeof input === "string") return textKind(input);
  if (isPdf(input)) return { kind: "pdf", bytes: input };
  if (isPng(input)) return { kind: "png", bytes: input };
  if (input.length > MAX_BADGE_IMAGE) throw notACredential(`it is larger than ${MAX_BADGE_IMAGE} bytes`);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(input);
  } catch {
    throw notACredential("it is neither text nor a PNG or PDF file");
  }
  return textKind(text);
}
