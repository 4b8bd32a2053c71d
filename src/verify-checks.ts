import { type Bundle, disclosedCredential, parseBundle } from "./bundle";
import { digestOfFields, leafOf } from "./commit";
import { expiryInstant } from "./credential";
import { CredrootError } from "./errors";
import { type Hex32, toHex } from "./hash";
import { processProof } from "./merkle";
import type { JsonValue } from "./pointer";
import { type ChainVerification, decodeRegistryError } from "./registry";
import type { CallProvider, Check, TrustedChain, VerificationResult, Verdict } from "./verify";

/*
 * The steps of a verification, shared by verifyBundle (one bundle, one eth_call) and
 * verifyPresentation (many bundles, one eth_call per registry): check a bundle off chain, then
 * read the chain's answer into checks and a verdict. Internal: not re-exported by src/index.ts.
 */

const STATUS_VERDICT: Record<ChainVerification["status"], Verdict> = {
  valid: "valid",
  "not-anchored": "not-anchored",
  "bad-proof": "tampered",
  "batch-revoked": "revoked",
  "credential-revoked": "revoked",
  "issuer-not-accredited": "issuer-not-accredited",
};

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** `provider.call`, or `CHAIN_UNAVAILABLE` after `timeoutMs`. */
export async function callWithTimeout(
  provider: CallProvider,
  to: string,
  data: string,
  timeoutMs: number,
): Promise<string> {
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
      ? `the Merkle path (${bundle.proof.path.length} level${bundle.proof.path.length === 1 ? "" : "s"}) leads to root ${root}`
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

/** A bundle checked off chain, waiting for the chain's answer. */
export interface PreparedBundle {
  bundle: Bundle;
  credential: { [key: string]: JsonValue };
  hidden: string[];
  checks: Check[];
  /** The trusted chain to ask; null when an off-chain check failed and the chain is not asked. */
  chain: TrustedChain | null;
}

/**
 * Parses a bundle and makes the checks that need no chain.
 * @throws CredrootError `INVALID_BUNDLE` when the input is not a bundle at all.
 */
export function prepareBundle(input: unknown, chains: readonly TrustedChain[]): PreparedBundle {
  const bundle = parseBundle(input);
  const { credential, hidden } = disclosedCredential(bundle);
  const { checks, chain } = offChainChecks(bundle, chains);
  return { bundle, credential, hidden, checks, chain: chain && checks.every((c) => c.ok) ? chain : null };
}

/**
 * The result of a prepared bundle given what the chain said: its answer, the error met asking it
 * (`chain-unavailable`, never an invalid verdict), or null when it was not asked.
 */
export function settleBundle(
  prepared: PreparedBundle,
  outcome: { answer: ChainVerification } | { error: unknown } | null,
  now: number,
): VerificationResult {
  const { bundle, credential, hidden } = prepared;
  const checks = [...prepared.checks];
  const answer = outcome && "answer" in outcome ? outcome.answer : null;
  if (answer) checks.push(...chainChecks(bundle, answer, credential.validUntil, now));
  else if (outcome && "error" in outcome) {
    const reason = decodeRegistryError(outcome.error);
    checks.push({ name: "anchor", ok: null, message: `could not ask the chain: ${reason.message}` });
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
