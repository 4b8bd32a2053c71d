import { type Bundle, MAX_PRESENTATION_TEXT, parseBundle, parsePresentation, type Presentation } from "../../src";
import { isPdf, MAX_CERTIFICATE_PDF } from "../../src/certificate/names";
import { isCredrootError } from "../../src/errors";
import { isPng, MAX_BADGE_IMAGE } from "../../src/standard/baked-sniff";
import { detect, isUnmarkedJson } from "../../src/standard/detect";
import type { SignedInput } from "../../src/standard/verify-any";
import { REISSUE_HEADLINE } from "./words";

/** What a person handed the page: one bundle or a presentation of several. */
export type Loaded = { kind: "bundle"; bundle: Bundle } | { kind: "presentation"; presentation: Presentation };

/** A problem with what was given, in a sentence for the person (never a verdict). */
export class InputError extends Error {
  override name = "InputError";

  /** `headline`: what the verdict box says instead of "not a credential" (a v1 file is one, but old). */
  constructor(
    message: string,
    readonly headline?: string,
  ) {
    super(message);
  }
}

/** The library's message as a sentence: capital first, full stop last. */
const sentence = (message: string) =>
  `${message.charAt(0).toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? "" : "."}`;

/**
 * Reads JSON text as a bundle or, when its `type` says so, a presentation. The text itself goes to
 * the library's parser, which refuses a key given twice (JSON.parse would silently keep the last).
 * A version 1 file gets the library's one-line "re-issue" message.
 * @throws InputError saying why it is not a credential.
 */
export function readCredentialText(text: string): Loaded {
  if (text.trim() === "") throw new InputError("There is nothing to check: the text is empty.");
  if (text.length > MAX_PRESENTATION_TEXT) throw new InputError("This is too large to be a credential file.");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError("This is not a credential file: it is not JSON.");
  }
  const header = typeof value === "object" && value !== null ? (value as { type?: unknown; version?: unknown }) : {};
  const presentation = header.type === "credroot/presentation";
  const old = header.version === 1 && (presentation || header.type === "credroot/bundle");
  try {
    return presentation
      ? { kind: "presentation", presentation: parsePresentation(text) }
      : { kind: "bundle", bundle: parseBundle(text) };
  } catch (error) {
    const message = (error as Error).message;
    if (old) throw new InputError(sentence(message), REISSUE_HEADLINE);
    throw new InputError(`This is not a credroot credential: ${message}`);
  }
}

/**
 * The text of a file a person dropped or picked: a credential file as it is, or, from a certificate PDF (a file
 * that starts with `%PDF-`), the bundle attached to it. What the PDF prints is never read: the verdict is the
 * attached bundle's. The PDF reader (pdf-lib) is imported only when a PDF is given.
 * @throws InputError saying why a PDF holds no bundle to check.
 */
export async function credentialFileText(file: Blob): Promise<string> {
  if (!isPdf(new Uint8Array(await file.slice(0, 5).arrayBuffer()))) return file.text();
  if (file.size > MAX_CERTIFICATE_PDF) throw new InputError("This PDF is too large to be a credroot certificate.");
  const { attachedBundleText } = await import("../../src/certificate/attachment");
  try {
    return await attachedBundleText(new Uint8Array(await file.arrayBuffer()));
  } catch (error) {
    throw new InputError(sentence((error as Error).message));
  }
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new InputError("This link is damaged: its data is not base64url.");
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** Reads a stream to its end as text, refusing more than `limit` bytes (a decompression bomb). */
async function readLimited(stream: ReadableStream<Uint8Array>, limit: number): Promise<string> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new InputError("This link carries too much data to be a credential.");
    }
    chunks.push(value);
  }
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.length;
  }
  return new TextDecoder("utf-8", { fatal: true }).decode(all);
}

/** The `b` parameter of a location hash (`#b=…`), or null when there is none. */
export function fragmentData(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, "")).get("b");
}

/**
 * The JSON text a share link's fragment carries: base64url of the deflate-raw (or gzip)
 * compressed JSON, or of the plain JSON.
 * @throws InputError when the data is damaged.
 */
export async function decodeFragment(data: string): Promise<string> {
  const bytes = fromBase64Url(data);
  if (bytes[0] === 0x7b /* { */) {
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new InputError("This link is damaged: its data is not text.");
    }
  }
  const format: CompressionFormat = bytes[0] === 0x1f && bytes[1] === 0x8b ? "gzip" : "deflate-raw";
  try {
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream(format));
    return await readLimited(stream, MAX_PRESENTATION_TEXT);
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError("This link is damaged: its data could not be unpacked.");
  }
}

/** base64url of the deflate-raw compressed `json`: what goes after `#b=` in a share link. */
export async function encodeFragment(json: string): Promise<string> {
  const stream = new Blob([json]).stream().pipeThrough(new CompressionStream("deflate-raw"));
  return toBase64Url(new Uint8Array(await new Response(stream).arrayBuffer()));
}

/**
 * A signed credential given as text (OB 3.0 / VC JSON, JWT, SD-JWT, an SVG badge), or null for what
 * the bundle reader judges (a bundle, a presentation, JSON with neither `type` nor `@context`).
 * Only detected here: the verifier is the lazy `./standard` chunk.
 * @throws InputError saying what credroot reads, for anything else.
 */
export function signedInputOf(text: string): SignedInput | null {
  if (text.trim() === "") return null; // the bundle reader says "nothing to check"
  let detected;
  try {
    detected = detect(text);
  } catch (error) {
    if (!isCredrootError(error, "NOT_A_CREDENTIAL") || isUnmarkedJson(error)) return null;
    throw new InputError(sentence(error.message));
  }
  const { kind } = detected;
  return kind === "vc-json" || kind === "jwt" || kind === "sd-jwt" || kind === "svg" ? detected : null;
}

/** A PNG badge a person dropped or picked, as bytes; null for any other file. */
export async function pngBadge(file: Blob): Promise<SignedInput | null> {
  if (!isPng(new Uint8Array(await file.slice(0, 8).arrayBuffer()))) return null;
  if (file.size > MAX_BADGE_IMAGE) throw new InputError("This image is too large to be a badge.");
  return { kind: "png", bytes: new Uint8Array(await file.arrayBuffer()) };
}
