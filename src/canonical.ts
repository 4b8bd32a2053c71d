import { CredrootError } from "./errors";
import { findLoneSurrogate } from "./json";
import type { KeccakSink } from "./keccak-sink";
import type { JsonValue } from "./pointer";

/*
 * UTF-8(JCS(value)) — RFC 8785, as the `canonicalize` package writes it — in one pass straight into
 * a hash's input: no JSON text, no encoded copy. Strings are escaped as JSON.stringify escapes them
 * (\b \t \n \f \r \" \\, other controls as \u00xx) and encoded to UTF-8 in the same loop, which
 * also finds lone surrogates (no canonical form exists for them). Numbers are ECMAScript's
 * shortest round-trip form, object keys sorted by UTF-16 code units, `undefined` members dropped
 * and `undefined` array items written as null, all as `canonicalize` does.
 */

/** Thrown mid-write; the caller names the place with {@link canonicalError}. */
class NotCanonical extends Error {
  constructor(readonly reason: "lone surrogate" | "not JSON") {
    super(reason);
  }
}

const ESCAPE = new Map([
  [0x08, 0x62],
  [0x09, 0x74],
  [0x0a, 0x6e],
  [0x0c, 0x66],
  [0x0d, 0x72],
  [0x22, 0x22],
  [0x5c, 0x5c],
]);
const HEX = "0123456789abcdef";

function writeEscape(buf: Uint8Array, pos: number, c: number): number {
  buf[pos++] = 0x5c;
  const short = ESCAPE.get(c);
  if (short !== undefined) {
    buf[pos++] = short;
    return pos;
  }
  buf[pos++] = 0x75; // \u00xx: only controls below 0x20 get here
  buf[pos++] = 0x30;
  buf[pos++] = 0x30;
  buf[pos++] = HEX.charCodeAt(c >> 4);
  buf[pos++] = HEX.charCodeAt(c & 15);
  return pos;
}

/** Writes `"text"`, escaped and UTF-8 encoded. */
function writeString(sink: KeccakSink, text: string): void {
  sink.room(1);
  let { buf, pos } = sink;
  buf[pos++] = 0x22;
  // Each UTF-16 unit takes at most 6 bytes (\u00xx); a surrogate pair 4 for two units.
  let limit = buf.length - 6;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    if (pos > limit) {
      sink.pos = pos;
      sink.flush();
      ({ buf, pos } = sink);
      limit = buf.length - 6;
    }
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if (c >= 0x20 && c !== 0x22 && c !== 0x5c) buf[pos++] = c;
      else pos = writeEscape(buf, pos, c);
    } else if (c < 0x800) {
      buf[pos++] = 0xc0 | (c >> 6);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      buf[pos++] = 0xe0 | (c >> 12);
      buf[pos++] = 0x80 | ((c >> 6) & 0x3f);
      buf[pos++] = 0x80 | (c & 0x3f);
    } else {
      const low = c <= 0xdbff && i + 1 < n ? text.charCodeAt(i + 1) : 0;
      if (low < 0xdc00 || low > 0xdfff) throw new NotCanonical("lone surrogate");
      i++;
      const cp = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
      buf[pos++] = 0xf0 | (cp >> 18);
      buf[pos++] = 0x80 | ((cp >> 12) & 0x3f);
      buf[pos++] = 0x80 | ((cp >> 6) & 0x3f);
      buf[pos++] = 0x80 | (cp & 0x3f);
    }
  }
  sink.pos = pos;
  sink.room(1);
  sink.buf[sink.pos++] = 0x22;
}

/** Writes ASCII `text` (a number or a literal). */
function writeAscii(sink: KeccakSink, text: string): void {
  for (let i = 0; i < text.length; i++) {
    sink.room(1);
    sink.buf[sink.pos++] = text.charCodeAt(i);
  }
}

function writeByte(sink: KeccakSink, byte: number): void {
  sink.room(1);
  sink.buf[sink.pos++] = byte;
}

function writeValue(sink: KeccakSink, value: unknown): void {
  switch (typeof value) {
    case "string":
      writeString(sink, value);
      return;
    case "number":
      if (!Number.isFinite(value)) throw new NotCanonical("not JSON");
      writeAscii(sink, String(value)); // ECMAScript Number::toString is RFC 8785's number form
      return;
    case "boolean":
      writeAscii(sink, value ? "true" : "false");
      return;
    case "object":
      if (value === null) writeAscii(sink, "null");
      else if (Array.isArray(value)) writeArray(sink, value);
      else writeObject(sink, value as Record<string, unknown>);
      return;
    default:
      throw new NotCanonical("not JSON"); // functions, symbols, bigints, undefined at the top
  }
}

function writeArray(sink: KeccakSink, items: readonly unknown[]): void {
  writeByte(sink, 0x5b);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) writeByte(sink, 0x2c);
    const item = items[i];
    if (item === undefined) writeAscii(sink, "null");
    else writeValue(sink, item);
  }
  writeByte(sink, 0x5d);
}

function writeObject(sink: KeccakSink, object: Record<string, unknown>): void {
  if (typeof object.toJSON === "function") throw new NotCanonical("not JSON"); // a Date, say: not a JSON value
  writeByte(sink, 0x7b);
  let first = true;
  for (const key of Object.keys(object).sort()) {
    const member = object[key];
    if (member === undefined) continue;
    if (!first) writeByte(sink, 0x2c);
    first = false;
    writeString(sink, key);
    writeByte(sink, 0x3a);
    writeValue(sink, member);
  }
  writeByte(sink, 0x7d);
}

/**
 * Writes UTF-8(JCS(`value`)) into `sink`.
 * @throws an internal error that {@link canonicalError} turns into the caller's message.
 */
export function writeCanonical(sink: KeccakSink, value: JsonValue): void {
  writeValue(sink, value);
}

/**
 * The `INVALID_ARGUMENT` error for a failed {@link writeCanonical} of `value` (`at` prefixes the
 * pointer of the lone surrogate), or `error` itself when it is not one of ours.
 */
export function canonicalError(error: unknown, value: unknown, at = ""): unknown {
  if (!(error instanceof NotCanonical)) return error;
  if (error.reason === "lone surrogate") {
    const inner = findLoneSurrogate(value) ?? "";
    const pointer = inner === "/" ? at || "/" : `${at}${inner}`;
    return new CredrootError("INVALID_ARGUMENT", `a lone surrogate at ${pointer} has no canonical form`);
  }
  return new CredrootError("INVALID_ARGUMENT", `the value at ${at || "/"} is not JSON and cannot be canonicalised`);
}
