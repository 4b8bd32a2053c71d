import { type Bundle, bundlePath, bundleRoot, disclosedCredential, openBundle, parseBundle } from "./bundle";
import { digestOfOpening, leafOf } from "./commit";
import { expiryInstant } from "./credential";
import { CredrootError } from "./errors";
import { type Hex32, toHex } from "./hash";
import { processProof } from "./merkle";
import type { JsonValue } from "./pointer";
import { decodeRegistryError } from "./registry-errors";
import type { ChainVerification, VerifyRequest } from "./registry-verify";
import { withTimeout } from "./timeout";
import type { CallProvider, Check, TrustedChain, VerificationResult, Verdict } from "./verdict";

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
const levels = (n: number) => `${n}-level`;

/** `provider.call`, or `CHAIN_UNAVAILABLE` after `timeoutMs`. */
export async function callWithTimeout(
  provider: CallProvider,
  to: string,
  data: string,
  timeoutMs: number,
): Promise<string> {
  // In an async function, a provider that throws synchronously still gives a rejection.
  return await withTimeout(
    provider.call({ to, data }),
    timeoutMs,
    () => new CredrootError("CHAIN_UNAVAILABLE", `no answer from the chain within ${timeoutMs} ms`),
  );
}

function trustedList(chains: readonly TrustedChain[]): string {
  const all = chains.flatMap((c) => c.registries.map((r) => `${r.toLowerCase()} on chain ${c.chainId}`));
  return all.length === 0 ? "none" : all.join(", ");
}

function registryCheck(bundle: Bundle, chains: readonly TrustedChain[]): { check: Check; chain?: TrustedChain } {
  const { chainId, registry } = bundle.anchor;
  const chain = chains.find((c) => c.chainId === chainId);
  const trusted = chain?.registries.some((r) => r.toLowerCase() === registry) ?? false;
  const message = trusted
    ? `registry ${registry} on chain ${chainId} is trusted`
    : `registry ${registry} on chain ${chainId} is not one this verifier trusts (trusted: ${trustedList(chains)})`;
  return { check: { name: "registry", ok: trusted, message }, ...(trusted && chain ? { chain } : {}) };
}

/** A bundle checked off chain, waiting for the chain's answer. */
export interface PreparedBundle {
  bundle: Bundle;
  credential: { [key: string]: JsonValue };
  hidden: string[];
  checks: Check[];
  /** The request to send (null when the fields cannot be hashed). */
  request: VerifyRequest | null;
  leaf: Hex32 | null;
  /** The root the bundle's path leads to (null when the fields cannot be hashed). */
  root: Hex32 | null;
  /** The trusted chain to ask; null when an off-chain check failed and the chain is not asked. */
  chain: TrustedChain | null;
}

/**
 * Parses a bundle and makes the checks that need no chain: registry trusted, fields hashable, the
 * bound leaf's path leading to the bundle's root.
 * @throws CredrootError `INVALID_BUNDLE` when the input is not a bundle at all.
 */
export function prepareBundle(input: unknown, chains: readonly TrustedChain[]): PreparedBundle {
  const bundle = parseBundle(input);
  const { credential, hidden } = disclosedCredential(bundle);
  const path = bundlePath(bundle);
  const registry = registryCheck(bundle, chains);
  const checks: Check[] = [registry.check];
  let request: VerifyRequest | null = null;
  let leaf: Hex32 | null = null;
  let root: Hex32 | null = null;
  try {
    const opening = openBundle(bundle);
    const digest = digestOfOpening(opening);
    leaf = toHex(leafOf(bundle.anchor, digest));
    root = processProof(leaf, path);
    const claimed = bundleRoot(bundle);
    request = {
      issuerId: bundle.anchor.issuerId,
      batchId: bundle.anchor.batchId,
      root: claimed,
      digest: toHex(digest),
      proof: path,
    };
    checks.push({
      name: "digest",
      ok: true,
      message: `${opening.shown.size} shown and ${opening.hidden.size} hidden fields hash to digest ${request.digest}`,
    });
    const ok = root === claimed;
    checks.push({
      name: "proof",
      ok,
      message: ok
        ? `the credential, bound to this registry, issuer and batch, leads through a ${levels(path.length)} Merkle path to root ${root}`
        : `the credential leads through its ${levels(path.length)} path to ${root}, not to the bundle's root ${claimed}: it was changed`,
    });
  } catch (error) {
    // A value that cannot be canonicalised was never issued by credroot.
    checks.push({ name: "digest", ok: false, message: `fields cannot be hashed: ${(error as Error).message}` });
  }
  const chain = registry.chain && checks.every((c) => c.ok) ? registry.chain : null;
  return { bundle, credential, hidden, checks, request, leaf, root, chain };
}

function anchorCheck(prepared: PreparedBundle, answer: ChainVerification): Check {
  const { issuerId, batchId } = prepared.bundle.anchor;
  if (answer.status === "bad-proof") {
    // We checked the path ourselves: a registry that disagrees is not one we can take a verdict from.
    return { name: "anchor", ok: false, message: "the registry does not accept the Merkle path" };
  }
  if (answer.status === "not-anchored") {
    const who = answer.issuer
      ? `issuer ${issuerId} (${answer.issuer.name})`
      : `issuer ${issuerId}, which does not exist,`;
    return {
      name: "anchor",
      ok: false,
      message: `${who} has not anchored this root as batch ${batchId} on this registry`,
    };
  }
  const name = answer.issuer?.name ?? "?";
  return {
    name: "anchor",
    ok: true,
    message: `issuer ${issuerId} (${name}) anchored this root as batch ${batchId} at ${iso(answer.anchoredAt)}`,
  };
}

function chainChecks(prepared: PreparedBundle, answer: ChainVerification, now: number): Check[] {
  const anchor = anchorCheck(prepared, answer);
  if (!anchor.ok) return [anchor];
  const checks = [anchor];
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
  const accredited = answer.status !== "issuer-not-accredited" && (until === null || answer.anchoredAt < until);
  checks.push({
    name: "accreditation",
    ok: accredited,
    message: accredited
      ? "the issuer was accredited when the batch was anchored"
      : `the issuer's accreditation was withdrawn from ${iso(until ?? 0)}, before this batch was anchored`,
  });
  checks.push(expiryCheck(prepared.credential.validUntil, now));
  return checks;
}

function expiryCheck(validUntil: JsonValue | undefined, now: number): Check {
  if (validUntil === undefined) return { name: "expiry", ok: true, message: "the credential does not expire" };
  const until = typeof validUntil === "string" ? expiryInstant(validUntil) : Number.NaN;
  const ok = now <= until; // false for NaN: an unreadable date never passes
  return {
    name: "expiry",
    ok,
    message: ok ? `valid until ${shownValue(validUntil)}` : `expired: valid until ${shownValue(validUntil)}`,
  };
}

/** A value as a check message shows it: a string as it is, anything else as JSON. */
function shownValue(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

function verdictOf(checks: readonly Check[], answer: ChainVerification | null): Verdict {
  const failed = (name: Check["name"]) => checks.some((c) => c.name === name && c.ok === false);
  if (failed("registry")) return "wrong-chain";
  if (failed("digest") || failed("proof")) return "tampered";
  if (!answer) return "chain-unavailable";
  if (answer.status === "bad-proof") return "tampered";
  if (failed("anchor")) return "not-anchored";
  if (answer.status !== "valid") return STATUS_VERDICT[answer.status];
  if (checks.some((c) => c.ok !== true)) return failed("expiry") ? "expired" : "tampered";
  return "valid";
}

/**
 * The chain's answer, refused when it is not about this request: a node that answers for another
 * leaf is not trusted with the verdict.
 */
function consistent(prepared: PreparedBundle, answer: ChainVerification): ChainVerification {
  if (answer.leaf !== prepared.leaf) {
    throw new CredrootError(
      "CHAIN_UNAVAILABLE",
      `the registry answered about leaf ${answer.leaf}, not ${prepared.leaf}`,
    );
  }
  return answer;
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
  const { credential, hidden } = prepared;
  const checks = [...prepared.checks];
  let answer: ChainVerification | null = null;
  // Tracked apart from the error itself: a provider may reject with null or undefined.
  let failure: { error: unknown } | null = outcome && "error" in outcome ? { error: outcome.error } : null;
  if (outcome && "answer" in outcome) {
    try {
      answer = consistent(prepared, outcome.answer);
    } catch (inconsistent) {
      failure = { error: inconsistent };
    }
  }
  if (answer) checks.push(...chainChecks(prepared, answer, now));
  else if (failure) {
    const reason = decodeRegistryError(failure.error).message;
    checks.push({ name: "anchor", ok: null, message: `could not ask the chain: ${reason}` });
  }
  return {
    verdict: verdictOf(checks, answer),
    checks,
    credential,
    hidden,
    issuer: answer?.issuer ?? null,
    anchoredAt: answer && answer.anchoredAt > 0 ? answer.anchoredAt : null,
    digest: prepared.request?.digest ?? null,
    leaf: prepared.leaf,
  };
}
