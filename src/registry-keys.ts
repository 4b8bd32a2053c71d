import { decodeBase58, encodeBase58, getBytes, hexlify, isHexString } from "ethers";
import type { ICredentialRegistry } from "./contracts/CredentialRegistry";
import { CredrootError } from "./errors";
import { credentialRegistryInterface } from "./registry-interface";
import type { CallProvider } from "./verdict";
import { callWithTimeout } from "./verify-checks";

/**
 * Issuer keys on chain: the `did:key` Ed25519 keys that sign an issuer's W3C credentials, as the
 * registry records them (`getIssuerKey`), and the rule a verifier applies to a signature made at
 * some time. Browser-safe.
 */

/** Multicodec `ed25519-pub` (0xed), as an unsigned varint: the two bytes before the key in a did:key. */
const ED25519_PUB = [0xed, 0x01] as const;

const DID_KEY = /^did:key:z(6Mk[1-9A-HJ-NP-Za-km-z]{40,50})(?:#z(6Mk[1-9A-HJ-NP-Za-km-z]{40,50}))?$/;

function notDidKey(did: unknown): never {
  const shown = typeof did === "string" ? JSON.stringify(did.slice(0, 120)) : typeof did;
  throw new CredrootError("INVALID_ARGUMENT", `${shown} is not an Ed25519 did:key (did:key:z6Mk…)`);
}

/** The 32 bytes of a public key given as bytes or hex (`0x` optional). */
function keyBytes(publicKey: Uint8Array | string): Uint8Array {
  const hex = typeof publicKey === "string" && !publicKey.startsWith("0x") ? `0x${publicKey}` : publicKey;
  if (typeof hex === "string" && !isHexString(hex, 32)) {
    throw new CredrootError("INVALID_ARGUMENT", "an Ed25519 public key is 32 bytes (64 hex digits, 0x optional)");
  }
  const bytes = typeof hex === "string" ? getBytes(hex) : hex;
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) {
    throw new CredrootError("INVALID_ARGUMENT", "an Ed25519 public key is 32 bytes");
  }
  return bytes;
}

/**
 * The `did:key` of a raw 32-byte Ed25519 public key: `did:key:z` + base58btc(0xed 0x01 ‖ key).
 * @throws CredrootError `INVALID_ARGUMENT` for anything but 32 bytes (or 64 hex digits).
 * @example
 * didKeyOf("0x" + "00".repeat(32)); // "did:key:z6MkesoM…"
 */
export function didKeyOf(publicKey: Uint8Array | string): string {
  const bytes = keyBytes(publicKey);
  return `did:key:z${encodeBase58(Uint8Array.from([...ED25519_PUB, ...bytes]))}`;
}

/**
 * The raw 32-byte Ed25519 public key a `did:key` names (or one of its `did:key:z…#z…` verification
 * methods, whose fragment is the key itself): what the registry records.
 * @throws CredrootError `INVALID_ARGUMENT` for another DID method, another key type, a fragment
 * that is not the key, or text that does not decode to 0xed01 + 32 bytes.
 * @example
 * publicKeyOfDidKey(key.did); // Uint8Array(32)
 */
export function publicKeyOfDidKey(did: string): Uint8Array {
  const match = typeof did === "string" ? DID_KEY.exec(did) : null;
  if (!match || (match[2] !== undefined && match[2] !== match[1])) notDidKey(did);
  let hex: string;
  try {
    hex = decodeBase58(match[1]!).toString(16);
  } catch {
    notDidKey(did);
  }
  // 0xed01 leads, so the number has exactly 68 hex digits when it is 2 + 32 bytes.
  if (hex.length !== 68 || !hex.startsWith("ed01")) notDidKey(did);
  return getBytes(`0x${hex.slice(4)}`);
}

/** What the registry records of a key for an issuer, in plain numbers (seconds since the epoch). */
export interface IssuerKeyRecord {
  /** 0 when the key is not recorded for that issuer (never added, or added for another one). */
  addedAt: number;
  /** null while the key is in use. */
  retiredAt: number | null;
  compromised: boolean;
}

/** Why a key is or is not accepted for a signature made at some time. */
export type IssuerKeyReason =
  | "in-use"
  | "retired-after-signing"
  | "not-recorded"
  | "added-after-signing"
  | "retired-before-signing"
  | "compromised";

export interface IssuerKeyStatus {
  /** True only for `in-use` and `retired-after-signing`. */
  accepted: boolean;
  reason: IssuerKeyReason;
  /** The registry's record, as read. */
  key: IssuerKeyRecord;
}

/** `retiredAt` of a key in use: `type(uint64).max`. */
const IN_USE = 2n ** 64n - 1n;

/** Calldata of `getIssuerKey(issuerId, publicKey)`. */
export function encodeIssuerKeyCall(issuerId: number, publicKey: Uint8Array | string): string {
  return credentialRegistryInterface.encodeFunctionData("getIssuerKey", [issuerId, hexlify(keyBytes(publicKey))]);
}

/**
 * Decodes the return data of `getIssuerKey`.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is not a registry answer (no contract
 * at the address, or one deployed before issuer keys existed).
 */
export function decodeIssuerKeyResult(data: string): IssuerKeyRecord {
  let record: ICredentialRegistry.IssuerKeyStructOutput;
  try {
    [record] = credentialRegistryInterface.decodeFunctionResult("getIssuerKey", data) as unknown as [
      ICredentialRegistry.IssuerKeyStructOutput,
    ];
  } catch (cause) {
    const what =
      data === "0x"
        ? "the registry does not answer getIssuerKey (no contract there, or one without issuer keys)"
        : "unreadable registry answer to getIssuerKey";
    throw new CredrootError("CHAIN_UNAVAILABLE", what, { cause });
  }
  return {
    addedAt: Number(record.addedAt),
    retiredAt: record.retiredAt === IN_USE ? null : Number(record.retiredAt),
    compromised: record.compromised,
  };
}

/**
 * The registry's rule (ICredentialRegistry, "issuer keys") for a signature made at `at` (seconds):
 * accepted when the key is recorded for the issuer, was added at or before `at`, is not compromised,
 * and is still in use or was retired after `at`.
 */
export function judgeIssuerKey(key: IssuerKeyRecord, at: number): IssuerKeyStatus {
  const reason: IssuerKeyReason =
    key.addedAt === 0
      ? "not-recorded"
      : key.compromised
        ? "compromised"
        : key.addedAt > at
          ? "added-after-signing"
          : key.retiredAt === null
            ? "in-use"
            : key.retiredAt > at
              ? "retired-after-signing"
              : "retired-before-signing";
  return { accepted: reason === "in-use" || reason === "retired-after-signing", reason, key };
}

/** Where to read keys: a provider of the registry's chain and the registry's address. */
export interface RegistryReader {
  provider: CallProvider;
  registry: string;
  /** Give up after this many ms (`CHAIN_UNAVAILABLE`; default 10 s). */
  timeoutMs?: number;
}

/**
 * Whether a signature by `publicKey` (raw key, hex, or its did:key) made at `at` is accepted for
 * issuer `issuerId`, read with one `eth_call` to `getIssuerKey`.
 * @throws CredrootError `INVALID_ARGUMENT` for a key that is not one; `CHAIN_UNAVAILABLE` when the
 * chain does not answer (in time) or answers nonsense: never mistaken for a refusal.
 * @example
 * const { accepted, reason } = await issuerKeyStatus({ provider, registry }, 1, key.did, new Date(created));
 */
export async function issuerKeyStatus(
  reader: RegistryReader,
  issuerId: number,
  publicKey: Uint8Array | string,
  at: Date,
): Promise<IssuerKeyStatus> {
  const key = typeof publicKey === "string" && publicKey.startsWith("did:") ? publicKeyOfDidKey(publicKey) : publicKey;
  const time = at.getTime();
  if (!Number.isFinite(time)) throw new CredrootError("INVALID_ARGUMENT", "the signing time is not a date");
  const data = encodeIssuerKeyCall(issuerId, key);
  const raw = await callWithTimeout(reader.provider, reader.registry, data, reader.timeoutMs ?? 10_000);
  return judgeIssuerKey(decodeIssuerKeyResult(raw), Math.floor(time / 1000));
}

/** Words for a reason, as a verifier shows them. */
export function describeIssuerKeyStatus(status: IssuerKeyStatus, did: string, issuerId: number): string {
  const { key } = status;
  const iso = (s: number | null) => (s === null ? "" : new Date(s * 1000).toISOString());
  switch (status.reason) {
    case "in-use":
      return `${did} is a key of issuer ${issuerId}, in use since ${iso(key.addedAt)}`;
    case "retired-after-signing":
      return `${did} is a key of issuer ${issuerId}, retired at ${iso(key.retiredAt)}, after the signature`;
    case "not-recorded":
      return `${did} is not a key the registry records for issuer ${issuerId}`;
    case "added-after-signing":
      return `${did} was recorded for issuer ${issuerId} at ${iso(key.addedAt)}, after the signature claims to be made`;
    case "retired-before-signing":
      return `${did} of issuer ${issuerId} was retired at ${iso(key.retiredAt)}, before the signature claims to be made`;
    case "compromised":
      return `${did} of issuer ${issuerId} was retired as compromised: no signature by it is accepted`;
  }
}
