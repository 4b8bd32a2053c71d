// Telling a badge image from other input by its first bytes, without the PNG and SVG readers: what
// the web page's first chunk needs to decide whether to load them.

/** The largest image (PNG or SVG) credroot reads a baked credential from, in bytes. */
export const MAX_BADGE_IMAGE = 1024 * 1024;

/** The eight bytes every PNG file starts with. */
export const PNG_SIGNATURE: readonly number[] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** True when `bytes` start with the PNG signature. */
export function isPng(bytes: Uint8Array): boolean {
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** True when the text looks like an SVG document (its first tag, past any prolog, is `<svg`). */
export function looksLikeSvg(text: string): boolean {
  // A prolog may hold an XML declaration, comments and a DOCTYPE (which the reader then refuses, by name).
  return /^\s*(<\?xml[^>]*\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[^\]]*\])?\s*>)\s*)*<svg[\s>/]/.test(
    text.slice(0, 4096),
  );
}
