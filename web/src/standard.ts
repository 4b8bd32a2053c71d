/*
 * The page's verifier of signed credentials (Open Badges 3.0 / VC JSON, JWT, SD-JWT, baked PNG and
 * SVG badges): a chunk of its own, imported only when one is given, since it brings the JSON-LD
 * stack (jsonld, the Data Integrity suites) that a credroot bundle never needs.
 */
import type { Check, TrustedChain, VerificationResult } from "../../src";
import { type AnyVerdict, type SignedInput, verifyAny } from "../../src/standard/verify-any";
import { el } from "./dom";
import { credentialCard } from "./render";
import { VERDICT_WORDS } from "./words";

/** The checks a signature adds to a bundle's, in plain words: [held, failed, not made]. */
const SIGNED_WORDS: Record<string, [string, string, string]> = {
  signature: [
    "Its signature verifies",
    "Its signature does not verify: it was changed after signing",
    "Its signature was not checked",
  ],
  "issuer-key": [
    "Signed with a key the registry records for its issuer",
    "Signed with a key the registry does not record for its issuer",
    "Its signing key could not be checked with the registry",
  ],
  claims: [
    "What it says is exactly what its credroot proof commits to",
    "What it says differs from its credroot proof",
    "What it says was not compared with its credroot proof",
  ],
};

const FORMAT_WORDS: Record<AnyVerdict["kind"], string> = {
  "vc-json": "a signed Open Badges 3.0 / Verifiable Credential (JSON)",
  jwt: "a signed credential as a JWT",
  "sd-jwt": "an SD-JWT credential",
  png: "a badge image (PNG) with its credential baked in",
  svg: "a badge image (SVG) with its credential baked in",
};

function signedChecks(result: AnyVerdict): HTMLElement {
  const items = Object.entries(SIGNED_WORDS).map(([name, words]) => {
    const check = result.checks.find((c) => c.name === name);
    const ok = check ? check.ok : null;
    return el(
      "li",
      { "data-testid": "check", "data-check": name, "data-ok": String(ok) },
      ok === true ? words[0] : ok === false ? words[1] : words[2],
      check ? el("span", { class: "why" }, check.message) : null,
    );
  });
  return el(
    "section",
    { "data-testid": "signed-checks", "aria-label": "The signature" },
    el("p", {}, `This is ${FORMAT_WORDS[result.kind]}.`),
    el("ul", { class: "checks", "aria-label": "What was checked of the signature" }, ...items),
  );
}

const BUNDLE_CHECKS = new Set<string>([
  "registry",
  "digest",
  "anchor",
  "proof",
  "revocation",
  "accreditation",
  "expiry",
]);

/** What the page shows of a signed credential: its verdict and the card, built from a valid verdict only. */
export interface SignedShown {
  code: AnyVerdict["verdict"];
  tone: string;
  headline: string;
  nodes: HTMLElement[];
}

/**
 * Verifies a signed credential in the browser against the trusted chains, as the CLI and the
 * service do (`verifyAny`): the bundle inside, the signature, and the signing key on chain.
 */
export async function verifySignedInput(input: SignedInput, chains: readonly TrustedChain[]): Promise<SignedShown> {
  const result = await verifyAny(input, { chains });
  const words = VERDICT_WORDS[result.verdict];
  const bundleView: VerificationResult = {
    ...result,
    checks: result.checks.filter((c): c is Check => BUNDLE_CHECKS.has(c.name)),
  };
  const card = credentialCard(bundleView);
  card.append(signedChecks(result));
  return { code: result.verdict, tone: words.tone, headline: words.headline, nodes: [card] };
}
