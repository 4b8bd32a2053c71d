// One entry for every signed form a person may hand a verifier: the JSON credential, the JWT, the
// SD-JWT and a badge image with either baked in. Each is taken to the text or object inside and
// judged by `verifySignedCredential`: the signature, the issuer's key on chain and the bundle inside.
import { CredrootError, isCredrootError } from "../errors";
import { parseStrictJson } from "../json";
import { extractBakedCredential } from "./baked";
import type { Detected } from "./detect";
import { type SignedVerdict, type SignedVerifyOptions, verifySignedCredential } from "./verify-credential";

/** The kinds of {@link Detected} input that are signed standard credentials (the others are credroot's own). */
export const SIGNED_KINDS = ["vc-json", "jwt", "sd-jwt", "png", "svg"] as const;
export type SignedKind = (typeof SIGNED_KINDS)[number];
export type SignedInput =
  | { kind: "png"; bytes: Uint8Array }
  | { kind: "svg" | "jwt" | "sd-jwt"; text: string }
  | { kind: "vc-json"; text: string; value: Record<string, unknown> };

/** The verdict on a signed credential, and what it came in. */
export interface AnyVerdict extends SignedVerdict {
  kind: SignedKind;
}

/** True when `detected` is a signed standard credential (or a badge image carrying one). */
export function isSignedInput(detected: Detected): detected is Detected & SignedInput {
  return (SIGNED_KINDS as readonly string[]).includes(detected.kind);
}

/** What `verifySignedCredential` is given: the JSON object, or the JWT / SD-JWT text. */
export function signedCredentialOf(input: SignedInput): object | string {
  if (input.kind === "vc-json") return input.value;
  if (input.kind === "jwt" || input.kind === "sd-jwt") return input.text;
  let baked;
  try {
    baked = extractBakedCredential(input.kind === "png" ? input.bytes : new TextEncoder().encode(input.text));
  } catch (error) {
    if (!isCredrootError(error, "INVALID_ARGUMENT")) throw error;
    throw new CredrootError("NOT_A_CREDENTIAL", error.message, { cause: error });
  }
  if (baked.format === "jwt") return baked.text;
  const value = parseStrictJson(baked.text, "NOT_A_CREDENTIAL", "the credential baked into the badge");
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new CredrootError("NOT_A_CREDENTIAL", "the credential baked into the badge is not a JSON object");
  }
  return value;
}

/**
 * Verifies a signed standard credential in any of its forms: the Open Badges 3.0 / VC JSON with a
 * Data Integrity proof, the VC-JOSE JWT, the SD-JWT VC, or a PNG / SVG badge with one baked in. The
 * verdict and checks are those of the credroot bundle inside, plus `signature` and `issuer-key`.
 * @throws CredrootError `NOT_A_CREDENTIAL` when a badge holds no readable credential, and what
 * `verifySignedCredential` throws for a credential that carries no bundle.
 * @example
 * const detected = detect(bytes);
 * if (isSignedInput(detected)) show(await verifyAny(detected, { chains }));
 */
export async function verifyAny(input: SignedInput, options: SignedVerifyOptions): Promise<AnyVerdict> {
  const result = await verifySignedCredential(signedCredentialOf(input), options);
  return { ...result, kind: input.kind };
}
