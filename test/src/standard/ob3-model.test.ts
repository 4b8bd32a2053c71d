import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { beforeAll, describe, expect, it } from "vitest";
import { discloseBundle } from "../../../src";
import { toVerifiableCredential } from "../../../src/export";
import { type IssuerKey, signCredential } from "../../../src/standard";
import { ISSUER, issuerKey, richBundle, sharedBundle } from "./helpers";

/** The OB 3.0 AchievementCredential data model as a JSON Schema (see its $comment for what it is). */
const schema = JSON.parse(
  readFileSync(join(__dirname, "../../fixtures/ob3-achievementcredential.schema.json"), "utf8"),
) as object;
const validate = addFormats(new Ajv({ allErrors: true, strict: false })).compile(schema);

/** The schema's complaints as `path message`, empty when the document fits. */
function complaints(doc: unknown): string[] {
  return validate(JSON.parse(JSON.stringify(doc)))
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

let key: IssuerKey;
beforeAll(async () => {
  key = await issuerKey();
});

const signedOb3 = (bundle = richBundle) =>
  signCredential(toVerifiableCredential(bundle, ISSUER, { format: "ob3", issuerDid: key.did }), key);

describe("the OB 3.0 AchievementCredential data model", () => {
  it("accepts the signed OB3 credential, full and disclosed", async () => {
    expect(complaints(await signedOb3())).toEqual([]);
    expect(complaints(await signedOb3(sharedBundle))).toEqual([]);
  });

  it("accepts it with everything but what must stay shown hidden (criteria and description still there)", async () => {
    const bare = discloseBundle(richBundle, [
      "learner",
      "learningOutcomes",
      "description",
      "workload",
      "assessment",
      "skills",
      "eqfLevel",
      "issuerCountry",
    ]);
    const doc = await signedOb3(bare);
    expect(complaints(doc)).toEqual([]);
    expect(doc.credentialSubject).toMatchObject({
      achievement: {
        description: doc.name,
        criteria: { narrative: expect.stringMatching(/not disclosed/) as unknown },
      },
    });
  });

  it("has what the model requires where it requires it", async () => {
    const doc = await signedOb3();
    expect(doc["@context"].slice(0, 2)).toEqual([
      "https://www.w3.org/ns/credentials/v2",
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]);
    expect(doc.type).toEqual(expect.arrayContaining(["VerifiableCredential", "OpenBadgeCredential"]));
    expect(doc.issuer).toMatchObject({ id: key.did, type: ["Profile"] });
    expect(Array.isArray(doc.proof)).toBe(true);
  });

  it("refuses an unsigned export (no proof), and one whose proof is a lone object as credroot's old export had", () => {
    const unsigned = toVerifiableCredential(richBundle, ISSUER);
    expect(complaints(unsigned)).toEqual([" must have required property 'proof'"]);
    const old = { ...unsigned, proof: { type: "CredrootMerkleAnchor2026", proofPurpose: "assertionMethod" } };
    expect(complaints(old)).toEqual(["/proof must be array"]);
  });

  it("can fail: a credential without achievement criteria, or with the contexts swapped, is refused", async () => {
    const doc = await signedOb3();
    const { criteria: _, ...achievement } = doc.credentialSubject.achievement as Record<string, unknown>;
    const noCriteria = { ...doc, credentialSubject: { ...doc.credentialSubject, achievement } };
    expect(complaints(noCriteria)).toEqual(["/credentialSubject/achievement must have required property 'criteria'"]);
    const swapped = { ...doc, "@context": [doc["@context"][1], doc["@context"][0], doc["@context"][2]] };
    expect(complaints(swapped).length).toBeGreaterThan(0);
  });
});
