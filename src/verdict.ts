import type { Hex32 } from "./hash";
import type { JsonValue } from "./pointer";
import type { IssuerRecord } from "./registry-verify";

/** Every verdict, in the order of the API reference (schemas and docs enumerate this list). */
export const VERDICTS = [
  "valid",
  "tampered",
  "not-anchored",
  "revoked",
  "expired",
  "issuer-not-accredited",
  "wrong-chain",
  "chain-unavailable",
] as const;

/** The verdict on a bundle. Only `valid` means the credential holds. */
export type Verdict = (typeof VERDICTS)[number];

/** One check behind a verdict: what was compared and whether it held (`null`: not reached). */
export interface Check {
  name: "registry" | "digest" | "anchor" | "proof" | "revocation" | "accreditation" | "expiry";
  ok: boolean | null;
  message: string;
}

export interface VerificationResult {
  verdict: Verdict;
  checks: Check[];
  /** The disclosed part of the credential and the pointers of hidden fields, as the bundle says. */
  credential: { [key: string]: JsonValue };
  hidden: string[];
  /**
   * The awarding body: the issuer the credential is bound to, as recorded on chain, when the chain
   * answered and knows it. Show this name, never one from the bundle.
   */
  issuer: IssuerRecord | null;
  /** Anchoring time (seconds since the epoch) read from the chain, when anchored. */
  anchoredAt: number | null;
  /** The credential's digest and leaf as computed from the bundle (null when it cannot be hashed). */
  digest: Hex32 | null;
  leaf: Hex32 | null;
}

/** Anything that can run an `eth_call`: an ethers Provider (JsonRpcProvider, BrowserProvider…). */
export interface CallProvider {
  call(tx: { to: string; data: string }): Promise<string>;
}

/** A chain the verifier trusts, its registry contracts and how to reach it. */
export interface TrustedChain {
  chainId: number;
  /** Registry addresses trusted on this chain; a bundle naming any other is `wrong-chain`. */
  registries: readonly string[];
  /**
   * Provider for this chain; create it with a static network and no batching so it makes no extra
   * RPC calls and adds no delay (`new JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 1 })`).
   * It must serve `chainId`: the CLI and the service check that with `eth_chainId` first.
   */
  provider: CallProvider;
}

export interface VerifyOptions {
  chains: readonly TrustedChain[];
  /** The current time in ms (defaults to `Date.now()`), for expiry. */
  now?: number;
  /** Give up on the chain after this many ms and report `chain-unavailable` (default 10 s). */
  timeoutMs?: number;
}
