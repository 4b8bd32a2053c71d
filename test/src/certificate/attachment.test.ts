import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFString } from "pdf-lib";
import { beforeAll, describe, expect, it } from "vitest";
import { type Bundle, CredrootError, initHasher, isCredrootError, parseBundle } from "../../../src";
import {
  attachedBundleText,
  BUNDLE_ATTACHMENT,
  bundleFromPdf,
  certificatePdf,
  isPdf,
  MAX_CERTIFICATE_PDF,
} from "../../../src/certificate";

const fixture = parseBundle(readFileSync(join(__dirname, "../../fixtures/bundle-v2.json"), "utf8"));
const VERIFIER = "https://credentials.example.edu/";
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A PDF with these attachments (name → bytes), made with pdf-lib as any other program would. */
async function pdfWith(files: Record<string, Uint8Array>, edit?: (doc: PDFDocument) => void): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.addPage();
  for (const [name, bytes] of Object.entries(files)) await doc.attach(bytes, name, { mimeType: "application/json" });
  if (edit === undefined) return doc.save();
  // Attachments are written into the catalog on save: load the saved file to edit them.
  const saved = await PDFDocument.load(await doc.save());
  edit(saved);
  return saved.save();
}

/** The refusal `bytes` get: a CredrootError INVALID_BUNDLE (anything else fails the test), its message. */
async function refusal(bytes: Uint8Array): Promise<string> {
  const error = await bundleFromPdf(bytes).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredrootError);
  expect((error as CredrootError).code).toBe("INVALID_BUNDLE");
  return (error as CredrootError).message;
}

const embeddedFiles = (doc: PDFDocument) =>
  doc.catalog.lookup(PDFName.of("Names"), PDFDict).lookup(PDFName.of("EmbeddedFiles"), PDFDict);

describe("bundleFromPdf", () => {
  let certificate: Uint8Array;

  beforeAll(async () => {
    await initHasher();
    certificate = await certificatePdf(fixture, "Test University", { verifierUrl: VERIFIER });
  });

  it("reads back the bundle of a certificate, and the attachment's text as written", async () => {
    expect(await bundleFromPdf(certificate)).toEqual(fixture);
    expect(await attachedBundleText(certificate)).toBe(`${JSON.stringify(fixture, null, 2)}\n`);
  });

  it("says a file that does not start with %PDF- is not a PDF", async () => {
    expect(isPdf(json(fixture))).toBe(false);
    expect(isPdf(certificate)).toBe(true);
    expect(await refusal(json(fixture))).toBe("this is not a PDF: it does not start with %PDF-");
    expect(await refusal(new Uint8Array(0))).toMatch(/not a PDF/);
  });

  it("refuses garbage after a PDF header, a truncated certificate and an oversized PDF with a sentence, not a crash", async () => {
    expect(await refusal(new TextEncoder().encode("%PDF-1.7\n%garbage\x00\x01 obj << /Type"))).toMatch(
      /^this PDF (cannot be read|has no credroot-bundle\.json attached)/,
    );
    expect(await refusal(certificate.subarray(0, Math.floor(certificate.length / 2)))).toMatch(/^this PDF /);
    const huge = new Uint8Array(MAX_CERTIFICATE_PDF + 1);
    huge.set(certificate);
    expect(await refusal(huge)).toBe("this PDF is larger than 8 MB: too large to be a credroot certificate");
  });

  it("says a PDF without the attachment is not a credroot certificate", async () => {
    const expected = `this PDF has no ${BUNDLE_ATTACHMENT} attached: it is not a credroot certificate`;
    expect(await refusal(await pdfWith({}))).toBe(expected);
    expect(await refusal(await pdfWith({ "bundle.json": json(fixture) }))).toBe(expected);
  });

  it("refuses two attachments of that name: which one is meant cannot be told", async () => {
    const other = { ...structuredClone(fixture), credential: { ...fixture.credential, title: "Another" } };
    const pdf = await pdfWith({ [BUNDLE_ATTACHMENT]: json(fixture) }, (doc) => {
      const names = embeddedFiles(doc).lookup(PDFName.of("Names"), PDFArray);
      const second = doc.context.obj({
        Type: "Filespec",
        F: PDFString.of(BUNDLE_ATTACHMENT),
        EF: { F: doc.context.register(doc.context.flateStream(json(other))) },
      });
      names.push(PDFString.of(BUNDLE_ATTACHMENT));
      names.push(doc.context.register(second));
    });
    expect(await refusal(pdf)).toBe(
      `this PDF has 2 attachments named ${BUNDLE_ATTACHMENT}: which one it certifies cannot be told`,
    );
  });

  it("refuses an attachment that is not UTF-8, not a bundle, or inflates past any bundle's size", async () => {
    const latin1 = await pdfWith({ [BUNDLE_ATTACHMENT]: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(await refusal(latin1)).toBe(`this PDF's ${BUNDLE_ATTACHMENT} is not UTF-8 text`);
    const notBundle = await pdfWith({ [BUNDLE_ATTACHMENT]: json({ hello: "world" }) });
    expect(await refusal(notBundle)).toMatch(
      /^this PDF's credroot-bundle\.json is not a credroot bundle: invalid bundle/,
    );
    // 4 MB of spaces deflate to a few kB: unpacking stops at the limit.
    const bomb = await pdfWith({ [BUNDLE_ATTACHMENT]: new Uint8Array(4 * 1024 * 1024).fill(0x20) });
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(await refusal(bomb)).toBe(`this PDF's ${BUNDLE_ATTACHMENT} is too large to be a bundle`);
  });

  it("refuses an encrypted PDF", async () => {
    const pdf = await pdfWith({ [BUNDLE_ATTACHMENT]: json(fixture) }, (doc) => {
      doc.context.trailerInfo.Encrypt = doc.context.register(doc.context.obj({ Filter: "Standard", V: 2, R: 3 }));
    });
    expect(await refusal(pdf)).toBe("this PDF cannot be read: it is encrypted");
  });

  it("finds the attachment down a name tree of several nodes, and stops at a loop in it", async () => {
    const deep = await pdfWith({ [BUNDLE_ATTACHMENT]: json(fixture) }, (doc) => {
      const root = embeddedFiles(doc);
      const leaf = doc.context.obj({ Names: root.get(PDFName.of("Names"))! });
      root.delete(PDFName.of("Names"));
      const middleRef = doc.context.nextRef();
      const middle = doc.context.obj({ Kids: [doc.context.register(leaf), middleRef] }); // a kid that is itself
      doc.context.assign(middleRef, middle);
      root.set(PDFName.of("Kids"), doc.context.obj([middleRef]));
    });
    expect(await bundleFromPdf(deep)).toEqual(fixture);
  });

  it("answers a bundle or an INVALID_BUNDLE error for any damage to a certificate, never another error", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        async (edits) => {
          const damaged = Uint8Array.from(certificate);
          for (const [at, byte] of edits) damaged[5 + (at % (damaged.length - 5))] = byte;
          const outcome = await bundleFromPdf(damaged).then(
            (bundle: Bundle) => bundle.type,
            (error: unknown) => (isCredrootError(error, "INVALID_BUNDLE") ? "refused" : error),
          );
          expect(["credroot/bundle", "refused"]).toContain(outcome);
        },
      ),
      { numRuns: 60 },
    );
  });
});
