/**
 * Parsers of the accreditor commands' arguments: each refuses a bad value with a sentence
 * commander prints as a usage error, before any chain is asked or any file written.
 */
import { InvalidArgumentError } from "commander";
import { decodeBase58, encodeBase58, getBytes, hexlify, toBeHex } from "ethers";

/** Parses an issuer id: a whole number from 1 (ids are assigned from 1). */
export function issuerId(value: string): number {
  const n = Number(value);
  if (!/^[1-9][0-9]*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError("expected an issuer id, a whole number from 1 (see `credroot issuers`)");
  }
  return n;
}

/** Parses a text the registry stores (a name, a reason): not blank, and one line. */
export function nonBlank(value: string): string {
  if (value.trim() === "") throw new InvalidArgumentError("must not be blank");
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new InvalidArgumentError("must be one line of text (no control characters)");
  return value;
}

/** Parses a URI the registry stores: empty, or one line of text. */
export function uriText(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u0020\u007f]/.test(value)) throw new InvalidArgumentError("a URI has no spaces or control characters");
  return value;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** When a withdrawal takes effect: `now`, or a moment in seconds since the epoch. */
export type EffectiveFrom = { kind: "now" } | { kind: "at"; seconds: number };

/**
 * Parses `--from`: `now`, a date (`2026-11-01`, midnight UTC) or a date and time with its zone
 * (`2026-11-01T09:30:00Z`, `…+01:00`). A time without a zone is refused: it would mean another
 * moment on another machine.
 */
export function effectiveFrom(value: string): EffectiveFrom {
  if (value === "now") return { kind: "now" };
  const shaped = DATE_ONLY.test(value) || DATE_TIME.test(value);
  const ms = shaped ? Date.parse(DATE_ONLY.test(value) ? `${value}T00:00:00Z` : value) : NaN;
  // Date.parse rolls 2026-02-30 over to March: the date must read back as written.
  if (!Number.isFinite(ms) || ms < 0 || !new Date(ms).toISOString().startsWith(value.slice(0, 10))) {
    throw new InvalidArgumentError(
      "expected now, a date (2026-11-01, midnight UTC) or a date and time with its zone (2026-11-01T09:30:00Z)",
    );
  }
  return { kind: "at", seconds: Math.floor(ms / 1000) };
}

/** The multicodec prefix of an Ed25519 public key (0xed, as a varint: 0xed 0x01). */
const ED25519_PREFIX = [0xed, 0x01];
const DID_KEY = /^did:key:z(6Mk[1-9A-HJ-NP-Za-km-z]{40,50})$/;

/**
 * Parses an Ed25519 `did:key` into the raw 32-byte public key the registry records
 * (`bytes32`, 0x and 64 lowercase hex digits).
 */
export function didKey(value: string): string {
  const match = DID_KEY.exec(value);
  let bytes: Uint8Array | null = null;
  if (match) {
    const n = decodeBase58(match[1]!);
    // 34 bytes: the two-byte multicodec prefix, then the key.
    bytes = n >> 272n === 0n ? getBytes(toBeHex(n, 34)) : null;
  }
  if (bytes === null || bytes[0] !== ED25519_PREFIX[0] || bytes[1] !== ED25519_PREFIX[1]) {
    throw new InvalidArgumentError("expected an Ed25519 did:key (did:key:z6Mk…)");
  }
  return hexlify(bytes.slice(2));
}

/** The `did:key` of a raw 32-byte Ed25519 public key: what {@link didKey} reads back. */
export function didKeyOf(publicKey: string): string {
  return `did:key:z${encodeBase58(new Uint8Array([...ED25519_PREFIX, ...getBytes(publicKey)]))}`;
}
