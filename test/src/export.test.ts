import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type Bundle,
  bundleFor,
  bytes16ToBatchId,
  type CallProvider,
  discloseBundle,
  type Hex32,
  leafOfDigest,
  prepareBatch,
  processProof,
  registryStatusCode,
  verifyBundle,
} from "../../src";
import {
  CREDROOT_BUNDLE_TYPE,
  type ExportIssuer,
  fromVerifiableCredential,
  REGISTRY_IDENTIFIER_TYPE,
  toVerifiableCredential,
  UNSIGNED_NOTICE,
} from "../../src/export";
import { NOT_WITHDRAWN, verifyWithIssuerAnswer, verifyWithIssuerRequest } from "./fake-registry";
import { expectCode, TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

const batch = prepareBatch(
  [
    sampleCredential(0, { validUntil: "2030-06-30", description: "Two weeks on GDPR", evidenceUrl: "https://e.x/1" }),
    sampleCredential(1),
  ],
  TEST_CONTEXT,
);
const full: Bundle = bundleFor(batch, 0, TEST_ANCHOR.block);
const shared: Bundle = discloseBundle(full, ["learner.email", "assessment.grade", "skills"]);
const FORMATS = ["vc", "ob3"] as const;

/** The registry's record of issuer 1: the only place an export takes the issuer's name from. */
const ISSUER: ExportIssuer = { id: 1, name: "Test University", uri: "https://uni.test" };

/**
 * A registry that anchored `batch` for issuer 1: it derives the leaf from the digest asked about, as
 * the contract does, and answers valid when the path leads to the batch's root.
 */
const validChain: CallProvider = {
  call: ({ data }) => {
    const { issuerId, batchId, root, digest, proof } = verifyWithIssuerRequest(data);
    const context = { ...TEST_CONTEXT, issuerId: Number(issuerId), batchId: bytes16ToBatchId(batchId) };
    const leaf = leafOfDigest(context, digest as Hex32);
    const proven = processProof(leaf, proof as Hex32[]) === root;
    const status = !proven ? "bad-proof" : root === batch.root ? "valid" : "not-anchored";
    return Promise.resolve(
      verifyWithIssuerAnswer(
        {
          status: registryStatusCode(status),
          leaf,
          anchoredAt: 1_780_000_000,
          batchRevokedAt: 0,
          credentialRevokedAt: 0,
          accreditedUntil: NOT_WITHDRAWN,
        },
        { accreditedUntil: NOT_WITHDRAWN, active: true, name: ISSUER.name, uri: ISSUER.uri },
      ),
    );
  },
};
const verify = (bundle: Bundle) =>
  verifyBundle(bundle, {
    chains: [{ chainId: TEST_ANCHOR.chainId, registries: [TEST_ANCHOR.registry], provider: validChain }],
    now: Date.parse("2027-01-01"),
  });

type Exported = Record<string, unknown> & {
  name: string;
  issuer: { id: string; name: string; url?: string; [key: string]: unknown };
  credentialSubject: { achievement: Record<string, unknown>; [key: string]: unknown };
  evidence: ({ credrootBundle: Bundle; hiddenFields: string[] } & Record<string, unknown>)[];
};

/** The evidence entry that carries the bundle (the last one). */
const bundleEntry = (doc: Exported) => doc.evidence.at(-1)!;

const URN = `urn:credroot:issuer:31337:${TEST_ANCHOR.registry}:1`;
const DID = "did:key:z6MkvDqGT54cXesYGvABpF1UapVNwjCqRcafi4Px6Thv5T3Z";

/** The exported document as another tool would read it: plain parsed JSON. */
const exported = (bundle: Bundle, format: "vc" | "ob3", issuer: ExportIssuer = ISSUER) =>
  JSON.parse(JSON.stringify(toVerifiableCredential(bundle, issuer, { format }))) as Exported;

describe("toVerifiableCredential / fromVerifiableCredential", () => {
  it.each(FORMATS)("gives back the full v2 bundle unchanged (%s), which still verifies as valid", async (format) => {
    const imported = fromVerifiableCredential(exported(full, format));
    expect(imported).toEqual(full);
    expect(imported.version).toBe(2);
    expect((await verify(imported)).verdict).toBe("valid");
  });

  it.each(FORMATS)("gives back a disclosed bundle unchanged (%s), hidden fields still hidden", async (format) => {
    const doc = exported(shared, format);
    expect(fromVerifiableCredential(JSON.stringify(doc))).toEqual(shared);
    expect((await verify(fromVerifiableCredential(doc))).verdict).toBe("valid");
    const text = JSON.stringify(doc.credentialSubject);
    expect(text).not.toContain("learner0@example.org");
    expect(text).not.toContain("esco/skill");
    expect(bundleEntry(doc).hiddenFields).toEqual(["/assessment/grade", "/learner/email", "/skills"]);
  });

  it.each(FORMATS)("gives back the bundle of a document made for a signing DID (%s)", (format) => {
    const doc = JSON.parse(
      JSON.stringify(toVerifiableCredential(shared, ISSUER, { format, issuerDid: DID })),
    ) as Exported;
    expect(doc.issuer.id).toBe(DID);
    expect(fromVerifiableCredential({ ...doc, proof: [{ type: "DataIntegrityProof" }] })).toEqual(shared);
  });

  it("gives back the bundle unchanged when checked against the registry's record of its issuer", () => {
    expect(fromVerifiableCredential(exported(full, "ob3"), { issuer: ISSUER })).toEqual(full);
  });
});

describe("toVerifiableCredential", () => {
  it.each(FORMATS)("has the properties VC 2.0 requires, dates as date-times, the bundle as evidence (%s)", (format) => {
    const doc = toVerifiableCredential(full, ISSUER, { format });
    expect(doc["@context"][0]).toBe("https://www.w3.org/ns/credentials/v2");
    expect(doc["@context"].at(-1)).toBe("https://credroot.dev/contexts/credroot-v1.jsonld");
    expect(doc.type[0]).toBe("VerifiableCredential");
    expect(doc.id).toBe(sampleCredential(0).id);
    expect(doc.issuer).toMatchObject({ id: URN, name: "Test University" });
    expect(doc.validFrom).toBe("2026-06-30T00:00:00Z");
    expect(doc.validUntil).toBe("2030-06-30T23:59:59Z");
    expect(doc.evidence).toEqual([
      { id: "https://e.x/1", type: [format === "ob3" ? "Evidence" : "LearningEvidence"] },
      {
        type: format === "ob3" ? ["Evidence", CREDROOT_BUNDLE_TYPE] : [CREDROOT_BUNDLE_TYPE],
        name: "credroot proof bundle",
        description: expect.stringContaining("proof bundle") as unknown,
        credrootBundle: full,
        hiddenFields: [],
      },
    ]);
    expect(doc).not.toHaveProperty("proof");
  });

  it.each(FORMATS)(
    "says plainly that it is unsigned without a signing DID, and names the DID when given one (%s)",
    (format) => {
      const unsigned = toVerifiableCredential(full, ISSUER, { format });
      expect(unsigned.credrootUnsigned).toBe(UNSIGNED_NOTICE);
      expect(UNSIGNED_NOTICE).toMatch(/^UNSIGNED: no issuer signature/);
      const toSign = toVerifiableCredential(full, ISSUER, { format, issuerDid: DID });
      expect(toSign).not.toHaveProperty("credrootUnsigned");
      expect(toSign.issuer.id).toBe(DID);
      // The registry's record stays named beside the DID.
      expect(JSON.stringify(toSign.issuer)).toContain(URN);
      expectCode(() => toVerifiableCredential(full, ISSUER, { issuerDid: "https://uni.test" }), "INVALID_ARGUMENT");
    },
  );

  it.each(FORMATS)("names the issuer as the registry records it, whatever it is called elsewhere (%s)", (format) => {
    const record: ExportIssuer = { id: 1, name: "Universiteit van Voorbeeld", uri: "" };
    const doc = toVerifiableCredential(full, record, { format });
    expect(doc.issuer.name).toBe(record.name);
    // An issuer with no URI on chain gets none.
    expect(doc.issuer).not.toHaveProperty("url");
    expect(doc.issuer).not.toHaveProperty("homepage");
    // Nothing in a v2 credential names an awarding body: only the record does.
    expect(JSON.stringify(full)).not.toContain("Universiteit van Voorbeeld");
  });

  it("refuses an issuer record that is not of the issuer the bundle is anchored under", () => {
    const other = { id: 2, name: "Harvard University", uri: "https://harvard.example" };
    const error = expectCode(() => toVerifiableCredential(full, other), "INVALID_ARGUMENT");
    expect(error.message).toBe("the issuer record is of issuer 2, but the bundle is anchored under issuer 1");
    const nameless = { id: 1, uri: "" } as unknown as ExportIssuer;
    expectCode(() => toVerifiableCredential(full, nameless), "INVALID_ARGUMENT");
  });

  it("makes an OpenBadgeCredential whose achievement carries title, outcomes, ECTS, skills, grade and the EU elements", () => {
    const doc = toVerifiableCredential(full, ISSUER, { format: "ob3" });
    expect(doc["@context"]).toEqual([
      "https://www.w3.org/ns/credentials/v2",
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
      "https://credroot.dev/contexts/credroot-v1.jsonld",
    ]);
    expect(doc.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
    expect(doc.issuer).toEqual({
      id: URN,
      type: ["Profile"],
      name: "Test University",
      url: "https://uni.test",
      address: { type: ["Address"], addressCountryCode: "NL" },
      otherIdentifier: [{ type: "IdentifierEntry", identifier: URN, identifierType: REGISTRY_IDENTIFIER_TYPE }],
    });
    const subject = doc.credentialSubject;
    expect(subject).toMatchObject({
      type: ["AchievementSubject"],
      identifier: [
        { type: "IdentityObject", identityType: "name", hashed: false, identityHash: "Ana Novak" },
        { identityType: "identifier", identityHash: "S100000" },
        { identityType: "emailAddress", identityHash: "learner0@example.org" },
      ],
      result: [{ type: ["Result"], resultDescription: `${doc.id}#grade`, value: "A" }],
      achievement: {
        type: ["Achievement"],
        achievementType: "MicroCredential",
        name: "Applied Data Protection (GDPR) for Engineers",
        description: "Two weeks on GDPR",
        criteria: { narrative: expect.stringMatching(/^- Explain the core concepts/) as unknown },
        creditsAvailable: 3,
        resultDescription: [{ id: `${doc.id}#grade`, type: ["ResultDescription"], name: "Grade" }],
        alignment: [
          {
            type: ["Alignment"],
            targetName: "S4.8.1",
            targetUrl: "http://data.europa.eu/esco/skill/S4.8.1",
            targetFramework: "ESCO",
          },
          { targetName: "EQF level 6", targetUrl: "http://data.europa.eu/snb/eqf/6" },
        ],
        typeOfAssessment: "Written exam and graded project",
        formOfParticipation: "online",
        qualityAssurance: "Internal QA of the university, accredited by NVAO",
        workloadHours: 84,
        identityCheck: "onsite-supervised",
      },
    });
  });

  it("carries NQF level, prerequisites and stackability, in both formats", () => {
    const rich = prepareBatch(
      [
        sampleCredential(0, {
          nqfLevel: "NL-NLQF 6",
          prerequisites: ["Basic law"],
          stackability: { countsTowards: "MSc", buildsOn: [`0x${"ab".repeat(32)}`] },
        }),
      ],
      TEST_CONTEXT,
    );
    const bundle = bundleFor(rich, 0, TEST_ANCHOR.block);
    const elements = {
      nqfLevel: "NL-NLQF 6",
      prerequisites: ["Basic law"],
      countsTowards: "MSc",
      buildsOn: [`0x${"ab".repeat(32)}`],
    };
    expect(toVerifiableCredential(bundle, ISSUER, { format: "ob3" }).credentialSubject.achievement).toMatchObject(
      elements,
    );
    expect(toVerifiableCredential(bundle, ISSUER, { format: "vc" }).credentialSubject.achievement).toMatchObject(
      elements,
    );
  });

  it("leaves hidden fields out of an OB3 achievement (no grade result, no ESCO alignment), and a hidden country out of the issuer", () => {
    const { credentialSubject } = toVerifiableCredential(shared, ISSUER, { format: "ob3" });
    expect(credentialSubject).not.toHaveProperty("result");
    expect(credentialSubject.achievement).not.toHaveProperty("resultDescription");
    expect(JSON.stringify(credentialSubject)).not.toContain("ESCO");
    const { issuer } = toVerifiableCredential(discloseBundle(full, ["issuerCountry"]), ISSUER);
    expect(issuer).not.toHaveProperty("address");
  });

  it("puts the learner and the micro-credential in a plain VC's subject, under defined terms", () => {
    const { credentialSubject, issuer } = toVerifiableCredential(full, ISSUER, { format: "vc" });
    expect(credentialSubject).toEqual({
      name: "Ana Novak",
      identifier: "S100000",
      email: "learner0@example.org",
      achievement: {
        type: ["MicroCredential"],
        name: "Applied Data Protection (GDPR) for Engineers",
        description: "Two weeks on GDPR",
        learningOutcomes: sampleCredential(0).learningOutcomes,
        ectsCredits: 3,
        eqfLevel: 6,
        grade: "A",
        skills: ["http://data.europa.eu/esco/skill/S4.8.1"],
        typeOfAssessment: "Written exam and graded project",
        formOfParticipation: "online",
        qualityAssurance: "Internal QA of the university, accredited by NVAO",
        workloadHours: 84,
        identityCheck: "onsite-supervised",
      },
    });
    expect(issuer).toEqual({
      id: URN,
      name: "Test University",
      homepage: "https://uni.test",
      country: "NL",
      registryIssuer: URN,
    });
  });
});

describe("fromVerifiableCredential", () => {
  it.each(FORMATS)("refuses a document whose visible title was edited (%s)", (format) => {
    const doc = exported(full, format);
    doc.name = "Doctorate in Everything";
    const error = expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE");
    expect(error.message).toBe("the credential's /name disagrees with its embedded bundle");
  });

  it("refuses an OB3 document whose achievement name, validUntil, validFrom, country, issuer id or EU element was edited", () => {
    const edits: [string, (doc: Exported) => void][] = [
      ["/credentialSubject/achievement/name", (d) => (d.credentialSubject.achievement.name = "Other")],
      ["/validUntil", (d) => (d.validUntil = "2099-01-01T00:00:00Z")],
      ["/validFrom", (d) => (d.validFrom = "2020-01-01T00:00:00Z")],
      [
        "/issuer/address/addressCountryCode",
        (d) => (d.issuer.address = { type: ["Address"], addressCountryCode: "US" }),
      ],
      ["/issuer/id", (d) => (d.issuer.id = `urn:credroot:issuer:31337:${TEST_ANCHOR.registry}:2`)],
      [
        "/credentialSubject/achievement/qualityAssurance",
        (d) => (d.credentialSubject.achievement.qualityAssurance = "Accredited by everyone"),
      ],
      ["/credrootUnsigned", (d) => delete d.credrootUnsigned],
    ];
    for (const [pointer, edit] of edits) {
      const doc = exported(full, "ob3");
      edit(doc);
      const error = expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE");
      expect(error.message).toBe(`the credential's ${pointer} disagrees with its embedded bundle`);
    }
  });

  it("refuses a document naming another awarding body than the registry's record of its issuer", () => {
    const doc = exported(full, "ob3");
    doc.issuer.name = "Harvard University";
    const error = expectCode(() => fromVerifiableCredential(doc, { issuer: ISSUER }), "INVALID_BUNDLE");
    expect(error.message).toBe("the credential's /issuer/name disagrees with the registry's record of issuer 1");
    doc.issuer.name = ISSUER.name;
    doc.issuer.url = "https://harvard.example";
    expect(expectCode(() => fromVerifiableCredential(doc, { issuer: ISSUER }), "INVALID_BUNDLE").message).toBe(
      "the credential's /issuer/url disagrees with the registry's record of issuer 1",
    );
  });

  it("refuses a claim the bundle does not commit to, such as a hidden grade put back by hand", () => {
    const doc = exported(shared, "ob3");
    doc.credentialSubject = { ...doc.credentialSubject, result: [{ type: ["Result"], value: "A+" }] };
    expect(expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE").message).toBe(
      "the credential's /credentialSubject/result disagrees with its embedded bundle",
    );
    const credits = exported(shared, "ob3");
    credits.credentialSubject.achievement.creditsAvailable = 30;
    expectCode(() => fromVerifiableCredential(credits), "INVALID_BUNDLE");
    const awarding = exported(full, "vc");
    awarding.credentialSubject.achievement.awardingBody = { name: "Harvard University" };
    expect(expectCode(() => fromVerifiableCredential(awarding), "INVALID_BUNDLE").message).toBe(
      "the credential's /credentialSubject/achievement/awardingBody disagrees with its embedded bundle",
    );
  });

  it("refuses JSON text that repeats a key, even where both copies would import (first-key and last-key readers disagree)", () => {
    const doc = exported(full, "ob3");
    const text = JSON.stringify(doc);
    // A reader keeping the first "name" sees the forged title; JSON.parse keeps the genuine last one.
    const forged = text.replace('"name":', '"name":"Doctorate in Everything","name":');
    expect((JSON.parse(forged) as { name: string }).name).toBe(doc.name);
    const error = expectCode(() => fromVerifiableCredential(forged), "INVALID_BUNDLE");
    expect(error.message).toBe('the credential repeats the key "name"');
    // Inside the embedded bundle too.
    const inner = text.replace('"credrootBundle":{', '"credrootBundle":{"version":1,');
    expect(expectCode(() => fromVerifiableCredential(inner), "INVALID_BUNDLE").message).toBe(
      'the credential repeats the key "version"',
    );
  });

  it("refuses a lone surrogate in a parsed document", () => {
    const doc = exported(full, "ob3");
    doc.issuer.name = "Test \ud800University";
    expect(expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE").message).toBe(
      "the credential has a lone surrogate (not Unicode text) at /issuer/name",
    );
  });

  it("refuses a document with no bundle evidence, an old credroot export, or evidence without a bundle", () => {
    const doc = exported(full, "vc");
    const bare = { ...doc, evidence: doc.evidence.slice(0, -1) };
    expect(expectCode(() => fromVerifiableCredential(bare), "INVALID_BUNDLE").message).toBe(
      "the credential carries no CredrootBundle evidence",
    );
    const twice = { ...doc, evidence: [...doc.evidence, bundleEntry(doc)] };
    expect(expectCode(() => fromVerifiableCredential(twice), "INVALID_BUNDLE").message).toBe(
      "the credential carries more than one CredrootBundle evidence",
    );
    const old = { ...bare, proof: { type: "CredrootMerkleAnchor2026", credroot: full } };
    expect(expectCode(() => fromVerifiableCredential(old), "INVALID_BUNDLE").message).toMatch(
      /export the bundle again/,
    );
    const empty = { ...doc, evidence: [{ type: [CREDROOT_BUNDLE_TYPE] }] };
    expect(expectCode(() => fromVerifiableCredential(empty), "INVALID_BUNDLE").message).toMatch(/^invalid bundle/);
    expect(expectCode(() => fromVerifiableCredential("{not json"), "INVALID_BUNDLE").message).toMatch(
      /^the credential is not JSON/,
    );
    expectCode(() => fromVerifiableCredential([doc]), "INVALID_BUNDLE");
    const nameless = exported(full, "vc");
    delete (nameless.issuer as { name?: string }).name;
    expect(expectCode(() => fromVerifiableCredential(nameless), "INVALID_BUNDLE").message).toBe(
      "the credential's /issuer names no issuer",
    );
  });

  it("refuses a document that carries a version 1 bundle, saying to have it re-issued", () => {
    const doc = exported(full, "ob3");
    (bundleEntry(doc) as { credrootBundle: unknown }).credrootBundle = {
      type: "credroot/bundle",
      version: 1,
      credential: { fields: {} },
    };
    expect(expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE").message).toMatch(/re-issue/);
  });

  it("reads the credential out of a VC-JOSE JWT (without checking its signature), and refuses a bad payload", () => {
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const header = b64({ alg: "EdDSA", typ: "vc+jwt" });
    const claims = { ...toVerifiableCredential(shared, ISSUER, { issuerDid: DID }), iss: DID, iat: 1, nbf: 2 };
    expect(fromVerifiableCredential(`${header}.${b64(claims)}.c2ln`)).toEqual(shared);
    const extra = { ...claims, jti: "urn:x" };
    expect(expectCode(() => fromVerifiableCredential(`${header}.${b64(extra)}.c2ln`), "INVALID_BUNDLE").message).toBe(
      "the credential's /jti disagrees with its embedded bundle",
    );
    expect(expectCode(() => fromVerifiableCredential(`${header}.${b64([1])}.c2ln`), "INVALID_BUNDLE").message).toBe(
      "the JWT's payload is not a JSON object",
    );
  });

  it("imports a document whose embedded bundle was tampered with, which then verifies as tampered", async () => {
    const doc = exported(full, "ob3");
    const entry = bundleEntry(doc);
    entry.credrootBundle = {
      ...entry.credrootBundle,
      credential: { ...entry.credrootBundle.credential, title: "Doctorate in Everything" },
    };
    doc.name = "Doctorate in Everything";
    doc.credentialSubject.achievement.name = "Doctorate in Everything";
    const imported = fromVerifiableCredential(doc);
    expect((await verify(imported)).verdict).toBe("tampered");
  });
});
