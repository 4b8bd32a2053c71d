/*
 * Printable certificates: a PDF of a credential in words, with a QR code that verifies it and its bundle attached,
 * and the way back from such a PDF to its bundle. Kept out of src/index.ts: pdf-lib is large, and only the callers
 * that make or read PDFs should load it (the web page imports ./attachment when a PDF is given).
 */
export * from "./attachment";
export * from "./names";
export * from "./link";
export * from "./pdf";
export * from "./words";
