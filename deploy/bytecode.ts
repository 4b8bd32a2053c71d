import { keccak256 } from "ethers";
import type { ImmutableReferences } from "./artifact";

/** The outcome of comparing the code at an address with a compiled artifact. */
export interface CodeComparison {
  ok: boolean;
  /** keccak256 of the code found on chain, as it is (the account's `codeHash`). */
  codeHash: string;
  /** One line: what matched, or how it differs. */
  message: string;
}

const strip0x = (hex: string) => (hex.startsWith("0x") ? hex.slice(2) : hex).toLowerCase();

/**
 * Runtime code without its trailing CBOR metadata (solc appends the metadata, then its length as
 * two big-endian bytes). Returns the code unchanged when the length does not fit.
 */
export function withoutMetadata(hex: string): string {
  const code = strip0x(hex);
  if (code.length < 4) return code;
  const length = parseInt(code.slice(-4), 16);
  const end = code.length - (length + 2) * 2;
  return end >= 0 ? code.slice(0, end) : code;
}

/**
 * Zeroes the bytes of every immutable variable in `code`, as they are in the compiler's
 * `deployedBytecode` (the constructor writes their values into the runtime code at deployment).
 */
export function maskImmutables(hex: string, references: ImmutableReferences): string {
  let code = strip0x(hex);
  for (const ranges of Object.values(references)) {
    for (const { start, length } of ranges) {
      code = code.slice(0, start * 2) + "00".repeat(length) + code.slice((start + length) * 2);
    }
  }
  return code;
}

/**
 * Compares the runtime code found on chain with the artifact's `deployedBytecode`, byte for byte,
 * CBOR metadata included: the metadata carries the hash of the exact sources and compiler settings,
 * so equal code with different metadata is a different build and fails. Only immutables are masked
 * (their values are written at deployment); a code that differs only in its metadata is reported
 * as such, to tell a rebuilt-from-other-sources artifact from a different contract.
 */
export function compareCode(
  onChain: string,
  artifact: { deployedBytecode: string; immutableReferences: ImmutableReferences },
): CodeComparison {
  const found = strip0x(onChain);
  const codeHash = keccak256(`0x${found}`);
  if (found.length === 0) {
    return {
      ok: false,
      codeHash,
      message: "no code at the address (an externally owned account, or nothing deployed)",
    };
  }
  const expected = strip0x(artifact.deployedBytecode);
  const masked = found.length === expected.length ? maskImmutables(found, artifact.immutableReferences) : found;
  if (masked === expected) {
    const immutables = Object.keys(artifact.immutableReferences).length;
    const what = immutables === 0 ? "no immutables" : `${immutables} immutable(s) masked`;
    return {
      ok: true,
      codeHash,
      message: `runtime code equals the artifact's deployedBytecode (${found.length / 2} bytes, metadata included, ${what})`,
    };
  }
  if (withoutMetadata(masked) === withoutMetadata(expected)) {
    return {
      ok: false,
      codeHash,
      message: "runtime code differs from the artifact only in its CBOR metadata: built from other sources or settings",
    };
  }
  return {
    ok: false,
    codeHash,
    message: `runtime code differs from the artifact's deployedBytecode (${found.length / 2} bytes on chain, ${expected.length / 2} expected)`,
  };
}
