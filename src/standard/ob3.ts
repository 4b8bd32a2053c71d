import { compact, euElements, type Json, number, objectAt, pick, strings, text } from "./fields";

/** Who a document names as its issuer: the signing DID (or the registry URN when unsigned), and the registry's record. */
export interface DocumentIssuer {
  /** `did:key:…` of the signing key, or the registry URN of an unsigned export. */
  id: string;
  /** `urn:credroot:issuer:<chainId>:<registry>:<issuerId>`: the issuer as the registry records it. */
  registryIssuer: string;
  name: string;
  /** The registry's metadata URI of the issuer; "" for none. */
  uri: string;
}

/** How OB 3.0 names the registry URN among a Profile's `otherIdentifier`s (an extension value). */
export const REGISTRY_IDENTIFIER_TYPE = "ext:credrootRegistryIssuer";

/** Shown as the achievement's criteria when the holder hid the learning outcomes (OB 3.0 requires criteria). */
export const UNDISCLOSED_CRITERIA = "The learning outcomes are not disclosed in this copy of the credential.";

/** The issuer as an OB 3.0 Profile; its country is the only part the credential itself commits to. */
export function ob3Issuer(issuer: DocumentIssuer, credential: Json): Json {
  const country = text(credential, "issuerCountry");
  return compact({
    id: issuer.id,
    type: ["Profile"],
    name: issuer.name,
    url: issuer.uri === "" ? undefined : issuer.uri,
    address: country === undefined ? undefined : { type: ["Address"], addressCountryCode: country },
    otherIdentifier: [
      { type: "IdentifierEntry", identifier: issuer.registryIssuer, identifierType: REGISTRY_IDENTIFIER_TYPE },
    ],
  });
}

const IDENTITY_TYPES: [string, string][] = [
  ["name", "name"],
  ["identifier", "identifier"],
  ["email", "emailAddress"],
  ["dateOfBirth", "ext:dateOfBirth"],
];

function alignments(credential: Json): Json[] | undefined {
  const eqf = number(credential, "eqfLevel");
  const found: Json[] = [
    ...(strings(credential, "skills") ?? []).map((url) => ({
      type: ["Alignment"],
      targetName: url.split("/").at(-1) || url,
      targetUrl: url,
      targetFramework: "ESCO",
    })),
    ...(eqf === undefined
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
  return found.length > 0 ? found : undefined;
}

function achievement(credential: Json, id: string, graded: boolean): Json {
  const title = text(credential, "title") ?? "";
  const outcomes = strings(credential, "learningOutcomes");
  return compact({
    id: `${id}#achievement`,
    type: ["Achievement"],
    achievementType: "MicroCredential",
    name: title,
    // OB3 requires a description; the title stands in when the credential has none.
    description: text(credential, "description") ?? title,
    criteria: { narrative: outcomes ? outcomes.map((o) => `- ${o}`).join("\n") : UNDISCLOSED_CRITERIA },
    creditsAvailable: number(objectAt(credential, "workload"), "ects"),
    alignment: alignments(credential),
    resultDescription: graded
      ? [{ id: `${id}#grade`, type: ["ResultDescription"], name: "Grade", resultType: "Result" }]
      : undefined,
    ...euElements(credential),
  });
}

/**
 * The OB 3.0 `AchievementSubject`: the learner's disclosed identity as IdentityObjects, the
 * achievement (title, outcomes as criteria, ECTS, ESCO skills and EQF level as alignments, and the
 * EU elements OB 3.0 lacks as credroot terms), and the grade as a result.
 */
export function ob3Subject(credential: Json, id: string): Json {
  const learner = objectAt(credential, "learner");
  const grade = pick(objectAt(credential, "assessment"), "grade");
  const identifier = IDENTITY_TYPES.flatMap(([key, identityType]) => {
    const value = text(learner, key);
    return value === undefined ? [] : [{ type: "IdentityObject", identityType, hashed: false, identityHash: value }];
  });
  return compact({
    type: ["AchievementSubject"],
    identifier: identifier.length > 0 ? identifier : undefined,
    achievement: achievement(credential, id, typeof grade === "string"),
    result:
      typeof grade === "string" ? [{ type: ["Result"], resultDescription: `${id}#grade`, value: grade }] : undefined,
  });
}
