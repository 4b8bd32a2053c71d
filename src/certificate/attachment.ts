import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFObject,
  PDFRawStream,
  PDFString,
} from "pdf-lib";
import { type Bundle, MAX_BUNDLE_TEXT, parseBundle } from "../bundle";
import { CredrootError, isCredrootError } from "../errors";
import { BUNDLE_ATTACHMENT, isPdf, MAX_CERTIFICATE_PDF } from "./names";

/** Largest attachment unpacked: a bundle of {@link MAX_BUNDLE_TEXT} characters, 3 UTF-8 bytes each at most. */
const MAX_ATTACHMENT = MAX_BUNDLE_TEXT * 3;
/** A name tree deeper or larger than this is not a certificate's (one node holds the one attachment). */
const MAX_TREE_DEPTH = 16;
const MAX_TREE_NODES = 4096;

function refused(message: string, cause?: unknown): never {
  throw new CredrootError("INVALID_BUNDLE", message, cause === undefined ? {} : { cause });
}

const NOT_A_CERTIFICATE = `this PDF has no ${BUNDLE_ATTACHMENT} attached: it is not a credroot certificate`;

const name = (key: string) => PDFName.of(key);

function textOf(value: PDFObject | undefined): string | null {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : null;
}

/** The file specifications of the catalog's `/Names /EmbeddedFiles` name tree, with their keys. */
function embeddedFiles(doc: PDFDocument): { key: string | null; spec: PDFDict }[] {
  const names = doc.catalog.lookup(name("Names"));
  const root = names instanceof PDFDict ? names.lookup(name("EmbeddedFiles")) : undefined;
  if (!(root instanceof PDFDict)) refused(NOT_A_CERTIFICATE);
  const found: { key: string | null; spec: PDFDict }[] = [];
  const seen = new Set<PDFDict>();
  const stack: [PDFDict, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (seen.has(node)) continue; // a loop in the tree
    seen.add(node);
    if (depth > MAX_TREE_DEPTH || seen.size > MAX_TREE_NODES)
      refused("this PDF's list of attachments is too large to read");
    const pairs = node.lookup(name("Names"));
    if (pairs instanceof PDFArray) {
      for (let i = 0; i + 1 < pairs.size(); i += 2) {
        const spec = pairs.lookup(i + 1);
        if (spec instanceof PDFDict) found.push({ key: textOf(pairs.lookup(i)), spec });
      }
    }
    const kids = node.lookup(name("Kids"));
    if (kids instanceof PDFArray) {
      for (let i = 0; i < kids.size(); i++) {
        const kid = kids.lookup(i);
        if (kid instanceof PDFDict) stack.push([kid, depth + 1]);
      }
    }
  }
  return found;
}

/** The embedded file stream of the one file specification named {@link BUNDLE_ATTACHMENT}. */
function bundleStream(doc: PDFDocument): PDFRawStream {
  const streams = new Set<PDFRawStream>();
  for (const { key, spec } of embeddedFiles(doc)) {
    const names = [key, textOf(spec.lookup(name("UF"))), textOf(spec.lookup(name("F")))];
    if (!names.includes(BUNDLE_ATTACHMENT)) continue;
    const files = spec.lookup(name("EF"));
    const file = files instanceof PDFDict ? (files.lookup(name("F")) ?? files.lookup(name("UF"))) : undefined;
    if (!(file instanceof PDFRawStream)) refused(`this PDF's ${BUNDLE_ATTACHMENT} holds no file`);
    streams.add(file);
  }
  if (streams.size === 0) refused(NOT_A_CERTIFICATE);
  if (streams.size > 1) {
    refused(
      `this PDF has ${streams.size} attachments named ${BUNDLE_ATTACHMENT}: which one it certifies cannot be told`,
    );
  }
  return [...streams][0]!;
}

/** The stream's bytes, unpacked (FlateDecode and the other standard filters), refusing more than the limit. */
function unpack(stream: PDFRawStream): Uint8Array {
  let bytes: Uint8Array;
  try {
    // getBytes stops decoding at the limit: a small stream that inflates to gigabytes is cut off, not unpacked.
    bytes = Uint8Array.from(decodePDFRawStream(stream).getBytes(MAX_ATTACHMENT + 1));
  } catch (cause) {
    refused(`this PDF's ${BUNDLE_ATTACHMENT} cannot be unpacked: ${(cause as Error).message}`, cause);
  }
  if (bytes.length > MAX_ATTACHMENT) refused(`this PDF's ${BUNDLE_ATTACHMENT} is too large to be a bundle`);
  return bytes;
}

async function loadPdf(bytes: Uint8Array): Promise<PDFDocument> {
  if (!isPdf(bytes)) refused("this is not a PDF: it does not start with %PDF-");
  if (bytes.length > MAX_CERTIFICATE_PDF) {
    refused(`this PDF is larger than ${MAX_CERTIFICATE_PDF / 1024 / 1024} MB: too large to be a credroot certificate`);
  }
  try {
    return await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: true });
  } catch (cause) {
    // pdf-lib's errors are ES5 subclasses of Error: `instanceof` does not see them, their message does.
    const message = (cause as Error).message;
    const what = /\bis encrypted\b/.test(message) ? "it is encrypted" : message;
    refused(`this PDF cannot be read: ${what}`, cause);
  }
}

/**
 * The text of the bundle attached to a certificate PDF (`credroot-bundle.json`, found through the catalog's
 * embedded files name tree), unpacked and decoded as UTF-8. Nothing else of the PDF is read: what it prints
 * proves nothing, the attached bundle is what a verifier checks.
 * @throws CredrootError `INVALID_BUNDLE` for bytes that are not a PDF, a PDF too large, damaged or encrypted, one
 * without the attachment (or with two), or an attachment that cannot be unpacked or is not UTF-8 text.
 */
export async function attachedBundleText(bytes: Uint8Array): Promise<string> {
  try {
    const doc = await loadPdf(bytes);
    const file = unpack(bundleStream(doc));
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(file);
    } catch (cause) {
      refused(`this PDF's ${BUNDLE_ATTACHMENT} is not UTF-8 text`, cause);
    }
  } catch (error) {
    if (isCredrootError(error)) throw error;
    // pdf-lib's own errors on a damaged structure (an object of the wrong type where a dictionary belongs, …).
    refused(`this PDF cannot be read: ${(error as Error).message}`, error);
  }
}

/**
 * The bundle attached to a certificate PDF, parsed strictly ({@link parseBundle}). Verify it as any bundle.
 * @throws CredrootError `INVALID_BUNDLE` as {@link attachedBundleText} does, or when the attachment is not a bundle.
 * @example
 * const result = await verifyBundle(await bundleFromPdf(new Uint8Array(await file.arrayBuffer())), options);
 */
export async function bundleFromPdf(bytes: Uint8Array): Promise<Bundle> {
  const text = await attachedBundleText(bytes);
  try {
    return parseBundle(text);
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    refused(`this PDF's ${BUNDLE_ATTACHMENT} is not a credroot bundle: ${error.message}`, error);
  }
}
