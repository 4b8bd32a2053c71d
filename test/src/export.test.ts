import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  type Bundle,
  bundleFor,
  type CallProvider,
  discloseBundle,
  prepareBatch,
  REGISTRY_STATUS,
  registryInterface,
  verifyBundle,
} from "../../src";
import { CREDROOT_PROOF_TYPE, fromVerifiableCredential, toVerifiableCredential } from "../../src/export";
import { expectCode, TEST_ANCHOR } from "./helpers";

const batch = prepareBatch([
  sampleCredential(0, { validUntil: "2030-06-30", description: "Two weeks on GDPR", evidenceUrl: "https://e.x/1" }),
  sampleCredential(1),
]);
const full: Bundle = bundleFor(batch, 0, TEST_ANCHOR);
const shared: Bundle = discloseBundle(full, ["learner.email", "assessment.grade", "skills"]);
const FORMATS = ["vc", "ob3"] as const;

/** A registry that answers "valid" to every verifyWithIssuer call. */
const validChain: CallProvider = {
  call: () =>
    Promise.resolve(
      registryInterface.encodeFunctionResult("verifyWithIssuer", [
        [REGISTRY_STATUS.indexOf("valid"), 1, 1_780_000_000, 0, 0, 2n ** 64n - 1n],
        [2n ** 64n - 1n, true, "Test University", "https://uni.test"],
      ]),
    ),
};
const verify = (bundle: Bundle) =>
  verifyBundle(bundle, {
    chains: [{ chainId: TEST_ANCHOR.chainId, registries: [TEST_ANCHOR.registry], provider: validChain }],
    now: Date.parse("2027-01-01"),
  });

/** The exported document as another tool would read it: plain parsed JSON. */
const exported = (bundle: Bundle, format: "vc" | "ob3") =>
  JSON.parse(JSON.stringify(toVerifiableCredential(bundle, { format }))) as Record<string, unknown> & {
    name: string;
    credentialSubject: { achievement: Record<string, unknown>; [key: string]: unknown };
    proof: { credroot: Bundle };
  };

describe("toVerifiableCredential / fromVerifiableCredential", () => {
  it.each(FORMATS)("gives back the full bundle unchanged (%s), which still verifies as valid", async (format) => {
    const imported = fromVerifiableCredential(exported(full, format));
    expect(imported).toEqual(full);
    expect((await verify(imported)).verdict).toBe("valid");
  });

  it.each(FORMATS)("gives back a disclosed bundle unchanged (%s), hidden fields still hidden", async (format) => {
    const doc = exported(shared, format);
    expect(fromVerifiableCredential(JSON.stringify(doc))).toEqual(shared);
    expect((await verify(fromVerifiableCredential(doc))).verdict).toBe("valid");
    const text = JSON.stringify(doc);
    expect(text).not.toContain("learner0@example.org");
    expect(text).not.toContain("esco/skill");
    expect(doc.proof).toMatchObject({ hidden: ["/assessment/grade", "/learner/email", "/skills"] });
  });
});

describe("toVerifiableCredential", () => {
  it.each(FORMATS)("has the properties VC 2.0 requires, dates as date-times (%s)", (format) => {
    const doc = toVerifiableCredential(full, { format });
    expect(doc["@context"][0]).toBe("https://www.w3.org/ns/credentials/v2");
    expect(doc.type[0]).toBe("VerifiableCredential");
    expect(doc.id).toBe(sampleCredential(0).id);
    expect(doc.issuer).toMatchObject({
      id: `urn:credroot:issuer:31337:${TEST_ANCHOR.registry.toLowerCase()}:1`,
      name: "Universiteit van Voorbeeld",
      url: "https://uni.example.org",
      address: { addressCountryCode: "NL" },
    });
    expect(doc.validFrom).toBe("2026-06-30T00:00:00Z");
    expect(doc.validUntil).toBe("2030-06-30T23:59:59Z");
    expect(doc.evidence).toEqual([{ id: "https://e.x/1", type: ["Evidence"] }]);
    expect(doc.proof).toEqual({
      type: CREDROOT_PROOF_TYPE,
      proofPurpose: "assertionMethod",
      hidden: [],
      credroot: full,
    });
  });

  it("makes an OpenBadgeCredential whose achievement carries title, outcomes, ECTS, skills and grade", () => {
    const doc = toVerifiableCredential(full, { format: "ob3" });
    expect(doc["@context"]).toEqual([
      "https://www.w3.org/ns/credentials/v2",
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]);
    expect(doc.type).toEqual(["VerifiableCredential", "OpenBadgeCredential"]);
    expect(doc.issuer).toMatchObject({ type: ["Profile"], address: { type: ["Address"] } });
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
      },
    });
  });

  it("leaves hidden fields out of an OB3 achievement (no grade result, no ESCO alignment)", () => {
    const { credentialSubject } = toVerifiableCredential(shared, { format: "ob3" });
    expect(credentialSubject).not.toHaveProperty("result");
    expect(credentialSubject.achievement).not.toHaveProperty("resultDescription");
    expect(JSON.stringify(credentialSubject)).not.toContain("ESCO");
  });

  it("puts the learner and the rest of the credential in a plain VC's subject", () => {
    const { credentialSubject } = toVerifiableCredential(full, { format: "vc" });
    expect(credentialSubject).toMatchObject({
      name: "Ana Novak",
      achievement: { title: "Applied Data Protection (GDPR) for Engineers", workload: { ects: 3, hours: 84 } },
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

  it("refuses an OB3 document whose achievement name, validUntil or issuer name was edited", () => {
    const edits: [string, (doc: ReturnType<typeof exported>) => void][] = [
      ["/credentialSubject/achievement/name", (d) => (d.credentialSubject.achievement.name = "Other")],
      ["/validUntil", (d) => (d.validUntil = "2099-01-01T00:00:00Z")],
      ["/issuer/name", (d) => ((d.issuer as { name: string }).name = "Harvard")],
      ["/validFrom", (d) => (d.validFrom = "2020-01-01T00:00:00Z")],
    ];
    for (const [pointer, edit] of edits) {
      const doc = exported(full, "ob3");
      edit(doc);
      expect(expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE").message).toContain(pointer);
    }
  });

  it("refuses a claim the bundle does not commit to, such as a hidden grade put back by hand", () => {
    const doc = exported(shared, "ob3");
    doc.credentialSubject.achievement.creditsAvailable = 30;
    doc.credentialSubject = { ...doc.credentialSubject, result: [{ type: ["Result"], value: "A+" }] };
    expectCode(() => fromVerifiableCredential(doc), "INVALID_BUNDLE");
  });

  it("refuses a document with no credroot proof, or a proof without a bundle", () => {
    const doc = exported(full, "vc");
    const { proof: _, ...unproved } = doc;
    expect(expectCode(() => fromVerifiableCredential(unproved), "INVALID_BUNDLE").message).toBe(
      "the credential carries no CredrootMerkleAnchor2026 proof",
    );
    const other = { ...doc, proof: { type: "DataIntegrityProof", cryptosuite: "eddsa-rdfc-2022" } };
    expectCode(() => fromVerifiableCredential(other), "INVALID_BUNDLE");
    const empty = { ...doc, proof: { type: CREDROOT_PROOF_TYPE, proofPurpose: "assertionMethod", hidden: [] } };
    expect(expectCode(() => fromVerifiableCredential(empty), "INVALID_BUNDLE").message).toMatch(/^invalid bundle/);
    expectCode(() => fromVerifiableCredential("{not json"), "INVALID_BUNDLE");
    expectCode(() => fromVerifiableCredential([doc]), "INVALID_BUNDLE");
  });

  it("finds its proof among others in a proof set", () => {
    const doc = exported(full, "ob3");
    const withSet = { ...doc, proof: [{ type: "DataIntegrityProof" }, doc.proof] };
    expect(fromVerifiableCredential(withSet)).toEqual(full);
  });

  it("imports a document whose embedded bundle was tampered with, which then verifies as tampered", async () => {
    const doc = exported(full, "ob3");
    const salted = doc.proof.credroot.credential.fields["/learner/name"]!;
    doc.proof.credroot.credential.fields["/learner/name"] = { ...salted, salt: `0x${"00".repeat(32)}` };
    const imported = fromVerifiableCredential(doc);
    expect((await verify(imported)).verdict).toBe("tampered");
  });
});
