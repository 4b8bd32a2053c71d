import { PDFArray, PDFDict, PDFDocument, PDFName } from "pdf-lib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, CredrootError, discloseBundle, verifyBundle } from "../../../src";
import { BUNDLE_ATTACHMENT, bundleFromPdf, certificate, certificatePdf, certificateQr } from "../../../src/certificate";
import { certificateFonts } from "../../../src/node/certificate-fonts";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../../harness/registry";
import { anchorBatch } from "../../cli/harness";
import { bundleOfLink, decodedObjects, pageLinks, pdfAttachments, pdfPageCount, pdfText, scanQr } from "./pdf-reader";

const VERIFIER = "https://credentials.example.edu/";
const UNIVERSITY = "Universiteit van Voorbeeld — Łódź";
const LEARNER = "Zoë Ørsted";
const fonts = certificateFonts();
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
const utf16 = (text: string) => Buffer.from(text, "utf16le").toString("latin1");

describe("certificatePdf", () => {
  let fx: RegistryFixture;
  let full: Bundle;
  let disclosed: Bundle;
  let long: Bundle;
  const email = "zoe.orsted@example.org";
  const grade = "A+ with distinction";

  beforeAll(async () => {
    fx = await startRegistry();
    const { bundles } = await anchorBatch(fx, [
      sampleCredential(0, {
        learner: { name: LEARNER, identifier: "S424242", email },
        assessment: { type: "Oral exam in Łódź", grade, identityCheck: "onsite-supervised" },
        validUntil: "2031-06-30",
        nqfLevel: "NL-NLQF 6",
      }),
      sampleCredential(1, {
        learningOutcomes: Array.from(
          { length: 60 },
          (_, i) => `Outcome ${i + 1}: ${"reason about systems ".repeat(6)}`,
        ),
      }),
    ]);
    [full, long] = bundles as [Bundle, Bundle];
    disclosed = discloseBundle(full, ["learner.email", "assessment.grade"]);
  });
  afterAll(async () => {
    await fx.chain.close();
  });

  it("prints the credential in words, the awarding body given and non-ASCII names, as another PDF reader reads them", async () => {
    const pdf = await certificatePdf(full, UNIVERSITY, { verifierUrl: VERIFIER, fonts });
    const text = await pdfText(pdf);
    for (const expected of [
      "Applied Data Protection (GDPR) for Engineers",
      LEARNER,
      UNIVERSITY,
      "EQF level 6 · NL-NLQF 6",
      "3 ECTS credits · 84 hours of study",
      "Explain the core concepts of applied data protection (gdpr) for engineers",
      "Oral exam in Łódź",
      `Grade: ${grade}`,
      "Identity checked: on site, supervised",
      "Internal QA of the university, accredited by NVAO",
      "30 June 2026",
      "30 June 2031",
      "urn:uuid:00000000-0000-4000-8000-000000000000",
      "COUNTRY OF THE ISSUER",
      "Online",
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).toContain(`Issuer no. ${fx.issuerId} of the registry ${fx.registry.toLowerCase()}`);
    expect(await pdfPageCount(pdf)).toBe(1);
  });

  it("attaches the bundle as credroot-bundle.json, which both readers find and which verifies valid", async () => {
    const pdf = await certificatePdf(full, UNIVERSITY, { verifierUrl: VERIFIER, fonts });
    const attached = await pdfAttachments(pdf);
    expect(Object.keys(attached)).toEqual([BUNDLE_ATTACHMENT]);
    expect(JSON.parse(Buffer.from(attached[BUNDLE_ATTACHMENT]!).toString("utf8"))).toEqual(full);
    const back = await bundleFromPdf(pdf);
    expect(back).toEqual(full);
    expect((await verifyBundle(back, { chains: fx.trusted })).verdict).toBe("valid");
    expect(latin1(pdf)).toContain("/Subtype /application#2Fjson");
  });

  it("reads back a tampered attachment as it is, which then verifies tampered, whatever the page prints", async () => {
    const forged = structuredClone(full);
    forged.credential.title = "Doctorate in Everything";
    const doc = await PDFDocument.load(await certificatePdf(full, UNIVERSITY, { verifierUrl: VERIFIER, fonts }));
    // A second PDF program swapping the attachment for the forged one, keeping what the page prints.
    const names = doc.catalog
      .lookup(PDFName.of("Names"), PDFDict)
      .lookup(PDFName.of("EmbeddedFiles"), PDFDict)
      .lookup(PDFName.of("Names"), PDFArray);
    const spec = names.lookup(1, PDFDict).lookup(PDFName.of("EF"), PDFDict);
    spec.set(
      PDFName.of("F"),
      doc.context.register(doc.context.flateStream(new TextEncoder().encode(JSON.stringify(forged)))),
    );
    const back = await bundleFromPdf(await doc.save());
    expect(back.credential.title).toBe("Doctorate in Everything");
    expect((await verifyBundle(back, { chains: fx.trusted })).verdict).toBe("tampered");
  });

  it("prints a QR code that, scanned from the rendered page, opens the verifier with the whole bundle, which verifies", async () => {
    const made = await certificate(disclosed, UNIVERSITY, { verifierUrl: VERIFIER, fonts });
    expect(made.qr.carries).toBe("bundle");
    const scanned = await scanQr(made.pdf);
    expect(scanned).toBe(made.qr.text);
    expect(scanned!.startsWith(`${VERIFIER}#b=`)).toBe(true);
    const carried = bundleOfLink(scanned!);
    expect(carried).toEqual(disclosed);
    expect((await verifyBundle(carried, { chains: fx.trusted })).verdict).toBe("valid");
    // The same link is a clickable annotation over the code.
    expect(await pageLinks(made.pdf)).toEqual([made.qr.text]);
  });

  it("keeps hidden fields out of a PDF made from a disclosed copy: text, streams, attachment, QR code and bytes", async () => {
    const made = await certificate(disclosed, UNIVERSITY, { verifierUrl: VERIFIER, fonts });
    const text = await pdfText(made.pdf);
    const objects = await decodedObjects(made.pdf);
    const raw = latin1(made.pdf);
    // What is shown is found by the same searches, so a search that finds nothing is no accident.
    expect(text).toContain("S424242");
    expect(objects.includes("S424242"), "a shown value in the objects").toBe(true);
    expect(text).toContain("HIDDEN BY THE HOLDER");
    expect(text).toContain("Learner's email, Grade");
    for (const secret of [email, grade]) {
      expect(text).not.toContain(secret);
      expect(objects.includes(secret), `${secret} in the objects`).toBe(false);
      expect(raw.includes(secret) || raw.includes(utf16(secret)), `${secret} in the bytes`).toBe(false);
      expect(made.qr.text).not.toContain(secret);
      expect(JSON.stringify(bundleOfLink(made.qr.text))).not.toContain(secret);
    }
    expect((await bundleFromPdf(made.pdf)).hidden).toEqual(disclosed.hidden);
  });

  it("flows a long credential onto further pages, every page numbered, a continued row labelled", async () => {
    const pdf = await certificatePdf(long, "Test University", { verifierUrl: VERIFIER, fonts });
    const pages = await pdfPageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    const text = await pdfText(pdf);
    expect(text).toContain("Outcome 60:");
    expect(text).toContain(`Page ${pages} of ${pages}`);
    expect(text.split("\f")[pages - 1]).toContain("CREDENTIAL ID");
    // A row that runs onto the next page names itself there.
    expect(text.split("\f")[1]).toContain("LEARNING OUTCOMES (CONTINUED)");
  });

  it("sets the standard Helvetica without fonts, and refuses a name it cannot print, naming the character", async () => {
    const western = discloseBundle(long, ["learner.email"]);
    const pdf = await certificatePdf(western, "Test University", { verifierUrl: VERIFIER });
    expect((await decodedObjects(pdf)).includes("/BaseFont /Helvetica"), "Helvetica").toBe(true);
    await expect(certificatePdf(full, UNIVERSITY, { verifierUrl: VERIFIER })).rejects.toThrow(
      /"Ł" \(U\+0141\) cannot be printed in the standard PDF fonts/,
    );
  });

  it("refuses a character its font lacks instead of printing a box", async () => {
    const chinese = structuredClone(full);
    (chinese.credential.learner as { name: string }).name = "王小明";
    const error = await certificatePdf(chinese, UNIVERSITY, { verifierUrl: VERIFIER, fonts }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredrootError);
    expect((error as CredrootError).code).toBe("INVALID_ARGUMENT");
    expect((error as CredrootError).message).toMatch(/"王" \(U\+738B\) is not in the certificate's font/);
  });

  it("prints controls and bidirectional overrides in a value as nothing, never reversing a name", async () => {
    const tricky = structuredClone(full);
    (tricky.credential.learner as { name: string }).name = "Eve\u202eevE\u0007 Forger\nLine";
    const text = await pdfText(await certificatePdf(tricky, UNIVERSITY, { verifierUrl: VERIFIER, fonts }));
    expect(text).toContain("EveevE Forger Line");
  });

  it("refuses a malformed bundle and a verifier URL that is not http(s)", async () => {
    const broken = { ...structuredClone(full), root: "not base64" };
    await expect(certificatePdf(broken, UNIVERSITY, { verifierUrl: VERIFIER })).rejects.toMatchObject({
      code: "INVALID_BUNDLE",
    });
    await expect(certificatePdf(full, UNIVERSITY, { verifierUrl: "javascript:alert(1)" })).rejects.toThrow(
      /must be an http\(s\) URL/,
    );
  });
});

describe("certificateQr", () => {
  /** A disclosed-looking bundle whose values do not compress: too large for any QR code as a link. */
  function hugeBundle(base: Bundle): Bundle {
    const huge = structuredClone(base);
    huge.credential.description = Array.from({ length: 1500 }, (_, i) => ((i * 7919) % 100003).toString(36)).join("");
    return huge;
  }
  const base = (): Bundle => ({
    type: "credroot/bundle",
    version: 2,
    anchor: {
      chainId: 31337,
      registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      issuerId: 1,
      batchId: "7f3c2a10-5b6e-4d8f-9a01-23456789abcd",
      block: 2,
    },
    credential: { id: "urn:x", title: "T", issuedOn: "2026-01-01" },
    secret: "QqwZRSm2BvPGBdCEaen3QQ",
    root: "DHHppX4y7iGOb1qaOA6-rAwUwlmsuSIMUDNcjtkKLZk",
    proof: "",
  });

  it("carries the bundle in the link while it fits, at error correction M", async () => {
    const qr = await certificateQr(base(), { verifierUrl: VERIFIER });
    expect(qr).toMatchObject({ carries: "bundle", level: "M" });
    expect(bundleOfLink(qr.text)).toEqual(base());
    expect(qr.modules.length).toBe(qr.modules[0]!.length);
  });

  it("falls back to the share link for a bundle too large, and says what to do when none is given", async () => {
    const huge = hugeBundle(base());
    const shareUrl = "https://credentials.example.edu/v/urn%3Ax?hide=learner.email";
    const qr = await certificateQr(huge, { verifierUrl: VERIFIER, shareUrl });
    expect(qr).toMatchObject({ carries: "share-link", text: shareUrl, level: "M" });
    await expect(certificateQr(huge, { verifierUrl: VERIFIER })).rejects.toThrow(
      /too large for a QR code .*give its share link/,
    );
  });
});
