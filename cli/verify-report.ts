import {
  askQuestions,
  type Check,
  type JsonValue,
  learnerWarnings,
  type PresentationResult,
  type PresentedCredential,
  type StackLink,
  type VerificationResult,
} from "../src";
import type { SignedCheck } from "../src/standard/verify-credential";
import type { AnyVerdict } from "../src/standard/verify-any";
import { EXIT, type ExitCode } from "./io";
import { printable } from "./printable";

/** A verification: a bundle's, or a signed credential's (whose checks add `signature`, `issuer-key`, `claims`). */
type Verification = Omit<VerificationResult, "checks"> & { checks: (Check | SignedCheck)[] } & Partial<
    Pick<AnyVerdict, "kind" | "valid" | "format" | "signer" | "signedAt">
  >;

/** The outcome for one file (or one bundle of a presentation): a verification, or why there was none. */
export type FileOutcome =
  | ({
      file: string;
      /** For a bundle of a presentation: the presentation's file and the bundle's index in it. */
      presentation?: { file: string; index: number };
      /** The credentials this one builds on (presentations only). */
      stack?: StackLink[];
      /** Why a verdict is what it is, when the checks alone do not say (another chain). */
      note?: string;
    } & Verification)
  | {
      file: string;
      verdict: null;
      error: { code: "UNREADABLE" | "INVALID_BUNDLE" | "NOT_A_CREDENTIAL"; message: string };
    };

type Verified = Exclude<FileOutcome, { verdict: null }>;

const MARK = { true: "✓", false: "✗", null: "?" } as const;

function text(credential: { [key: string]: JsonValue }, ...path: string[]): string | undefined {
  let node: JsonValue | undefined = credential;
  for (const key of path) {
    node = typeof node === "object" && node !== null && !Array.isArray(node) ? node[key] : undefined;
  }
  return typeof node === "string" || typeof node === "number" ? String(node) : undefined;
}

function headline(outcome: FileOutcome): string {
  if (outcome.verdict === null) return `${outcome.file}: COULD NOT CHECK (${outcome.error.message})`;
  if (outcome.verdict === "valid") return `${outcome.file}: VALID`;
  if (outcome.verdict === "chain-unavailable") return `${outcome.file}: COULD NOT CHECK (chain-unavailable)`;
  return `${outcome.file}: NOT VALID (${outcome.verdict})`;
}

/** What a valid credential says: its disclosed facts, and the awarding body as the registry records it. */
function facts(outcome: Verified): [string, string | undefined][] {
  const c = outcome.credential;
  const issuer = outcome.issuer;
  return [
    ["title", text(c, "title")],
    ["id", text(c, "id")],
    ["learner", text(c, "learner", "name")],
    // Never a name from the file: the issuer the credential is bound to, as recorded on chain.
    ["awarded by", issuer ? `#${issuer.id} ${issuer.name} (${issuer.uri})` : undefined],
    ["country", text(c, "issuerCountry")],
    ["issued on", text(c, "issuedOn")],
    ["valid until", text(c, "validUntil")],
    ["hidden", outcome.hidden.length > 0 ? outcome.hidden.join(", ") : undefined],
  ];
}

function stackLine(outcome: Verified, link: StackLink): string {
  if (link.status === "missing") return `  builds on  ${link.leaf} — MISSING from the presentation`;
  if (link.status === "not-valid" || !link.valid) return `  builds on  ${link.leaf} — shown, NOT VALID`;
  const where = outcome.presentation ? ` (${outcome.presentation.file}#${link.valid.index + 1})` : "";
  return `  builds on  ${link.leaf} — shown and valid: ${link.valid.title}${where}`;
}

/**
 * One human-readable block per bundle: the verdict and each check, then, only for a credential
 * that verified valid, what it says; of any other only its id. Every line is made printable:
 * nothing a bundle or the chain says reaches the terminal as an escape sequence.
 */
export function describeOutcome(outcome: FileOutcome): string {
  const lines = [headline(outcome)];
  if (outcome.verdict !== null) {
    const width = Math.max(...outcome.checks.map((c) => c.name.length));
    for (const check of outcome.checks) {
      lines.push(`  ${MARK[`${check.ok}`]} ${check.name.padEnd(width)}  ${check.message}`);
    }
    if (outcome.note !== undefined) lines.push(`  note: ${outcome.note}`);
    if (outcome.verdict === "valid") {
      for (const [name, value] of facts(outcome)) if (value !== undefined) lines.push(`  ${name.padEnd(11)} ${value}`);
      for (const link of outcome.stack ?? []) lines.push(stackLine(outcome, link));
    } else {
      // Unverified claims are not shown: only the id, to tell which credential this is.
      const id = text(outcome.credential, "id");
      if (id !== undefined) lines.push(`  ${"id".padEnd(11)} ${id}`);
    }
  }
  return `${lines.map(printable).join("\n")}\n`;
}

/** 1 when any bundle is definitely not valid; else 2 when any could not be checked; else 0. */
export function verifyExitCode(outcomes: readonly FileOutcome[]): ExitCode {
  const invalid = outcomes.some(
    (o) => o.verdict !== null && o.verdict !== "valid" && o.verdict !== "chain-unavailable",
  );
  if (invalid) return EXIT.refused;
  return outcomes.every((o) => o.verdict === "valid") ? EXIT.ok : EXIT.couldNot;
}

/** The questions `verify` may be asked (`--skill`, `--min-eqf`, `--total-ects`). */
export interface QuestionFlags {
  skill?: string;
  minEqf?: number;
  totalEcts?: string | true;
}

/** A question asked with --skill/--min-eqf or --total-ects, and its answer over every valid credential. */
export interface FileAnswer {
  question: string;
  answer: boolean | number;
  /** The credentials behind the answer (the outcome's file names): valid ones only. */
  by: string[];
}

/**
 * Answers the questions the flags ask over all the verified outcomes. Only valid credentials
 * count, and the evidence is named by the outcome that answered (never by another bundle with the
 * same leaf, such as a tampered copy of it).
 */
export function answerQuestions(outcomes: readonly FileOutcome[], flags: QuestionFlags): FileAnswer[] {
  const verified = outcomes.filter((o): o is Verified => o.verdict !== null);
  const bundleCheck = (c: Check | SignedCheck): c is Check => !["signature", "issuer-key", "claims"].includes(c.name);
  const credentials: PresentedCredential[] = verified.map((o) => ({
    ...o,
    checks: o.checks.filter(bundleCheck),
    stack: o.stack ?? [],
  }));
  const fileOf = new Map(credentials.map((c, i) => [c, verified[i]!.file]));
  const result: PresentationResult = {
    credentials,
    allValid: verified.every((o) => o.verdict === "valid"),
    warnings: [],
  };
  const questions = { skill: flags.skill, minEqf: flags.minEqf, totalEcts: flags.totalEcts };
  return askQuestions(result, questions).map(({ question, answer, credentials: behind }) => ({
    question,
    answer,
    by: behind.filter((c) => c.verdict === "valid").map((c) => fileOf.get(c) ?? "?"),
  }));
}

/** `question: YES (file#2)`, printable. */
export function describeAnswer({ question, answer, by }: FileAnswer): string {
  const said = answer === true ? "YES" : answer === false ? "NO" : String(answer);
  return `${printable(`${question}: ${said}${by.length > 0 ? ` (${by.join(", ")})` : ""}`)}\n`;
}

/**
 * `warning: …` lines (printable) when the valid credentials verified together do not all name the
 * same learner; empty otherwise. Credentials are numbered in the order verified.
 */
export function describeWarnings(outcomes: readonly FileOutcome[]): string {
  const valid = outcomes.flatMap((o, index) => (o.verdict === "valid" ? [{ index, credential: o.credential }] : []));
  return learnerWarnings(valid)
    .map((w) => `${printable(`warning: ${w.message}`)}\n`)
    .join("");
}
