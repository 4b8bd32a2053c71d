// Types of the PNG chunk packages baking uses: they ship none. Both work on plain Uint8Arrays (no Buffer).

declare module "png-chunks-extract" {
  /** The chunks of a PNG file in order, IEND last; throws on a bad signature, a missing IHDR or a CRC mismatch. */
  export default function extractChunks(data: Uint8Array): { name: string; data: Uint8Array }[];
}

declare module "png-chunks-encode" {
  /** A PNG file of these chunks (the signature prepended, each chunk's length and CRC computed). */
  export default function encodeChunks(chunks: readonly { name: string; data: Uint8Array }[]): Uint8Array;
}
