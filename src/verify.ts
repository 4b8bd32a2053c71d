import type { JsonValue } from "./pointer";
import { type ChainVerification, decodeVerifyResult, encodeVerifyCall, type IssuerRecord } from "./registry";
import { callWithTimeout, prepareBundle, settleBundle } from "./verify-checks";

/** The verdict on a bundle. Only `valid` means the credential holds. */
export type Verdict =
  | "valid"
  | "tampered"
  | "not-anchored"
  | "revoked"
  | "expired"
  | "issuer-not-accredited"
  | "wrong-chain"
  | "chain-unavailable";

/** One check behind a verdict: what was compared and whether it held (`null`: not reached). */
export interface Check {
  name: "registry" | "digest" | "proof" | "anchor" | "revocation" | "accreditation" | "expiry";
  ok: boolean | null;
  message: string;
}

export interface VerificationResult {
  verdict: Verdict;
  checks: Check[];
  /** The disclosed part of the credential and the pointers of hidden fields. */
  credential: { [key: string]: JsonValue };
  hidden: string[];
  /** The issuer as recorded on chain, when the chain answered and the batch is anchored. */
  issuer: IssuerRecord | null;
  /** Anchoring time (seconds since the epoch) read from the chain, when anchored. */
  anchoredAt: number | null;
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
  /** Provider for this chain; create it with a static network so it makes no extra RPC calls. */
  provider: CallProvider;
}

export interface VerifyOptions {
  chains: readonly TrustedChain[];
  /** The current time in ms (defaults to `Date.now()`), for expiry. */
  now?: number;
  /** Give up on the chain after this many ms and report `chain-unavailable` (default 10 s). */
  timeoutMs?: number;
}

/**
 * Verifies a proof bundle against the chain alone: digest → leaf → Merkle path → root locally,
 * then exactly one `eth_call` to the trusted registry (anchored, not revoked, issuer accredited).
 * An unreachable chain gives `chain-unavailable`, never an invalid verdict.
 * @throws CredrootError `INVALID_BUNDLE` when the input is not a bundle at all.
 * @example
 * const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true });
 * const { verdict } = await verifyBundle(json, { chains: [{ chainId, registries: [address], provider }] });
 */
export async function verifyBundle(input: unknown, options: VerifyOptions): Promise<VerificationResult> {
  const prepared = prepareBundle(input, options.chains);
  const { bundle, chain } = prepared;
  let outcome: { answer: ChainVerification } | { error: unknown } | null = null;
  if (chain) {
    try {
      const data = encodeVerifyCall(bundle.proof.root, bundle.proof.leaf, bundle.proof.path);
      const raw = await callWithTimeout(chain.provider, bundle.anchor.registry, data, options.timeoutMs ?? 10_000);
      outcome = { answer: decodeVerifyResult(raw) };
    } catch (error) {
      outcome = { error };
    }
  }
  return settleBundle(prepared, outcome, options.now ?? Date.now());
}
