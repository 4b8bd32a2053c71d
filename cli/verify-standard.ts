import { decodeJwt } from "jose";
import { type Bundle, isCredrootError, parseBundle, type TrustedChain } from "../src";
import { CREDROOT_BUNDLE_TYPE } from "../src/export";
import { detect, isUnmarkedJson } from "../src/standard/detect";
import { sdJwtToBundle } from "../src/standard/sd-jwt-verify";
import { isSignedInput, type SignedInput, signedCredentialOf, verifyAny } from "../src/standard/verify-any";
import type { FileOutcome } from "./verify-report";

/** A signed credential read from a file, with the bundle it carries (to know which chain and registry to ask). */
export interface SignedFile {
  kind: "signed";
  file: string;
  input: SignedInput;
  bundle: Bundle | null;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The bundle inside a signed credential, unchecked (the verifier judges it), or null when there is none. */
function embeddedBundle(credential: object | string): Bundle | null {
  try {
    const doc: unknown = typeof credential === "string" ? decodeJwt(credential.split("~")[0]!) : credential;
    if (!isObject(doc)) return null;
    const evidence = (Array.isArray(doc.evidence) ? doc.evidence : [doc.evidence]).filter(
      (e): e is Record<string, unknown> =>
        isObject(e) && Array.isArray(e.type) && e.type.includes(CREDROOT_BUNDLE_TYPE),
    );
    return evidence.length === 1 ? parseBundle(evidence[0]!.credrootBundle) : null;
  } catch {
    return null;
  }
}

/**
 * What a file is when it is not a credroot bundle or presentation in JSON: a signed credential
 * (OB 3.0 / VC JSON, a JWT, an SD-JWT, a baked PNG or SVG badge), a file credroot does not read at
 * all (its outcome, saying what credroot reads), or null for JSON the bundle reader should judge
 * (a bundle, a presentation, or JSON with neither `type` nor `@context`: "not a bundle: …").
 */
export async function loadSigned(
  file: string,
  bytes: Uint8Array,
): Promise<SignedFile | { kind: "outcome"; outcome: FileOutcome } | null> {
  let detected;
  try {
    detected = detect(bytes);
  } catch (error) {
    if (!isCredrootError(error, "NOT_A_CREDENTIAL") || isUnmarkedJson(error)) return null;
    return {
      kind: "outcome",
      outcome: { file, verdict: null, error: { code: "NOT_A_CREDENTIAL", message: error.message } },
    };
  }
  if (!isSignedInput(detected)) return null;
  const refused = (code: "NOT_A_CREDENTIAL" | "INVALID_BUNDLE", message: string) =>
    ({ kind: "outcome", outcome: { file, verdict: null, error: { code, message } } }) as const;
  let credential;
  try {
    credential = signedCredentialOf(detected); // a badge's credential, taken out now: a bad badge is said at once
  } catch (error) {
    if (!isCredrootError(error)) throw error;
    return refused("NOT_A_CREDENTIAL", error.message);
  }
  // An SD-JWT VC's bundle is rebuilt from its disclosures (sdJwtToBundle); the others carry it as evidence.
  let bundle: Bundle | null;
  try {
    bundle = detected.kind === "sd-jwt" ? await sdJwtToBundle(detected.text) : embeddedBundle(credential);
  } catch (error) {
    if (!isCredrootError(error)) throw error;
    return refused("INVALID_BUNDLE", error.message);
  }
  if (bundle === null) {
    return refused("INVALID_BUNDLE", "not a credential credroot issued: it carries no credroot bundle as evidence");
  }
  return { kind: "signed", file, input: detected, bundle };
}

/**
 * Verifies a signed credential against `chain` (null: the endpoint could not say which chain it
 * serves, so nothing is asked): the verdict and checks of the bundle inside, plus `signature` and
 * `issuer-key`. A file that carries no credroot bundle is reported, not verified.
 */
export async function verifySignedFile(
  item: SignedFile,
  chain: TrustedChain | null,
  why: string,
  timeoutMs: number,
): Promise<FileOutcome> {
  const { file, input } = item;
  if (chain === null) {
    const message = `could not ask the JSON-RPC endpoint which chain it serves: ${why}`;
    return {
      file,
      verdict: "chain-unavailable",
      checks: [{ name: "registry", ok: null, message }],
      credential: {},
      hidden: [],
      issuer: null,
      anchoredAt: null,
      digest: null,
      leaf: null,
    };
  }
  try {
    const { checks, ...result } = await verifyAny(input, { chains: [chain], timeoutMs });
    return { file, ...result, checks };
  } catch (error) {
    if (!isCredrootError(error)) throw error;
    const code = error.code === "NOT_A_CREDENTIAL" ? "NOT_A_CREDENTIAL" : "INVALID_BUNDLE";
    return { file, verdict: null, error: { code, message: `not a credential credroot issued: ${error.message}` } };
  }
}
