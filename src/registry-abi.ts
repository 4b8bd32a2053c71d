/**
 * ABI coding of the one `eth_call` a verification makes, `verifyWithIssuer`, written out for its
 * fixed shape. ethers' generic coder builds a coder tree, a Result proxy and bigint per value on
 * every call, which was about 0.66 ms of a 0.8 ms verification; this is a few string slices.
 * test/src/registry-abi.test.ts holds both directions to ethers' own Interface on random inputs.
 */
import { CredrootError } from "./errors";

/** `verifyWithIssuer(uint64,bytes16,bytes32,bytes32,bytes32[])` as 8 hex digits (keccak of the signature). */
export const VERIFY_WITH_ISSUER_SELECTOR = "0f8d7704";

/** `verifyMany((uint64,bytes16,bytes32,bytes32,bytes32[])[])` as 8 hex digits. */
export const VERIFY_MANY_SELECTOR = "4dbb57e3";

/** The raw words of a `verifyWithIssuer` answer, before they are read as a verification. */
export interface RawVerifyAnswer {
  status: number;
  /** Lowercase 0x-hex. */
  leaf: `0x${string}`;
  anchoredAt: bigint;
  batchRevokedAt: bigint;
  credentialRevokedAt: bigint;
  issuer: { accreditedUntil: bigint; active: boolean; name: string; uri: string };
}

const ZERO_WORD = "0".repeat(64);
const HEX_WORD = /^[0-9a-fA-F]{64}$/;

const word = (n: number | bigint): string => n.toString(16).padStart(64, "0");

function hexWord(hex: string, what: string): string {
  const digits = hex.startsWith("0x") ? hex.slice(2) : "";
  if (!HEX_WORD.test(digits)) throw new CredrootError("INVALID_ARGUMENT", `${what} is not 32 bytes of hex`);
  return digits.toLowerCase();
}

/**
 * Calldata of `verifyWithIssuer(issuerId, batchId, root, digest, proof)`: the selector, four static
 * words, the offset of the proof (5 words), its length and its elements.
 * @throws CredrootError `INVALID_ARGUMENT` for an issuer id that is no uint64, a batch id that is
 * not 16 bytes of hex, or a hash that is not 32.
 */
export function encodeVerifyWithIssuer(
  issuerId: number,
  batchId: string,
  root: string,
  digest: string,
  proof: readonly string[],
): string {
  if (!Number.isSafeInteger(issuerId) || issuerId < 0) {
    throw new CredrootError("INVALID_ARGUMENT", `issuer id ${issuerId} is not a uint64`);
  }
  const batch = batchId.startsWith("0x") ? batchId.slice(2) : "";
  if (!/^[0-9a-fA-F]{32}$/.test(batch)) throw new CredrootError("INVALID_ARGUMENT", "batch id is not 16 bytes of hex");
  const parts = [
    "0x",
    VERIFY_WITH_ISSUER_SELECTOR,
    word(issuerId),
    batch.toLowerCase(),
    ZERO_WORD.slice(32),
    hexWord(root, "root"),
    hexWord(digest, "digest"),
    word(5 * 32),
    word(proof.length),
  ];
  for (const node of proof) parts.push(hexWord(node, "proof node"));
  return parts.join("");
}

/**
 * The arguments of `verifyWithIssuer` calldata as {@link encodeVerifyWithIssuer} writes it: lowercase
 * hex (no 0x, no selector), which is also the encoding of the same request as a `VerifyRequest`
 * tuple, what `verifyMany` takes. Undefined for any other calldata (another function, another layout).
 */
export function verifyRequestOfCall(data: string): string | undefined {
  if (!data.startsWith(`0x${VERIFY_WITH_ISSUER_SELECTOR}`)) return undefined;
  const args = data.slice(10);
  const words = args.length / 64;
  if (!Number.isInteger(words) || words < 6 || !/^[0-9a-f]*$/.test(args)) return undefined;
  const at = (i: number) => args.slice(i * 64, i * 64 + 64);
  if (at(4) !== word(5 * 32) || at(5) !== word(words - 6)) return undefined;
  return args;
}

/**
 * Calldata of `verifyMany(requests)` from requests as {@link verifyRequestOfCall} gives them: the
 * offset of the array, its length, the offset of each (dynamic) tuple from the first, the tuples.
 */
export function encodeVerifyManyOfRequests(requests: readonly string[]): string {
  const parts = ["0x", VERIFY_MANY_SELECTOR, word(32), word(requests.length)];
  let offset = 32 * requests.length;
  for (const request of requests) {
    parts.push(word(offset));
    offset += request.length / 2;
  }
  parts.push(...requests);
  return parts.join("");
}

const unreadable = (why: string) => new CredrootError("CHAIN_UNAVAILABLE", `unreadable registry answer: ${why}`);
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads 32-byte words of lowercase hex digits (no 0x), refusing anything out of bounds or non-canonical. */
class Words {
  constructor(private readonly hex: string) {}

  at(index: number): string {
    const start = index * 64;
    if (!Number.isSafeInteger(start) || start < 0 || start + 64 > this.hex.length) throw unreadable("too short");
    return this.hex.slice(start, start + 64);
  }

  /** An unsigned integer of `bits` bits (≤ 64), with every higher bit zero. */
  uint(index: number, bits: number): bigint {
    const w = this.at(index);
    const keep = bits / 4;
    if (!w.startsWith(ZERO_WORD.slice(keep))) throw unreadable(`a uint${bits} out of range`);
    return BigInt(`0x${w.slice(64 - keep)}`);
  }

  bool(index: number): boolean {
    const value = this.uint(index, 8);
    if (value > 1n) throw unreadable("a bool that is neither 0 nor 1");
    return value === 1n;
  }

  /** A byte offset that points at a whole word, as a word index. */
  offset(index: number): number {
    const bytes = this.uint(index, 64);
    if (bytes % 32n !== 0n || bytes > BigInt(this.hex.length)) throw unreadable("an offset out of bounds");
    return Number(bytes) / 32;
  }

  /** The words of a `string` or `bytes` whose head word sits at `index`: its length, then its padded bytes. */
  dynamic(index: number): string {
    const length = this.uint(index, 64);
    const words = 1 + Number((length + 31n) / 32n);
    this.at(index + words - 1);
    return this.hex.slice(index * 64, (index + words) * 64);
  }

  /** A `string` whose head word sits at `index`: its length, then its bytes (UTF-8). */
  string(index: number): string {
    const length = this.uint(index, 64);
    const start = (index + 1) * 64;
    if (length * 2n > BigInt(this.hex.length - start)) throw unreadable("a string past the end");
    const hex = this.hex.slice(start, start + Number(length) * 2);
    const bytes = new Uint8Array(hex.length / 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
    try {
      return utf8.decode(bytes);
    } catch {
      throw unreadable("a string that is not UTF-8");
    }
  }
}

/**
 * Decodes the return data of `verifyWithIssuer`: `Verification` (six static words) and the offset
 * of `Issuer` (two static words, then the offsets of `name` and `uri` within it).
 * @throws CredrootError `CHAIN_UNAVAILABLE` when `data` is empty (no contract there) or not such
 * an answer: never mistaken for a verdict.
 */
export function decodeVerifyWithIssuer(data: string): RawVerifyAnswer {
  if (data === "0x") throw new CredrootError("CHAIN_UNAVAILABLE", "no registry contract answered at that address");
  const digits = data.slice(2);
  if (!data.startsWith("0x") || digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw unreadable("not hex");
  }
  const w = new Words(digits.toLowerCase());
  const issuer = w.offset(6);
  const name = w.offset(issuer + 2);
  const uri = w.offset(issuer + 3);
  const answer: RawVerifyAnswer = {
    status: Number(w.uint(0, 8)),
    leaf: `0x${w.at(1)}`,
    anchoredAt: w.uint(2, 64),
    batchRevokedAt: w.uint(3, 64),
    credentialRevokedAt: w.uint(4, 64),
    issuer: {
      accreditedUntil: w.uint(issuer, 64),
      active: w.bool(issuer + 1),
      name: w.string(issuer + name),
      uri: w.string(issuer + uri),
    },
  };
  w.uint(5, 64); // Verification.accreditedUntil: read for its range; the issuer record's is the one used
  return answer;
}

/**
 * The return data of `verifyMany` asked with `count` requests, as the `verifyWithIssuer` answer to
 * each, in order: its `Verification` words as they are, then its `Issuer` (re-laid out from the
 * array's tail, the same words). {@link decodeVerifyWithIssuer} reads each as it reads a direct answer.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when `data` is not an answer to `count` requests.
 */
export function splitVerifyManyAnswer(data: string, count: number): string[] {
  const digits = data.slice(2);
  if (!data.startsWith("0x") || digits.length % 64 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) {
    throw unreadable("not hex words");
  }
  const w = new Words(digits.toLowerCase());
  const results = w.offset(0);
  const issuers = w.offset(1);
  if (w.uint(results, 64) !== BigInt(count) || w.uint(issuers, 64) !== BigInt(count)) {
    throw unreadable(`not ${count} answers`);
  }
  const answers: string[] = [];
  for (let i = 0; i < count; i++) {
    const verification = [0, 1, 2, 3, 4, 5].map((k) => w.at(results + 1 + 6 * i + k));
    const issuer = issuers + 1 + w.offset(issuers + 1 + i);
    const name = w.dynamic(issuer + w.offset(issuer + 2));
    const uri = w.dynamic(issuer + w.offset(issuer + 3));
    answers.push(
      ["0x", ...verification, word(7 * 32), w.at(issuer), w.at(issuer + 1), word(4 * 32)]
        .concat(word(4 * 32 + name.length / 2), name, uri)
        .join(""),
    );
  }
  return answers;
}
