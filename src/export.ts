import { type Bundle, type BundleAnchor, disclosedCredential, MAX_BUNDLE_TEXT, parseBundle } from "./bundle";
import { fromBase64url } from "./encoding";
import { CredrootError } from "./errors";
import { findLoneSurrogate, parseStrictJson } from "./json";
import type { JsonValue } from "./pointer";
import type { IssuerRecord } from "./registry-verify";
import { CREDROOT_CONTEXT_URL } from "./standard/context";
import { dateTime, firstDifference, isObject, type Json, pick, text } from "./standard/fields";
import { type DocumentIssuer, ob3Issuer, ob3Subject, REGISTRY_IDENTIFIER_TYPE } from "./standard/ob3";
import { readStatusListEntry, type StatusListEntry } from "./standard/status-list-entry";
import { vcIssuer, vcSubject } from "./standard/vc";

/** `vc`: a plain W3C Verifiable Credential 2.0; `ob3`: an Open Badges 3.0 `OpenBadgeCredential`. */
export type ExportFormat = "vc" | "ob3";

export const VC_CONTEXT = "https://www.w3.org/ns/credentials/v2";
export const OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/** The `type` of the evidence entry that carries the proof bundle. */
export const CREDROOT_BUNDLE_TYPE = "CredrootBundle";

/** What an export made without the issuer's key says about itself, in `credrootUnsigned`. */
export const UNSIGNED_NOTICE =
  "UNSIGNED: no issuer signature. Written from a credroot proof bundle without the issuer's key; standard verifiers " +
  "will refuse it. The embedded bundle still verifies against the chain with credroot; for a signed copy, fetch " +
  "GET /v1/credentials/{id}/credential from the issuer's service.";

/** Why the evidence entry is there, for a person reading the document. */
const BUNDLE_DESCRIPTION =
  "The credroot proof bundle of this credential: the disclosed fields with their salts, the Merkle path and where " +
  "its batch is anchored on chain. credroot verifies it against the registry.";

/** An embedded Data Integrity proof, as the signing libraries write it. */
export interface DataIntegrityProof {
  type: "DataIntegrityProof";
  cryptosuite: string;
  verificationMethod: string;
  proofPurpose: string;
  created?: string;
  proofValue: string;
  [key: string]: JsonValue | undefined;
}

/** A W3C Verifiable Credentials 2.0 document (an Open Badges 3.0 credential for `ob3`). */
export interface VerifiableCredential {
  "@context": string[];
  id: string;
  type: string[];
  name: string;
  issuer: Json;
  validFrom: string;
  validUntil?: string;
  credentialSubject: Json;
  /** The evidence URL, if disclosed, and always the entry of type `CredrootBundle` with the bundle. */
  evidence: Json[];
  /** The credential's revocation bit in its issuer's Bitstring Status List, when the service assigned one. */
  credentialStatus?: StatusListEntry;
  /** Present (with {@link UNSIGNED_NOTICE}) on an export that no issuer key signed. */
  credrootUnsigned?: string;
  /** Absent until signed (`signCredential` of `src/standard`); always an array, as OB 3.0 requires. */
  proof?: DataIntegrityProof[];
}

/**
 * The issuer an export names: the registry's record of the issuer the bundle is anchored under
 * (`RegistryClient.getIssuer`, or `VerificationResult.issuer`). It is the awarding body; nothing in
 * the bundle names one.
 */
export type ExportIssuer = Pick<IssuerRecord, "id" | "name" | "uri">;

export interface ExportOptions {
  /** Default `ob3`. */
  format?: ExportFormat;
  /**
   * The `did:key` of the key that will sign the document: it becomes `issuer.id` (what standard
   * verifiers match the signature against). Without it, the document is an unsigned export: its
   * issuer is the registry URN and it carries {@link UNSIGNED_NOTICE}.
   */
  issuerDid?: string;
  /** The `credentialStatus` entry (`statusListEntry` of `src/standard`): outside the bundle, set by the service. */
  credentialStatus?: StatusListEntry;
}

export interface ImportOptions {
  /**
   * The registry's record of the bundle's issuer. When given, the document's `issuer` must name it
   * exactly; without it, the issuer's name and URL are not checked (they are not part of the
   * bundle, and `verifyBundle` reads them from the chain).
   */
  issuer?: ExportIssuer;
}

function invalid(message: string): never {
  throw new CredrootError("INVALID_BUNDLE", message);
}

function required(credential: Json, key: string): string {
  return text(credential, key) ?? invalid(`the bundle discloses no /${key}`);
}

/** The on-chain issuer record, which is what verification checks, named as a URI. */
export function registryIssuerUrn(anchor: BundleAnchor): string {
  return `urn:credroot:issuer:${anchor.chainId}:${anchor.registry.toLowerCase()}:${anchor.issuerId}`;
}

/** A JavaScript caller may pass anything: only a record of the bundle's own issuer is used. */
function checkIssuer(issuer: ExportIssuer, anchor: BundleAnchor): void {
  const record = issuer as Partial<ExportIssuer> | null;
  if (typeof record?.name !== "string" || typeof record.uri !== "string") {
    throw new CredrootError("INVALID_ARGUMENT", "the issuer must be the registry's record: { id, name, uri }");
  }
  if (issuer.id !== anchor.issuerId) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `the issuer record is of issuer ${issuer.id}, but the bundle is anchored under issuer ${anchor.issuerId}`,
    );
  }
}

/**
 * The bundle as a W3C Verifiable Credentials 2.0 document (or an Open Badges 3.0 credential), ready
 * to sign: the disclosed fields mapped onto the standard properties and, for the EU elements those
 * lack, onto credroot's own context; hidden fields left out; `issuer` named as the registry records
 * it; and the bundle itself as an evidence entry, so that {@link fromVerifiableCredential} gives it
 * back unchanged and credroot checks the chain anchor too. Every term is defined by the contexts it
 * names. Without `options.issuerDid` the document says it is unsigned (`credrootUnsigned`).
 * @param issuer The registry's record of the bundle's issuer (`RegistryClient.getIssuer(bundle.anchor.issuerId)`
 * on the bundle's trusted registry): never a name taken from the bundle or its holder.
 * @throws CredrootError `INVALID_BUNDLE` when the bundle is not one; `INVALID_ARGUMENT` when `issuer`
 * is not the record of the issuer the bundle is anchored under, or `issuerDid` is not a DID.
 * @example
 * const issuer = await new RegistryClient(registry, provider).getIssuer(bundle.anchor.issuerId);
 * const badge = toVerifiableCredential(bundle, issuer, { format: "ob3" });
 */
export function toVerifiableCredential(
  input: Bundle,
  issuer: ExportIssuer,
  options: ExportOptions = {},
): VerifiableCredential {
  const bundle = parseBundle(input);
  checkIssuer(issuer, bundle.anchor);
  const { issuerDid } = options;
  if (issuerDid !== undefined && !/^did:[a-z0-9]+:\S+$/.test(issuerDid)) {
    throw new CredrootError("INVALID_ARGUMENT", `the issuer's DID must be a did:…, not ${JSON.stringify(issuerDid)}`);
  }
  const ob3 = (options.format ?? "ob3") === "ob3";
  const { credential, hidden } = disclosedCredential(bundle);
  const id = required(credential, "id");
  const named: DocumentIssuer = {
    id: issuerDid ?? registryIssuerUrn(bundle.anchor),
    registryIssuer: registryIssuerUrn(bundle.anchor),
    name: issuer.name,
    uri: issuer.uri,
  };
  const validUntil = text(credential, "validUntil");
  const evidenceUrl = text(credential, "evidenceUrl");
  const evidence: Json[] = [
    ...(evidenceUrl === undefined ? [] : [{ id: evidenceUrl, type: [ob3 ? "Evidence" : "LearningEvidence"] }]),
    {
      type: ob3 ? ["Evidence", CREDROOT_BUNDLE_TYPE] : [CREDROOT_BUNDLE_TYPE],
      name: "credroot proof bundle",
      description: BUNDLE_DESCRIPTION,
      credrootBundle: bundle as unknown as Json,
      hiddenFields: hidden,
    },
  ];
  return {
    "@context": ob3 ? [VC_CONTEXT, OB3_CONTEXT, CREDROOT_CONTEXT_URL] : [VC_CONTEXT, CREDROOT_CONTEXT_URL],
    id,
    type: ob3 ? ["VerifiableCredential", "OpenBadgeCredential"] : ["VerifiableCredential"],
    name: required(credential, "title"),
    issuer: ob3 ? ob3Issuer(named, credential) : vcIssuer(named, credential),
    validFrom: dateTime(required(credential, "issuedOn"), false),
    ...(validUntil === undefined ? {} : { validUntil: dateTime(validUntil, true) }),
    credentialSubject: ob3 ? ob3Subject(credential, id) : vcSubject(credential),
    evidence,
    ...(options.credentialStatus === undefined ? {} : { credentialStatus: { ...options.credentialStatus } }),
    ...(issuerDid === undefined ? { credrootUnsigned: UNSIGNED_NOTICE } : {}),
  };
}

/** The issuer the document names, for rebuilding it when the registry's record is not at hand. */
function claimedIssuer(doc: Json, anchor: BundleAnchor): ExportIssuer {
  const issuer = doc.issuer;
  if (!isObject(issuer) || typeof issuer.name !== "string") invalid("the credential's /issuer names no issuer");
  const url = pick(issuer, "url") ?? pick(issuer, "homepage");
  if (url !== undefined && (typeof url !== "string" || url === "")) invalid("the credential's /issuer URL is not one");
  return { id: anchor.issuerId, name: issuer.name, uri: url ?? "" };
}

/** The DID a document names as its issuer, or undefined for an unsigned export (or none at all). */
function claimedDid(doc: Json): string | undefined {
  const id = isObject(doc.issuer) ? pick(doc.issuer, "id") : undefined;
  return typeof id === "string" && id.startsWith("did:") ? id : undefined;
}

/** The JWT claims a VC-JOSE credential from `signCredentialJwt` adds to the credential. */
export const JWT_CLAIMS = ["iss", "iat", "nbf", "exp"] as const;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+$/;

/** A VC-JOSE JWT's credential (its payload less {@link JWT_CLAIMS}), read without checking the signature. */
function jwtCredential(jwt: string): unknown {
  const payload = COMPACT_JWS.exec(jwt.trim())![1]!;
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true }).decode(fromBase64url(payload));
  } catch {
    invalid("the JWT's payload is not base64url UTF-8 text");
  }
  const claims = parseStrictJson(json, "INVALID_BUNDLE", "the JWT's payload");
  if (!isObject(claims)) invalid("the JWT's payload is not a JSON object");
  const claimNames: readonly string[] = JWT_CLAIMS;
  return Object.fromEntries(Object.entries(claims).filter(([name]) => !claimNames.includes(name)));
}

function readDocument(input: unknown): Json {
  let doc = input;
  if (typeof input === "string") {
    if (input.length > 3 * MAX_BUNDLE_TEXT) invalid(`credential is larger than ${3 * MAX_BUNDLE_TEXT} characters`);
    doc = COMPACT_JWS.test(input.trim())
      ? jwtCredential(input)
      : parseStrictJson(input, "INVALID_BUNDLE", "the credential");
  } else {
    const lone = findLoneSurrogate(input);
    if (lone !== null) invalid(`the credential has a lone surrogate (not Unicode text) at ${lone}`);
  }
  if (!isObject(doc)) invalid("a verifiable credential is a JSON object");
  return doc;
}

/** The one evidence entry of type `CredrootBundle`. */
function bundleEvidence(doc: Json): Json {
  const evidence = Array.isArray(doc.evidence) ? doc.evidence : doc.evidence === undefined ? [] : [doc.evidence];
  const ours = evidence.filter((e) => isObject(e) && Array.isArray(e.type) && e.type.includes(CREDROOT_BUNDLE_TYPE));
  const [only] = ours;
  if (ours.length === 1 && isObject(only)) return only;
  const proofs = Array.isArray(doc.proof) ? doc.proof : [doc.proof];
  if (ours.length === 0 && proofs.some((p) => isObject(p) && p.type === "CredrootMerkleAnchor2026")) {
    invalid("this is an export of an earlier credroot (a CredrootMerkleAnchor2026 proof): export the bundle again");
  }
  invalid(`the credential carries ${ours.length === 0 ? "no" : "more than one"} ${CREDROOT_BUNDLE_TYPE} evidence`);
}

/**
 * The bundle inside a credential written by {@link toVerifiableCredential} (signed or not, as JSON
 * or as a VC-JOSE JWT), unchanged. Every visible property must be exactly what the embedded bundle
 * discloses: a document whose claims were edited, or extended with claims the bundle does not
 * commit to, is refused; so is JSON text with a key twice (a reader keeping the first could see
 * other claims than the one keeping the last). The issuer's name and URL are checked against
 * `options.issuer`, the registry's record, when given. Signatures are not checked here
 * (`verifyDataIntegrity` / `verifyCredentialJwt` of `src/standard` do), nor the bundle itself
 * beyond its format (`verifyBundle` tells whether it holds).
 * @throws CredrootError `INVALID_BUNDLE` when the document is not JSON (or a JWT), repeats a key,
 * has no `CredrootBundle` evidence, its embedded bundle is not one, or it disagrees with it.
 * @example
 * const bundle = fromVerifiableCredential(text);
 */
export function fromVerifiableCredential(input: unknown, options: ImportOptions = {}): Bundle {
  const doc = readDocument(input);
  const bundle = parseBundle(bundleEvidence(doc).credrootBundle);
  const type = doc.type;
  const format: ExportFormat = Array.isArray(type) && type.includes("OpenBadgeCredential") ? "ob3" : "vc";
  const issuer = options.issuer ?? claimedIssuer(doc, bundle.anchor);
  const did = claimedDid(doc);
  const status = readStatusListEntry(doc.credentialStatus); // not committed to by the bundle: its shape is checked
  const expected = toVerifiableCredential(bundle, issuer, {
    format,
    ...(did === undefined ? {} : { issuerDid: did }),
    ...(status === null ? {} : { credentialStatus: status }),
  });
  const visible: Json = { ...doc };
  delete visible.proof;
  const differs = firstDifference(expected, visible, "");
  if (differs === null) return bundle;
  const against =
    options.issuer && /^\/issuer\/(name|url|homepage)$/.test(differs)
      ? `the registry's record of issuer ${issuer.id}`
      : "its embedded bundle";
  invalid(`the credential's ${differs} disagrees with ${against}`);
}

export { REGISTRY_IDENTIFIER_TYPE };
