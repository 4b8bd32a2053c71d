/*
 * Nothing a bundle, the chain or a service says reaches the terminal as it is: a title holding
 * `ESC[1A ESC[2K` would erase "NOT VALID" and draw "VALID" in its place, and a right-to-left
 * override would reverse what follows it. Every value the CLI prints from outside passes here.
 */

/**
 * Terminal escape sequences, whole: CSI (`ESC [` or the 8-bit U+009B, parameters, a final byte),
 * OSC, DCS, SOS, PM and APC strings (up to BEL or ST, or the end of the text), and any other
 * two-character `ESC x`.
 */
const ESCAPE_SEQUENCE = new RegExp(
  [
    "(?:\\u001b\\[|\\u009b)[\\u0030-\\u003f]*[\\u0020-\\u002f]*[\\u0040-\\u007e]?",
    "(?:\\u001b[\\]PX^_]|[\\u009d\\u0090\\u0098\\u009e\\u009f])[^\\u0007\\u001b\\u009c]*(?:\\u0007|\\u001b\\\\|\\u009c)?",
    "\\u001b[\\u0020-\\u002f]*[\\u0030-\\u007e]?",
  ].join("|"),
  "g",
);

/** Line and paragraph breaks (a value cannot start a line of its own): shown as a space. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const BREAKS = /\r\n|[\n\r\u000b\u000c\u0085\u2028\u2029\t]/g;

/**
 * What is left to strip: C0 controls, DEL, C1 controls, and the bidirectional formatting
 * characters (embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, and the marks
 * U+200E, U+200F, U+061C).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * `text` safe to print on a terminal: escape sequences and control characters removed, line
 * breaks and tabs shown as one space, bidirectional overrides and isolates removed.
 * @example printable("Eve\u001b[2K\rVALID") // "Eve VALID"
 */
export function printable(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, "").replace(BREAKS, " ").replace(CONTROLS, "");
}

/** Characters JSON.stringify leaves raw that a terminal may act on: written as `\uXXXX` instead. */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Pretty JSON with a final newline that a terminal shows as text: JSON.stringify already escapes
 * C0 controls (ESC included); DEL, C1 controls and bidirectional controls are escaped too. The
 * document means the same to any JSON reader.
 */
export function printableJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${text}\n`;
}
