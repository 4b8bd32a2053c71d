import fontkit from "@pdf-lib/fontkit";
import { AFRelationship, PDFDocument, StandardFonts } from "pdf-lib";
import { type Bundle, parseBundle } from "../bundle";
import { CredrootError } from "../errors";
import { drawCertificate } from "./draw";
import { type Faces, PageWriter } from "./layout";
import { type CertificateLinkOptions, type CertificateQr, certificateQr } from "./link";
import { BUNDLE_ATTACHMENT, BUNDLE_MIME_TYPE } from "./names";
import { certificateText } from "./words";

/** TrueType (or OpenType) fonts to set a certificate in: any script they cover prints. */
export interface CertificateFonts {
  regular: Uint8Array;
  /** Default: `regular`. */
  bold?: Uint8Array;
}

export interface CertificateOptions extends CertificateLinkOptions {
  /**
   * Unicode fonts to embed (subset: only the glyphs used). Without them the certificate is set in the standard
   * Helvetica, which prints Western European text only (WinAnsi): a name it cannot print is refused.
   */
  fonts?: CertificateFonts;
  /** When the PDF says it was made (default: now). */
  createdAt?: Date;
}

/** A made certificate: the PDF, and the QR code it shows. */
export interface Certificate {
  pdf: Uint8Array;
  qr: CertificateQr;
}

/**
 * fontkit, keeping the font it reads from each byte array: parsing a font's tables and laying out its glyphs the
 * first time is most of a certificate's cost, and a font once read serves every later document unchanged (each
 * document makes its own subset of it).
 */
const fonts = new WeakMap<Uint8Array, ReturnType<typeof fontkit.create>>();
const cachedFontkit: typeof fontkit = {
  ...fontkit,
  create: (data, postscriptName) => {
    if (postscriptName !== undefined) return fontkit.create(data, postscriptName);
    const font = fonts.get(data) ?? fontkit.create(data);
    fonts.set(data, font);
    return font;
  },
};

const hex = (character: string) => character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0");

async function embedFaces(doc: PDFDocument, fonts: CertificateFonts | undefined): Promise<Faces> {
  if (fonts === undefined) {
    const regular = await doc.embedFont(StandardFonts.Helvetica);
    return {
      regular,
      bold: await doc.embedFont(StandardFonts.HelveticaBold),
      printable: new Set(regular.getCharacterSet()),
      missing: (c) =>
        `"${c}" (U+${hex(c)}) cannot be printed in the standard PDF fonts, which hold Western European letters only: make the certificate with a Unicode font`,
    };
  }
  doc.registerFontkit(cachedFontkit);
  let regular;
  let bold;
  try {
    regular = await doc.embedFont(fonts.regular, { subset: true });
    bold = fonts.bold === undefined ? regular : await doc.embedFont(fonts.bold, { subset: true });
  } catch (cause) {
    throw new CredrootError("INVALID_ARGUMENT", `the certificate's font cannot be read: ${(cause as Error).message}`, {
      cause,
    });
  }
  const boldSet = new Set(bold.getCharacterSet());
  return {
    regular,
    bold,
    printable: new Set(regular.getCharacterSet().filter((c) => boldSet.has(c))),
    missing: (c) => `"${c}" (U+${hex(c)}) is not in the certificate's font: it cannot be printed`,
  };
}

/**
 * A printable PDF certificate (A4) of `bundle`: the credential in words, awarded by `issuerName` (the name the
 * registry records for the bundle's issuer: ask the chain, never the file), a QR code that verifies it (the whole
 * bundle in a verifier link when it fits, else `options.shareUrl`), and the bundle itself attached as
 * `credroot-bundle.json`. Made from a disclosed copy, it holds nothing of the hidden fields. It does not verify the
 * bundle: verify it first, and make no certificate of a credential that is not valid.
 * @throws CredrootError `INVALID_BUNDLE` for a malformed bundle; `INVALID_ARGUMENT` for a character the fonts cannot
 * print, a bundle too large for a QR code without a share link, or a bad URL.
 * @example
 * const pdf = await certificatePdf(bundle, result.issuer.name, { verifierUrl: "https://credentials.example.edu/" });
 */
export async function certificatePdf(
  bundle: Bundle,
  issuerName: string,
  options: CertificateOptions,
): Promise<Uint8Array> {
  return (await certificate(bundle, issuerName, options)).pdf;
}

/** {@link certificatePdf}, also saying what its QR code carries. */
export async function certificate(
  bundle: Bundle,
  issuerName: string,
  options: CertificateOptions,
): Promise<Certificate> {
  const checked = parseBundle(bundle);
  const words = certificateText(checked, issuerName);
  const qr = await certificateQr(checked, options);
  const doc = await PDFDocument.create();
  drawCertificate(doc, new PageWriter(doc, await embedFaces(doc, options.fonts)), words, qr);
  const created = options.createdAt ?? new Date();
  doc.setTitle(`${oneLine(words.title)} — ${oneLine(issuerName)}`);
  doc.setAuthor(oneLine(issuerName));
  doc.setSubject("Micro-credential certificate; its credroot proof bundle is attached");
  doc.setCreator("credroot");
  doc.setProducer("credroot (pdf-lib)");
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  const json = `${JSON.stringify(checked, null, 2)}\n`;
  await doc.attach(new TextEncoder().encode(json), BUNDLE_ATTACHMENT, {
    mimeType: BUNDLE_MIME_TYPE,
    description: "The credroot proof bundle of this certificate: verify it with credroot",
    creationDate: created,
    modificationDate: created,
    afRelationship: AFRelationship.Data,
  });
  return { pdf: await doc.save(), qr };
}

/** Metadata is one line: controls and bidirectional overrides as spaces. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, " ");
