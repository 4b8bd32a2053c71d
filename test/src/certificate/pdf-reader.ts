/*
 * Reading a certificate as a person's PDF viewer would, with a reader other than the one that wrote it: PDF.js
 * (Firefox's reader) extracts the text and the attachments and renders the first page, and jsQR decodes the QR code
 * from the rendered pixels. Test-only.
 */
import { inflateRawSync } from "node:zlib";
import jsQR from "jsqr";
import { decodePDFRawStream, PDFDocument, PDFRawStream } from "pdf-lib";
import type * as PdfJsModule from "pdfjs-dist";
import { type Bundle, parseBundle } from "../../../src";

type PdfJs = typeof PdfJsModule;

/** PDF.js's Node build (an ES module: loaded once, on first use). */
let pdfjs: Promise<PdfJs> | null = null;
const load = () => (pdfjs ??= import("pdfjs-dist/legacy/build/pdf.mjs") as Promise<PdfJs>);

async function open(bytes: Uint8Array) {
  const { getDocument } = await load();
  // PDF.js takes the buffer over: give it a copy.
  return getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false }).promise;
}

/**
 * The text of every page as PDF.js extracts it, pages joined by a form feed, every other run of white space (a
 * wrapped line) as one space.
 */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const doc = await open(bytes);
  try {
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((item) => ("str" in item ? item.str + (item.hasEOL ? "\n" : " ") : "")).join(""));
    }
    return pages.map((page) => page.replace(/\s+/g, " ")).join("\f");
  } finally {
    await doc.destroy();
  }
}

/** The attachments PDF.js finds: file name → bytes. */
export async function pdfAttachments(bytes: Uint8Array): Promise<Record<string, Uint8Array>> {
  const doc = await open(bytes);
  try {
    const found = ((await doc.getAttachments()) ?? {}) as Record<string, { filename: string; content: Uint8Array }>;
    return Object.fromEntries(Object.values(found).map((a) => [a.filename, a.content]));
  } finally {
    await doc.destroy();
  }
}

/** How many pages PDF.js counts. */
export async function pdfPageCount(bytes: Uint8Array): Promise<number> {
  const doc = await open(bytes);
  const count = doc.numPages;
  await doc.destroy();
  return count;
}

/**
 * What the QR code printed at the top right of page 1 says, read from the page rendered at 5 px per point (360 dpi);
 * null when none is found.
 */
export async function scanQr(bytes: Uint8Array): Promise<string | null> {
  const doc = await open(bytes);
  try {
    const page = await doc.getPage(1);
    const viewport = page.getViewport({ scale: 5 });
    // The code sits in the top right of the page: only that part is drawn and scanned, not 12 million pixels.
    const [x, width, height] = [
      Math.floor(viewport.width / 2),
      Math.ceil(viewport.width / 2),
      Math.floor(viewport.height / 3),
    ];
    const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
    const { canvas, context } = factory.create(width, height);
    const transform = [1, 0, 0, 1, -x, 0];
    await page.render({ canvasContext: context, viewport, canvas, transform } as Parameters<typeof page.render>[0])
      .promise;
    const image = context.getImageData(0, 0, width, height);
    return jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" })?.data ?? null;
  } finally {
    await doc.destroy();
  }
}

interface CanvasFactory {
  create(
    width: number,
    height: number,
  ): {
    canvas: unknown;
    context: {
      getImageData(
        x: number,
        y: number,
        w: number,
        h: number,
      ): { data: Uint8ClampedArray; width: number; height: number };
    };
  };
}

/** The bundle a verifier link carries in `#b=` (base64url of deflate-raw JSON), decoded with Node's zlib. */
export function bundleOfLink(link: string): Bundle {
  const data = new URLSearchParams(new URL(link).hash.slice(1)).get("b");
  if (data === null) throw new Error(`no #b= in ${link}`);
  return parseBundle(inflateRawSync(Buffer.from(data, "base64url")).toString("utf8"));
}

/**
 * Every object of the PDF as text: streams decoded (content streams, fonts, the attachment…) as Latin-1, the
 * objects packed in compressed object streams written out in PDF syntax. What to search for a value.
 */
export async function decodedObjects(bytes: Uint8Array): Promise<string> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const parts: string[] = [];
  for (const [, object] of doc.context.enumerateIndirectObjects()) {
    parts.push(
      object instanceof PDFRawStream
        ? `${object.dict.toString()}\n${Buffer.from(decodePDFRawStream(object).decode()).toString("latin1")}`
        : object.toString(),
    );
  }
  return parts.join("\n");
}

/** The links (URI actions) of page 1's annotations, as PDF.js reads them. */
export async function pageLinks(bytes: Uint8Array): Promise<string[]> {
  const doc = await open(bytes);
  try {
    const annotations = (await (await doc.getPage(1)).getAnnotations()) as { url?: string }[];
    return annotations.flatMap((a) => (a.url === undefined ? [] : [a.url]));
  } finally {
    await doc.destroy();
  }
}
