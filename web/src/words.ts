import type { Check, Verdict } from "../../src";

/** How a verdict reads: the headline, and which colour family it belongs to. */
export interface VerdictWords {
  headline: string;
  tone: "valid" | "not-valid" | "unknown";
}

/** The verdict in plain words, for someone who has never heard of Merkle trees. */
export const VERDICT_WORDS: Record<Verdict, VerdictWords> = {
  valid: { headline: "Valid", tone: "valid" },
  tampered: { headline: "Not valid: this credential was changed after it was issued", tone: "not-valid" },
  "not-anchored": {
    headline: "Not valid: its issuer never recorded this credential on the blockchain",
    tone: "not-valid",
  },
  revoked: { headline: "Not valid: this credential was revoked by its issuer", tone: "not-valid" },
  expired: { headline: "Not valid: this credential has expired", tone: "not-valid" },
  "issuer-not-accredited": {
    headline: "Not valid: the issuer was not accredited when it issued this credential",
    tone: "not-valid",
  },
  "wrong-chain": {
    headline: "Not valid here: it names a registry this page does not trust",
    tone: "not-valid",
  },
  "chain-unavailable": { headline: "Could not check: the chain did not answer", tone: "unknown" },
};

/** Every check, in the order the verifier makes them. */
export const CHECK_ORDER: readonly Check["name"][] = [
  "registry",
  "digest",
  "anchor",
  "proof",
  "revocation",
  "accreditation",
  "expiry",
];

/** Each check in plain words: [when it held, when it failed]. */
export const CHECK_WORDS: Record<Check["name"], [string, string]> = {
  registry: ["Recorded in a registry this page trusts", "Recorded in a registry this page does not trust"],
  // The digest check only computes the fingerprint; whether it is the issued one is the proof check.
  digest: ["Its details could be fingerprinted", "Its details cannot be fingerprinted: not issued by credroot"],
  anchor: [
    "Its issuer recorded the batch it names on the blockchain",
    "Its issuer recorded no such batch on the blockchain",
  ],
  proof: [
    "Its details are exactly as issued, in that batch, by this issuer",
    "Its details were changed, or it belongs to another batch or issuer",
  ],
  revocation: ["Not revoked by its issuer", "Revoked by its issuer"],
  accreditation: ["Its issuer was accredited when it issued it", "Its issuer was not accredited when it issued it"],
  expiry: ["Not expired", "Expired"],
};

/** The check in plain words, given whether it held (null: not made). */
export function checkWords(name: Check["name"], ok: boolean | null, reached: boolean): string {
  if (!reached) return `${CHECK_WORDS[name][0]}: not checked, as an earlier check failed`;
  if (ok === null) return `${CHECK_WORDS[name][0]}: could not be checked, the chain did not answer`;
  return CHECK_WORDS[name][ok ? 0 : 1];
}

/** What the holder may have hidden, in the order an employer reads a credential. */
export const FIELD_LABELS: readonly (readonly [pointer: string, label: string])[] = [
  ["/learner/name", "Learner"],
  ["/learner/identifier", "Learner's id"],
  ["/learner/email", "Learner's email"],
  ["/learner/dateOfBirth", "Learner's date of birth"],
  ["/issuerCountry", "Country of the issuer"],
  ["/description", "Description"],
  ["/eqfLevel", "EQF level"],
  ["/nqfLevel", "National level"],
  ["/workload/ects", "Workload (ECTS)"],
  ["/workload/hours", "Workload (hours)"],
  ["/learningOutcomes", "Learning outcomes"],
  ["/assessment/type", "Assessment"],
  ["/assessment/grade", "Grade"],
  ["/assessment/identityCheck", "Identity check"],
  ["/participation", "Participation"],
  ["/qualityAssurance", "Quality assurance"],
  ["/prerequisites", "Prerequisites"],
  ["/skills", "Skills"],
  ["/stackability/countsTowards", "Counts towards"],
  ["/stackability/buildsOn", "Builds on"],
  ["/issuedOn", "Issued on"],
  ["/validUntil", "Valid until"],
  ["/evidenceUrl", "Evidence"],
  ["/id", "Credential id"],
];

/** Enumerated values in words. */
export const VALUE_WORDS: Record<string, Record<string, string>> = {
  "/participation": { online: "Online", onsite: "On site", blended: "Blended (online and on site)" },
  "/assessment/identityCheck": {
    none: "None",
    "online-unsupervised": "Online, unsupervised",
    "online-supervised": "Online, supervised",
    "onsite-supervised": "On site, supervised",
  },
};

export const HIDDEN_WORDS = "hidden by the holder";

/**
 * How the issuer reads: the awarding body is the issuer the registry records for the credential,
 * never a name the file gives.
 */
export const ISSUER_WORDS = {
  awardingBody: "Awarding body",
  record: "Issuer (on the blockchain)",
  uri: "Issuer's address",
} as const;

/** What a card says instead of the credential's details when it did not verify. */
export const UNVERIFIED_WORDS = {
  heading: "Not shown: this credential did not verify",
  unchecked: "Not shown: this credential could not be checked",
  id: "Credential id (as the file gives it, not confirmed)",
  why: "Its title and details are not shown: this page shows only what a valid credential says.",
} as const;

/** A v1 bundle or presentation: not checked, to be re-issued. */
export const REISSUE_HEADLINE = "Not checked: this is an old credential that must be re-issued";

/** The reason line of a revoked credential: the issuer's words, read from the chain. */
export const REASON_WORDS = {
  loading: "Reading the issuer's reason from the blockchain…",
  credential: "The issuer's reason, as recorded on the blockchain:",
  batch: "The issuer revoked the whole batch this credential belongs to, giving as reason:",
  none: "The blockchain records no reason for this revocation.",
  failed: "The issuer's reason could not be read from the blockchain.",
} as const;

/** Said after a `not-anchored` verdict on a chain that starts empty at each start (`npm start`). */
export const EPHEMERAL_NOT_ANCHORED =
  "This page checks against the embedded test chain of `npm start`, which starts empty each time the service starts: a credential issued before its last restart is not on it.";
