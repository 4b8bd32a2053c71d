// W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/): the revocation entry a
// signed credential carries. Browser-safe and light (the export and the web page read it); the list
// credential itself is built in ./status-list.ts.
import { CredrootError } from "../errors";
import { isObject } from "./fields";

/** The spec's minimum list length (16 KB of bits), so that one revocation hides among many entries. */
export const STATUS_LIST_MIN_BITS = 131_072;

/** The only purpose credroot publishes: a set bit means revoked, for good. */
export const STATUS_PURPOSE = "revocation";

/** The `credentialStatus` of a signed credential (every term is defined by the VC 2.0 context). */
export interface StatusListEntry {
  /** `<list url>#<index>`. */
  id: string;
  type: "BitstringStatusListEntry";
  statusPurpose: typeof STATUS_PURPOSE;
  /** The index as decimal text, as the spec writes it. */
  statusListIndex: string;
  /** The URL of the issuer's status list credential. */
  statusListCredential: string;
}

/**
 * How many bits an issuer's list has for `entries` assigned indexes: {@link STATUS_LIST_MIN_BITS},
 * grown by whole steps of that size, so the list changes length rarely and every index fits.
 * @example
 * statusListLength(10); // 131072
 * statusListLength(131_073); // 262144
 */
export function statusListLength(entries: number): number {
  const steps = Math.max(1, Math.ceil(entries / STATUS_LIST_MIN_BITS));
  return steps * STATUS_LIST_MIN_BITS;
}

export function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0) {
    throw new CredrootError("INVALID_ARGUMENT", `a status list index is a non-negative integer, not ${index}`);
  }
}

/**
 * The `credentialStatus` entry of the credential at `index` of the list at `listUrl`.
 * @throws CredrootError `INVALID_ARGUMENT` for an index that is not a non-negative integer.
 * @example
 * statusListEntry("https://issuer.example/v1/status-lists/1", 7);
 * // { id: "https://issuer.example/v1/status-lists/1#7", type: "BitstringStatusListEntry", … }
 */
export function statusListEntry(listUrl: string, index: number): StatusListEntry {
  checkIndex(index);
  return {
    id: `${listUrl}#${index}`,
    type: "BitstringStatusListEntry",
    statusPurpose: STATUS_PURPOSE,
    statusListIndex: String(index),
    statusListCredential: listUrl,
  };
}

const ENTRY_KEYS = ["id", "type", "statusPurpose", "statusListIndex", "statusListCredential"];

/**
 * `value` when it is exactly an entry {@link statusListEntry} writes (the same keys, an index in
 * decimal, the id naming the list and the index), else null: what an import accepts beside the
 * claims the embedded bundle commits to.
 */
export function readStatusListEntry(value: unknown): StatusListEntry | null {
  if (!isObject(value)) return null;
  const keys = Object.keys(value);
  if (keys.length !== ENTRY_KEYS.length || !ENTRY_KEYS.every((key) => keys.includes(key))) return null;
  const { statusListCredential: url, statusListIndex: index } = value;
  if (typeof url !== "string" || typeof index !== "string" || !/^(0|[1-9][0-9]{0,14})$/.test(index)) return null;
  const expected = statusListEntry(url, Number(index));
  return ENTRY_KEYS.every((key) => value[key] === expected[key as keyof StatusListEntry]) ? expected : null;
}
