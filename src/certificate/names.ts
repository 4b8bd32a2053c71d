/** The name of the bundle attached to every certificate, and its media type. */
export const BUNDLE_ATTACHMENT = "credroot-bundle.json";
export const BUNDLE_MIME_TYPE = "application/json";

/** Largest PDF read back, in bytes: a certificate is some 60 kB. */
export const MAX_CERTIFICATE_PDF = 8 * 1024 * 1024;

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-

/**
 * True when `bytes` start as a PDF file does (`%PDF-`). Kept apart from the reader so that telling a PDF from a
 * bundle does not load pdf-lib.
 */
export function isPdf(bytes: Uint8Array): boolean {
  return PDF_MAGIC.every((byte, i) => bytes[i] === byte);
}
