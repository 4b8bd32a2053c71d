import { type Bundle, disclosedCredential, parseBundle } from "./bundle";
import { digestOfFields, leafOf } from "./commit";
import { expiryInstant } from "./credential";
import { CredrootError } from "./errors";
import { type Hex32, toHex } from "./hash";
import { processProof } from "./merkle";
import type { JsonValue } from "./pointer";
import {
  type ChainVerification,
  decodeRegistryError,
  decodeVerifyResult,
  encodeVerifyCall,
  type IssuerRecord,
} from "./registry";

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

const STATUS_VERDICT: Record<ChainVerification["status"], Verdict> = {
  valid: "valid",
  "not-anchored": "not-anchored",
  "bad-proof": "tampered",
  "batch-revoked": "revoked",
  "credential-revoked": "revoked",
  "issuer-not-accredited": "issuer-not-accredited",
};

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

async function callWithTimeout(provider: CallProvider, to: string, data: string, timeoutMs: number): Promise<string> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CredrootError("CHAIN_UNAVAILABLE", `no answer from the chain within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([provider.call({ to, data }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The checks made from the bundle alone: registry trusted, digest → leaf, proof → root. */
function offChainChecks(bundle: Bundle, chains: readonly TrustedChain[]): { checks: Check[]; chain?: TrustedChain } {
  const { chainId, registry } = bundle.anchor;
  const chain = chains.find((c) => c.chainId === chainId);
  const trusted = chain?.registries.some((r) => r.toLowerCase() === registry.toLowerCase()) ?? false;
  const checks: Check[] = [
    {
      name: "registry",
      ok: trusted,
      message: !chain
        ? `chain ${chainId} is not one this verifier trusts`
        : `registry ${registry} on chain ${chainId} is ${trusted ? "" : "not "}trusted`,
    },
  ];
  let leaf: Hex32;
  try {
    leaf = toHex(leafOf(digestOfFields(bundle.credential.fields)));
  } catch (error) {
    // A value that cannot be canonicalised (e.g. a lone surrogate) was never issued by us.
    checks.push({ name: "digest", ok: false, message: `fields cannot be hashed: ${(error as Error).message}` });
    return { checks };
  }
  const leafOk = leaf === bundle.proof.leaf;
  checks.push({
    name: "digest",
    ok: leafOk,
    message: leafOk
      ? "fields hash to the bundle's leaf"
      : `fields hash to leaf ${leaf}, the bundle claims ${bundle.proof.leaf}`,
  });
  const root = processProof(leaf, bundle.proof.path);
  const rootOk = root === bundle.proof.root;
  checks.push({
    name: "proof",
    ok: rootOk,
    message: rootOk
      ? `the Merkle path (${bundle.proof.path.length} levels) leads to root ${root}`
      : `the Merkle path leads to ${root}, not to the bundle's root ${bundle.proof.root}`,
  });
  return { checks, ...(trusted && chain ? { chain } : {}) };
}

function anchorCheck(answer: ChainVerification, issuerId: number): Check {
  if (answer.status === "not-anchored") {
    return { name: "anchor", ok: false, message: "the registry holds no batch with this root" };
  }
  if (answer.status === "bad-proof")
    return { name: "anchor", ok: false, message: "the registry rejects the Merkle proof" };
  if (answer.issuerId !== issuerId) {
    // Only another accredited issuer can have anchored this root first (e.g. by front-running).
    return {
      name: "anchor",
      ok: false,
      message: `the root was anchored by issuer ${answer.issuerId}, not by issuer ${issuerId} named in the bundle`,
    };
  }
  const name = answer.issuer?.name ?? "?";
  return { name: "anchor", ok: true, message: `anchored by issuer ${issuerId} (${name}) at ${iso(answer.anchoredAt)}` };
}

function chainChecks(
  bundle: Bundle,
  answer: ChainVerification,
  validUntil: JsonValue | undefined,
  now: number,
): Check[] {
  const checks = [anchorCheck(answer, bundle.anchor.issuerId)];
  if (!checks[0]!.ok) return checks;
  const revokedAt = answer.batchRevokedAt || answer.credentialRevokedAt;
  checks.push({
    name: "revocation",
    ok: revokedAt === 0,
    message:
      revokedAt === 0
        ? "neither the batch nor the credential is revoked"
        : `the ${answer.batchRevokedAt ? "batch" : "credential"} was revoked at ${iso(revokedAt)}`,
  });
  const until = answer.issuer?.accreditedUntil ?? null;
  const accredited = until === null || answer.anchoredAt < until;
  checks.push({
    name: "accreditation",
    ok: accredited,
    message: accredited
      ? "the issuer was accredited when the batch was anchored"
      : `the issuer's accreditation was withdrawn from ${iso(until)}, before this batch was anchored`,
  });
  if (typeof validUntil === "string") {
    const notExpired = now <= expiryInstant(validUntil);
    checks.push({
      name: "expiry",
      ok: notExpired,
      message: notExpired ? `valid until ${validUntil}` : `expired: valid until ${validUntil}`,
    });
  } else {
    checks.push({ name: "expiry", ok: true, message: "the credential does not expire" });
  }
  return checks;
}

function verdictOf(checks: readonly Check[], answer: ChainVerification | null): Verdict {
  const failed = (name: Check["name"]) => checks.some((c) => c.name === name && c.ok === false);
  if (failed("registry")) return "wrong-chain";
  if (failed("digest") || failed("proof")) return "tampered";
  if (!answer) return "chain-unavailable";
  if (answer.status !== "valid") return STATUS_VERDICT[answer.status];
  if (failed("anchor")) return "not-anchored";
  return failed("expiry") ? "expired" : "valid";
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
  const bundle = parseBundle(input);
  const { credential, hidden } = disclosedCredential(bundle);
  const { checks, chain } = offChainChecks(bundle, options.chains);
  let answer: ChainVerification | null = null;
  if (chain && checks.every((c) => c.ok)) {
    try {
      const data = encodeVerifyCall(bundle.proof.root, bundle.proof.leaf, bundle.proof.path);
      const raw = await callWithTimeout(chain.provider, bundle.anchor.registry, data, options.timeoutMs ?? 10_000);
      answer = decodeVerifyResult(raw);
      checks.push(...chainChecks(bundle, answer, credential.validUntil, options.now ?? Date.now()));
    } catch (error) {
      const reason = decodeRegistryError(error);
      checks.push({ name: "anchor", ok: null, message: `could not ask the chain: ${reason.message}` });
    }
  }
  return {
    verdict: verdictOf(checks, answer),
    checks,
    credential,
    hidden,
    issuer: answer?.issuer ?? null,
    anchoredAt: answer && answer.anchoredAt > 0 ? answer.anchoredAt : null,
  };
}
