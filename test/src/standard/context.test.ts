import jsonld from "jsonld";
import { beforeAll, describe, expect, it } from "vitest";
import { toVerifiableCredential, type VerifiableCredential } from "../../../src/export";
import {
  CREDROOT_CONTEXT_URL,
  CREDROOT_VOCAB,
  credrootDocumentLoader,
  type IssuerKey,
  signCredential,
} from "../../../src/standard";
import { ISSUER, issuerKey, richBundle, sharedBundle } from "./helpers";
import { thirdPartyLoader } from "./third-party";

const documentLoader = thirdPartyLoader();

/** JSON-LD expansion in safe mode: any term no context defines (which plain expansion drops) throws. */
const strictExpand = (doc: object) => jsonld.expand(structuredClone(doc), { documentLoader, safe: true });

let key: IssuerKey;
beforeAll(async () => {
  key = await issuerKey();
});

const CASES = [
  ["ob3", "full", richBundle],
  ["ob3", "disclosed", sharedBundle],
  ["vc", "full", richBundle],
  ["vc", "disclosed", sharedBundle],
] as const;

describe("the credroot JSON-LD context", () => {
  it.each(CASES)(
    "defines every term of a %s credential (%s bundle), signed or not, under strict expansion",
    async (format, _kind, bundle) => {
      const unsigned = toVerifiableCredential(bundle, ISSUER, { format });
      const signed = await signCredential(toVerifiableCredential(bundle, ISSUER, { format, issuerDid: key.did }), key);
      for (const doc of [unsigned, signed]) await expect(strictExpand(doc)).resolves.toBeInstanceOf(Array);
    },
  );

  it("is strict for real: an undefined term throws rather than being dropped", async () => {
    const doc = toVerifiableCredential(richBundle, ISSUER) as VerifiableCredential & { credentialSubject: object };
    const extended = { ...doc, credentialSubject: { ...doc.credentialSubject, favouriteColour: "blue" } };
    await expect(strictExpand(extended)).rejects.toThrow(/Safe mode validation error/);
  });

  it.each(["ob3", "vc"] as const)(
    "expands the EU elements to credroot's vocabulary and keeps the bundle byte for byte (%s)",
    async (format) => {
      const [expanded] = await strictExpand(toVerifiableCredential(richBundle, ISSUER, { format }));
      const text = JSON.stringify(expanded);
      for (const term of [
        "typeOfAssessment",
        "formOfParticipation",
        "qualityAssurance",
        "workloadHours",
        "nqfLevel",
        "identityCheck",
        "prerequisites",
        "countsTowards",
        "buildsOn",
        "bundle",
        "hiddenFields",
        "unsigned",
      ]) {
        expect(text, term).toContain(`"${CREDROOT_VOCAB}${term}"`);
      }
      // A JSON literal: the embedded bundle survives JSON-LD processing unchanged.
      expect(text).toContain(JSON.stringify({ "@type": "@json", "@value": richBundle }).slice(1, -1));
      expect(text).not.toContain("undefined-term");
    },
  );

  it("is preloaded, and the loaders fetch nothing else", async () => {
    const ours = credrootDocumentLoader();
    await expect(ours(CREDROOT_CONTEXT_URL)).resolves.toMatchObject({ documentUrl: CREDROOT_CONTEXT_URL });
    for (const url of [
      "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
      "https://www.w3.org/ns/credentials/v2",
    ]) {
      await expect(ours(url)).resolves.toMatchObject({ documentUrl: url });
    }
    await expect(ours("https://example.org/context.jsonld")).rejects.toThrow(/not found in document loader/);
    await expect(documentLoader("https://example.org/context.jsonld")).rejects.toThrow(/not found in document loader/);
  });
});
