// Open Badges 3.0 baking, PNG: the credential in an `iTXt` chunk with the keyword `openbadgecredential`.
// Browser-safe (no Buffer): the chunk packages read and write plain Uint8Arrays.
import extractChunks from "png-chunks-extract";
import encodeChunks from "png-chunks-encode";
import { CredrootError } from "../errors";
import { isPng, MAX_BADGE_IMAGE, PNG_SIGNATURE } from "./baked-sniff";

export { isPng, MAX_BADGE_IMAGE } from "./baked-sniff";

/** The `iTXt` keyword OB 3.0 bakes a credential under (OB 2.0 used `openbadges`, in a `tEXt` or `iTXt` chunk). */
export const PNG_KEYWORD = "openbadgecredential";

export interface PngChunk {
  name: string;
  data: Uint8Array;
}

const notBaked = (message: string) => new CredrootError("INVALID_ARGUMENT", `not a baked badge: ${message}`);

/**
 * The chunks of a PNG, each one's length checked against the file before any is read (the chunk
 * package would allocate whatever length a hostile file declares) and each CRC checked by it.
 */
export function pngChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw notBaked("the file is not a PNG image");
  if (bytes.length > MAX_BADGE_IMAGE) throw notBaked(`the image is larger than ${MAX_BADGE_IMAGE} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = PNG_SIGNATURE.length;
  let ended = false;
  while (offset < bytes.length && !ended) {
    if (offset + 12 > bytes.length) throw notBaked("the PNG is truncated");
    const length = view.getUint32(offset);
    if (length > bytes.length - offset - 12) throw notBaked("a PNG chunk is longer than the file");
    ended = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) === "IEND";
    offset += length + 12;
  }
  if (!ended) throw notBaked("the PNG has no IEND chunk");
  try {
    return extractChunks(bytes);
  } catch (cause) {
    throw new CredrootError("INVALID_ARGUMENT", `not a baked badge: the PNG is damaged (${(cause as Error).message})`, {
      cause,
    });
  }
}

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** An `iTXt` chunk's parts; null when it is malformed (a missing separator). */
function readItxt(data: Uint8Array): { keyword: string; compressed: boolean; text: Uint8Array } | null {
  const end = data.subarray(0, 80).indexOf(0);
  if (end < 1 || end + 2 >= data.length) return null;
  const language = data.indexOf(0, end + 3);
  const translated = language < 0 ? -1 : data.indexOf(0, language + 1);
  if (translated < 0) return null;
  return {
    keyword: latin1(data.subarray(0, end)),
    compressed: data[end + 1] !== 0,
    text: data.subarray(translated + 1),
  };
}

/** The OB 3.0 `iTXt` chunk: keyword, compression flag 0, method 0, empty language and translated keyword. */
export function credentialChunk(text: string): PngChunk {
  const keyword = Uint8Array.from(PNG_KEYWORD, (c) => c.charCodeAt(0));
  const body = new TextEncoder().encode(text);
  const data = new Uint8Array(keyword.length + 5 + body.length);
  data.set(keyword, 0);
  // keyword \0, compression flag 0, compression method 0, language "" \0, translated keyword "" \0
  data.set(body, keyword.length + 5);
  return { name: "iTXt", data };
}

function isCredentialChunk(chunk: PngChunk): boolean {
  return (chunk.name === "iTXt" || chunk.name === "tEXt") && readItxtKeyword(chunk.data) === PNG_KEYWORD;
}

/** A text chunk's keyword (1 to 79 Latin-1 bytes, then a nul), or null. */
const readItxtKeyword = (data: Uint8Array) => {
  const end = data.subarray(0, 80).indexOf(0);
  return end < 1 ? null : latin1(data.subarray(0, end));
};

/**
 * The text of the credential baked into a PNG (the OB3 JSON or the compact JWT, as baked).
 * @throws CredrootError `INVALID_ARGUMENT` when the file is not a PNG, is damaged, holds no
 * `openbadgecredential` chunk, holds two, holds a compressed one, or only an Open Badges 2.0 assertion.
 */
export function extractPngCredential(bytes: Uint8Array): string {
  const chunks = pngChunks(bytes);
  const baked = chunks.filter((chunk) => chunk.name === "iTXt" && readItxtKeyword(chunk.data) === PNG_KEYWORD);
  if (baked.length > 1)
    throw notBaked(`the PNG holds ${baked.length} ${PNG_KEYWORD} chunks; Open Badges 3.0 allows one`);
  const chunk = baked[0];
  if (chunk === undefined) {
    const old = chunks.some(
      (c) => (c.name === "iTXt" || c.name === "tEXt") && readItxtKeyword(c.data) === "openbadges",
    );
    throw notBaked(
      old
        ? "this is an Open Badges 2.0 badge (an `openbadges` chunk); credroot reads Open Badges 3.0 credentials"
        : `the PNG holds no ${PNG_KEYWORD} chunk`,
    );
  }
  const itxt = readItxt(chunk.data);
  if (itxt === null) throw notBaked(`the ${PNG_KEYWORD} chunk is malformed`);
  if (itxt.compressed) throw notBaked(`the ${PNG_KEYWORD} chunk is compressed; Open Badges 3.0 bakes it uncompressed`);
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(itxt.text);
  } catch {
    throw notBaked(`the ${PNG_KEYWORD} chunk is not UTF-8 text`);
  }
}

/**
 * The PNG with `text` (the signed OB3 JSON or its compact JWT) baked in, as OB 3.0 specifies: one
 * `iTXt` chunk with keyword `openbadgecredential` just before IEND, replacing any the image had.
 * @throws CredrootError `INVALID_ARGUMENT` when the image is not a readable PNG.
 * @example
 * const badge = bakePng(imageBytes, JSON.stringify(signedCredential));
 */
export function bakePng(png: Uint8Array, text: string): Uint8Array {
  const chunks = pngChunks(png).filter((chunk) => !isCredentialChunk(chunk));
  const end = chunks.findIndex((chunk) => chunk.name === "IEND");
  return encodeChunks([...chunks.slice(0, end), credentialChunk(text), ...chunks.slice(end)]);
}
