import { decodeVerifyResult, encodeVerifyCall } from "./registry-verify";
import type { ChainVerification } from "./registry-verify";
import type { VerificationResult, VerifyOptions } from "./verdict";
import { callWithTimeout, prepareBundle, settleBundle } from "./verify-checks";

export type { CallProvider, Check, TrustedChain, Verdict, VerificationResult, VerifyOptions } from "./verdict";

/**
 * Verifies a proof bundle against the chain alone: fields → digest → leaf bound to the bundle's
 * chain, registry, issuer and batch → Merkle path locally, then exactly one `eth_call` to the
 * trusted registry (the issuer's batch anchored with that root, not revoked, issuer accredited).
 * An unreachable chain gives `chain-unavailable`, never an invalid verdict.
 * @throws CredrootError `INVALID_BUNDLE` when the input is not a bundle at all.
 * @example
 * const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 1 });
 * const { verdict } = await verifyBundle(json, { chains: [{ chainId, registries: [address], provider }] });
 */
export async function verifyBundle(input: unknown, options: VerifyOptions): Promise<VerificationResult> {
  const verified = await verifyBundleOnce(input, options.chains, options.timeoutMs);
  return verified(options.now ?? Date.now());
}

/** A bundle checked and its chain asked: its result as of any instant (ms since the epoch). */
export type VerifiedBundle = (now: number) => VerificationResult;

/**
 * {@link verifyBundle}'s work done once, its verdict readable at as many instants as the caller
 * needs: the expiry check is the only one that depends on the time, and asking again at a later
 * instant would redo the hashing and the `eth_call`.
 * @throws CredrootError `INVALID_BUNDLE` when the input is not a bundle at all.
 */
export async function verifyBundleOnce(
  input: unknown,
  chains: VerifyOptions["chains"],
  timeoutMs = 10_000,
): Promise<VerifiedBundle> {
  const prepared = prepareBundle(input, chains);
  const { chain, request } = prepared;
  let outcome: { answer: ChainVerification } | { error: unknown } | null = null;
  if (chain && request) {
    try {
      const data = encodeVerifyCall(request);
      const raw = await callWithTimeout(chain.provider, prepared.bundle.anchor.registry, data, timeoutMs);
      outcome = { answer: decodeVerifyResult(raw, request.issuerId) };
    } catch (error) {
      outcome = { error };
    }
  }
  return (now) => settleBundle(prepared, outcome, now);
}
