import { type Bundle, type BundleAnchor, disclosedCredential, MAX_BUNDLE_TEXT, parseBundle } from "./bundle";
import { CredrootError } from "./errors";
import { findLoneSurrogate, parseStrictJson } from "./json";
import type { JsonValue } from "./pointer";
import type { IssuerRecord } from "./registry-verify";

/** `vc`: a plain W3C Verifiable Credential 2.0; `ob3`: an Open Badges 3.0 `OpenBadgeCredential`. */
export type ExportFormat = "vc" | "ob3";

/** The proof type credroot defines: the whole (v2) bundle, verified against the registry on chain. */
export const CREDROOT_PROOF_TYPE = "CredrootMerkleAnchor2026";

const VC_CONTEXT = "https://www.w3.org/ns/credentials/v2";
const OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json";

/** The `proof` of an exported credential: everything needed to verify it and to import it back. */
export interface CredrootProof {
  type: typeof CREDROOT_PROOF_TYPE;
  proofPurpose: "assertionMethod";
  /** JSON Pointers of the fields the holder hid: absent from the document, committed in the bundle. */
  hidden: string[];
  /** The proof bundle, unchanged. */
  credroot: Bundle;
}

/** A W3C Verifiable Credentials 2.0 document (an Open Badges 3.0 credential for `ob3`). */
export interface VerifiableCredential {
  "@context": string[];
  id: string;
  type: string[];
  name: string;
  issuer: { [key: string]: JsonValue };
  validFrom: string;
  validUntil?: string;
  credentialSubject: { [key: string]: JsonValue };
  evidence?: { [key: string]: JsonValue }[];
  proof: CredrootProof;
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
}

export interface ImportOptions {
  /**
   * The registry's record of the bundle's issuer. When given, the document's `issuer` must name it
   * exactly; without it, the issuer's name and URL are not checked (they are not part of the
   * bundle, and `verifyBundle` reads them from the chain).
   */
  issuer?: ExportIssuer;
}

type Json = { [key: string]: JsonValue };

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function pick(object: Json, key: string): JsonValue | undefined {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function required(credential: Json, key: string): string {
  const value = pick(credential, key);
  if (typeof value !== "string") throw new CredrootError("INVALID_BUNDLE", `the bundle discloses no /${key}`);
  return value;
}

/** Drops undefined properties, so an absent field leaves no key in the document. */
function compact(object: { [key: string]: JsonValue | undefined }): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(object)) if (value !== undefined) out[key] = value;
  return out;
}

/** A date is the start of that day (validFrom) or its end (validUntil, as {@link expiryInstant}); a date-time stays. */
function dateTime(value: string, end: boolean): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${end ? "23:59:59" : "00:00:00"}Z` : value;
}

/** The on-chain issuer record, which is what verification checks, named as a URI. */
function issuerUrn(anchor: BundleAnchor): string {
  return `urn:credroot:issuer:${anchor.chainId}:${anchor.registry.toLowerCase()}:${anchor.issuerId}`;
}

/** The issuer as the registry records it; only its country comes from the credential (a claim it commits to). */
function issuerOf(issuer: ExportIssuer, credential: Json, anchor: BundleAnchor, ob3: boolean): Json {
  const country = pick(credential, "issuerCountry");
  return compact({
    id: issuerUrn(anchor),
    type: ob3 ? ["Profile"] : undefined,
    name: issuer.name,
    url: issuer.uri === "" ? undefined : issuer.uri,
    address:
      country === undefined ? undefined : compact({ type: ob3 ? ["Address"] : undefined, addressCountryCode: country }),
  });
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

const IDENTITY_TYPES: [string, string][] = [
  ["name", "name"],
  ["identifier", "identifier"],
  ["email", "emailAddress"],
  ["dateOfBirth", "ext:dateOfBirth"],
];

function ob3Subject(credential: Json, id: string): Json {
  const learnerValue = pick(credential, "learner");
  const learner = isObject(learnerValue) ? learnerValue : {};
  const workload = pick(credential, "workload");
  const assessment = pick(credential, "assessment");
  const outcomes = pick(credential, "learningOutcomes");
  const grade = isObject(assessment) ? pick(assessment, "grade") : undefined;
  const eqf = pick(credential, "eqfLevel");
  const skills = pick(credential, "skills");
  const alignment: Json[] = [
    ...(Array.isArray(skills) ? skills : [])
      .filter((url) => typeof url === "string")
      .map((url) => ({
        type: ["Alignment"],
        targetName: url.split("/").at(-1) || url,
        targetUrl: url,
        targetFramework: "ESCO",
      })),
    ...(typeof eqf !== "number"
      ? []
      : [
          {
            type: ["Alignment"],
            targetName: `EQF level ${eqf}`,
            targetUrl: `http://data.europa.eu/snb/eqf/${eqf}`,
            targetFramework: "European Qualifications Framework",
          },
        ]),
  ];
  const title = required(credential, "title");
  const achievement = compact({
    id: `${id}#achievement`,
    type: ["Achievement"],
    achievementType: "MicroCredential",
    name: title,
    // OB3 requires a description; the title stands in when the credential has none.
    description: pick(credential, "description") ?? title,
    criteria: Array.isArray(outcomes)
      ? { narrative: outcomes.map((o) => `- ${typeof o === "string" ? o : JSON.stringify(o)}`).join("\n") }
      : undefined,
    creditsAvailable: isObject(workload) ? pick(workload, "ects") : undefined,
    alignment: alignment.length > 0 ? alignment : undefined,
    resultDescription:
      grade === undefined
        ? undefined
        : [{ id: `${id}#grade`, type: ["ResultDescription"], name: "Grade", resultType: "Result" }],
  });
  const identifier = IDENTITY_TYPES.flatMap(([key, identityType]) => {
    const value = pick(learner, key);
    return value === undefined ? [] : [{ type: "IdentityObject", identityType, hashed: false, identityHash: value }];
  });
  return compact({
    type: ["AchievementSubject"],
    identifier: identifier.length > 0 ? identifier : undefined,
    achievement,
    result: grade === undefined ? undefined : [{ type: ["Result"], resultDescription: `${id}#grade`, value: grade }],
  });
}

/** Keys of a credential that a plain VC carries outside `credentialSubject.achievement`. */
const VC_TOP_LEVEL = ["id", "learner", "issuerCountry", "issuedOn", "validUntil", "evidenceUrl"];

/** The plain VC subject: the learner's disclosed fields, and the rest of the credential as `achievement`. */
function vcSubject(credential: Json): Json {
  const learner = pick(credential, "learner");
  // fromEntries defines keys, so a "__proto__" key of a credential stays a plain key.
  const rest: Json = Object.fromEntries(Object.entries(credential).filter(([key]) => !VC_TOP_LEVEL.includes(key)));
  return Object.fromEntries([...Object.entries(isObject(learner) ? learner : {}), ["achievement", rest]]);
}

/**
 * The bundle as a W3C Verifiable Credentials 2.0 document (or an Open Badges 3.0 credential): the
 * disclosed fields mapped onto the standard properties, hidden fields left out, `issuer` named as
 * the registry records it, and a `CredrootMerkleAnchor2026` proof that carries the whole bundle, so
 * the document verifies as the bundle does and {@link fromVerifiableCredential} gives the bundle
 * back unchanged.
 * @param issuer The registry's record of the bundle's issuer (`RegistryClient.getIssuer(bundle.anchor.issuerId)`
 * on the bundle's trusted registry): never a name taken from the bundle or its holder.
 * @throws CredrootError `INVALID_BUNDLE` when the bundle is not one; `INVALID_ARGUMENT` when `issuer`
 * is not the record of the issuer the bundle is anchored under.
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
  const ob3 = (options.format ?? "ob3") === "ob3";
  const { credential, hidden } = disclosedCredential(bundle);
  const id = required(credential, "id");
  const validUntil = pick(credential, "validUntil");
  const evidence = pick(credential, "evidenceUrl");
  return {
    "@context": ob3 ? [VC_CONTEXT, OB3_CONTEXT] : [VC_CONTEXT],
    id,
    type: ob3 ? ["VerifiableCredential", "OpenBadgeCredential"] : ["VerifiableCredential"],
    name: required(credential, "title"),
    issuer: issuerOf(issuer, credential, bundle.anchor, ob3),
    validFrom: dateTime(required(credential, "issuedOn"), false),
    ...(typeof validUntil === "string" ? { validUntil: dateTime(validUntil, true) } : {}),
    credentialSubject: ob3 ? ob3Subject(credential, id) : vcSubject(credential),
    ...(typeof evidence === "string" ? { evidence: [{ id: evidence, type: ["Evidence"] }] } : {}),
    proof: { type: CREDROOT_PROOF_TYPE, proofPurpose: "assertionMethod", hidden, credroot: bundle },
  };
}

/** The JSON Pointer of the first place where `actual` differs from `expected`, or null. */
function firstDifference(expected: unknown, actual: unknown, path: string): string | null {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) return path;
    for (const [i, item] of expected.entries()) {
      const found = firstDifference(item, actual[i], `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return path;
    const extra = Object.keys(actual).find((key) => !Object.hasOwn(expected, key));
    if (extra !== undefined) return `${path}/${extra}`;
    for (const [key, value] of Object.entries(expected)) {
      const found = firstDifference(value, Object.hasOwn(actual, key) ? actual[key] : undefined, `${path}/${key}`);
      if (found !== null) return found;
    }
    return null;
  }
  return expected === actual ? null : path;
}

function invalid(message: string): never {
  throw new CredrootError("INVALID_BUNDLE", message);
}

/** The issuer the document names, for rebuilding it when the registry's record is not at hand. */
function claimedIssuer(doc: Json, anchor: BundleAnchor): ExportIssuer {
  const issuer = doc.issuer;
  if (!isObject(issuer) || typeof issuer.name !== "string") invalid("the credential's /issuer names no issuer");
  const url = pick(issuer, "url");
  if (url !== undefined && (typeof url !== "string" || url === ""))
    invalid("the credential's /issuer/url is not a URL");
  return { id: anchor.issuerId, name: issuer.name, uri: url ?? "" };
}

function readDocument(input: unknown): Json {
  let doc = input;
  if (typeof input === "string") {
    if (input.length > 2 * MAX_BUNDLE_TEXT) invalid(`credential is larger than ${2 * MAX_BUNDLE_TEXT} characters`);
    doc = parseStrictJson(input, "INVALID_BUNDLE", "the credential");
  } else {
    const lone = findLoneSurrogate(input);
    if (lone !== null) invalid(`the credential has a lone surrogate (not Unicode text) at ${lone}`);
  }
  if (!isObject(doc)) invalid("a verifiable credential is a JSON object");
  return doc;
}

/**
 * The bundle inside a credential exported by {@link toVerifiableCredential}, unchanged. Every visible
 * property must be exactly what the embedded bundle discloses: a document whose claims were edited,
 * or extended with claims the bundle does not commit to, is refused; so is JSON text with a key
 * twice (a reader keeping the first could see other claims than the one keeping the last). The
 * issuer's name and URL are checked against `options.issuer`, the registry's record, when given.
 * (The bundle itself is checked only for its format here; `verifyBundle` tells whether it holds.)
 * @throws CredrootError `INVALID_BUNDLE` when the document is not JSON, repeats a key, has no
 * `CredrootMerkleAnchor2026` proof, its embedded bundle is not one, or it disagrees with it.
 * @example
 * const bundle = fromVerifiableCredential(text);
 */
export function fromVerifiableCredential(input: unknown, options: ImportOptions = {}): Bundle {
  const doc = readDocument(input);
  const proofs = Array.isArray(doc.proof) ? doc.proof : [doc.proof];
  const ours = proofs.filter((p) => isObject(p) && p.type === CREDROOT_PROOF_TYPE);
  if (ours.length !== 1)
    invalid(`the credential carries ${ours.length === 0 ? "no" : "more than one"} ${CREDROOT_PROOF_TYPE} proof`);
  const proof = ours[0] as Json;
  const bundle = parseBundle(proof.credroot);
  const type = doc.type;
  const format: ExportFormat = Array.isArray(type) && type.includes("OpenBadgeCredential") ? "ob3" : "vc";
  const issuer = options.issuer ?? claimedIssuer(doc, bundle.anchor);
  const { proof: expectedProof, ...expected } = toVerifiableCredential(bundle, issuer, { format });
  const visible: Json = { ...doc };
  delete visible.proof;
  const differs = firstDifference(expected, visible, "") ?? firstDifference(expectedProof, proof, "/proof");
  if (differs === null) return bundle;
  const against =
    options.issuer && /^\/issuer\/(name|url)$/.test(differs)
      ? `the registry's record of issuer ${issuer.id}`
      : "its embedded bundle";
  invalid(`the credential's ${differs} disagrees with ${against}`);
}
