import { type Command, Option } from "commander";
import type { JsonRpcProvider } from "ethers";
import {
  type Bundle,
  type Check,
  type TrustedChain,
  type Hex32,
  askQuestions,
  isCredrootError,
  type JsonValue,
  parseBundle,
  parsePresentation,
  type Presentation,
  type PresentationResult,
  type StackLink,
  type VerificationResult,
  verifyBundle,
  verifyPresentation,
} from "..";
import { rpcUrl, staticProvider } from "./chain";
import { type CliIo, type CommandContext, EXIT, type ExitCode, jsonText, readText, usageError } from "./io";
import { addresses, chainIdOption, jsonOption, positiveInteger, rpcOption, seconds } from "./options";

export interface VerifyFlags {
  rpc?: string;
  chainId?: number;
  registry?: string[];
  trustBundleRegistry?: boolean;
  timeout: number;
  json?: boolean;
  skill?: string;
  minEqf?: number;
  totalEcts?: string | true;
}

/** The outcome for one file: a verification, or why there was none. */
export type FileOutcome =
  | ({ file: string; leaf: Hex32; stack?: StackLink[] } & VerificationResult)
  | { file: string; verdict: null; error: { code: "UNREADABLE" | "INVALID_BUNDLE"; message: string } };

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

/** One human-readable block per bundle: the verdict, each check, then what the credential says. */
export function describeOutcome(outcome: FileOutcome): string {
  const lines = [headline(outcome)];
  if (outcome.verdict === null) return `${lines.join("\n")}\n`;
  const width = Math.max(...outcome.checks.map((c: Check) => c.name.length));
  for (const check of outcome.checks) {
    lines.push(`  ${MARK[`${check.ok}`]} ${check.name.padEnd(width)}  ${check.message}`);
  }
  const c = outcome.credential;
  const facts: [string, string | undefined][] = [
    ["title", text(c, "title")],
    ["id", text(c, "id")],
    ["learner", text(c, "learner", "name")],
    ["awarded by", text(c, "awardingBody", "name")],
    ["issued on", text(c, "issuedOn")],
    ["valid until", text(c, "validUntil")],
    ["issuer", outcome.issuer ? `#${outcome.issuer.id} ${outcome.issuer.name} (${outcome.issuer.uri})` : undefined],
    ["hidden", outcome.hidden.length > 0 ? outcome.hidden.join(", ") : undefined],
  ];
  for (const [name, value] of facts) if (value !== undefined) lines.push(`  ${name.padEnd(11)} ${value}`);
  for (const link of outcome.stack ?? []) {
    const said = {
      valid: "shown and valid",
      missing: "MISSING from the presentation",
      "not-valid": "shown, NOT VALID",
    };
    lines.push(`  builds on  ${link.leaf} — ${said[link.status]}`);
  }
  return `${lines.join("\n")}\n`;
}

/** 1 when any bundle is definitely not valid; else 2 when any could not be checked; else 0. */
export function verifyExitCode(outcomes: readonly FileOutcome[]): ExitCode {
  const invalid = outcomes.some(
    (o) => o.verdict !== null && o.verdict !== "valid" && o.verdict !== "chain-unavailable",
  );
  if (invalid) return EXIT.refused;
  return outcomes.every((o) => o.verdict === "valid") ? EXIT.ok : EXIT.couldNot;
}

type Loaded = { bundle: Bundle } | { presentation: Presentation } | FileOutcome;

/** A bundle, a presentation (`"type": "credroot/presentation"`), or why the file is neither. */
function loadFile(file: string): Loaded {
  let json: string;
  try {
    json = readText(file);
  } catch (error) {
    return { file, verdict: null, error: { code: "UNREADABLE", message: (error as Error).message } };
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return {
      file,
      verdict: null,
      error: { code: "INVALID_BUNDLE", message: `not a bundle: not JSON: ${(error as Error).message}` },
    };
  }
  const isPresentation =
    typeof value === "object" && value !== null && (value as { type?: unknown }).type === "credroot/presentation";
  try {
    return isPresentation ? { presentation: parsePresentation(value) } : { bundle: parseBundle(value) };
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    const what = isPresentation ? "presentation" : "bundle";
    return { file, verdict: null, error: { code: "INVALID_BUNDLE", message: `not a ${what}: ${error.message}` } };
  }
}

/** Verifies each file against the chain; providers are made per chain id and destroyed after. */
export async function verifyFiles(io: CliIo, files: readonly string[], flags: VerifyFlags): Promise<FileOutcome[]> {
  const url = rpcUrl(io, flags.rpc);
  const trusted = flags.registry ?? [];
  if (trusted.length === 0 && flags.trustBundleRegistry !== true) {
    throw usageError("no trusted registry: pass --registry 0x… (or --trust-bundle-registry, which trusts the bundle)");
  }
  if (flags.trustBundleRegistry === true) {
    io.stderr.write(
      "warning: --trust-bundle-registry trusts whatever registry each bundle names; anyone can deploy a look-alike " +
        "registry, so VALID then only means that contract vouches for it. Pass --registry with the address you trust.\n",
    );
  }
  const providers = new Map<number, JsonRpcProvider>();
  /** What to trust for these bundles: the chain each names (or --chain-id), with its registries. */
  const chainsFor = (bundles: readonly Bundle[]): TrustedChain[] => {
    const chains = new Map<number, TrustedChain & { registries: string[] }>();
    for (const { anchor } of bundles) {
      const chainId = flags.chainId ?? anchor.chainId;
      let provider = providers.get(chainId);
      if (!provider) providers.set(chainId, (provider = staticProvider(url, chainId, flags.timeout)));
      const chain = chains.get(chainId) ?? { chainId, registries: [...trusted], provider };
      if (flags.trustBundleRegistry && !chain.registries.includes(anchor.registry)) {
        chain.registries.push(anchor.registry);
      }
      chains.set(chainId, chain);
    }
    return [...chains.values()];
  };
  try {
    const outcomes: FileOutcome[] = [];
    for (const file of files) {
      const loaded = loadFile(file);
      if ("file" in loaded) {
        outcomes.push(loaded);
      } else if ("bundle" in loaded) {
        const result = await verifyBundle(loaded.bundle, {
          chains: chainsFor([loaded.bundle]),
          timeoutMs: flags.timeout,
        });
        outcomes.push({ file, leaf: loaded.bundle.proof.leaf, ...result });
      } else {
        const { bundles } = loaded.presentation;
        const result = await verifyPresentation(loaded.presentation, {
          chains: chainsFor(bundles),
          timeoutMs: flags.timeout,
        });
        result.credentials.forEach((credential, i) => outcomes.push({ file: `${file}#${i + 1}`, ...credential }));
      }
    }
    return outcomes;
  } finally {
    for (const provider of providers.values()) provider.destroy();
  }
}

/** A question asked with --skill/--min-eqf or --total-ects, and its answer over every valid credential. */
export interface FileAnswer {
  question: string;
  answer: boolean | number;
  /** The credentials behind the answer (the outcome's file names). */
  by: string[];
}

/** Answers the questions the flags ask over all the verified outcomes (valid ones only count). */
export function answerQuestions(outcomes: readonly FileOutcome[], flags: VerifyFlags): FileAnswer[] {
  const verified = outcomes.filter((o): o is Extract<FileOutcome, { leaf: Hex32 }> => o.verdict !== null);
  const result: PresentationResult = {
    credentials: verified.map((o) => ({ ...o, stack: o.stack ?? [] })),
    allValid: verified.every((o) => o.verdict === "valid"),
  };
  const fileOf = (leaf: Hex32) => verified.find((o) => o.leaf === leaf)?.file ?? leaf;
  const questions = { skill: flags.skill, minEqf: flags.minEqf, totalEcts: flags.totalEcts };
  return askQuestions(result, questions).map(({ question, answer, credentials }) => ({
    question,
    answer,
    by: credentials.map((c) => fileOf(c.leaf)),
  }));
}

function describeAnswer({ question, answer, by }: FileAnswer): string {
  const said = answer === true ? "YES" : answer === false ? "NO" : String(answer);
  return `${question}: ${said}${by.length > 0 ? ` (${by.join(", ")})` : ""}\n`;
}

export function addVerifyCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("verify")
    .summary("verify proof bundles against the chain (employers, anyone)")
    .description(
      "Verify proof bundles against the chain alone, trusting no server: fields → digest → leaf → Merkle path → root, " +
        "then one eth_call to a registry you trust (anchored, not revoked, issuer accredited, not expired).",
    )
    .argument("<file...>", "bundle or presentation files (JSON)")
    .addOption(rpcOption())
    .addOption(chainIdOption("each bundle's chainId"))
    .addOption(new Option("--registry <address>", "a registry contract you trust (repeatable)").argParser(addresses))
    .option("--trust-bundle-registry", "also trust the registry each bundle names (prints a warning)")
    .addOption(
      new Option("--timeout <seconds>", "give up on the chain after this long: chain-unavailable")
        .argParser(seconds)
        .default(10_000, "10"),
    )
    .addOption(jsonOption())
    .option("--skill <uri>", "question: holds a valid credential listing this skill (e.g. an ESCO URI)?")
    .addOption(
      new Option("--min-eqf <level>", "question: … at this EQF level or above? (with or without --skill)").argParser(
        positiveInteger,
      ),
    )
    .option("--total-ects [field]", "question: total ECTS of the valid credentials (whose title or skills match field)")
    .addHelpText(
      "after",
      "\nExit status: 0 every bundle is valid; 1 some bundle is not valid (tampered, revoked, expired, …);\n" +
        "2 some bundle could not be checked (unreadable, not a bundle, chain unavailable) and none is invalid.\n",
    )
    .action(async (files: string[], flags: VerifyFlags) => {
      const outcomes = await verifyFiles(io, files, flags);
      const answers = answerQuestions(outcomes, flags);
      const asked = flags.skill !== undefined || flags.minEqf !== undefined || flags.totalEcts !== undefined;
      if (flags.json) io.stdout.write(jsonText(asked ? { results: outcomes, answers } : outcomes));
      else
        io.stdout.write(
          outcomes.map(describeOutcome).join("\n") + (asked ? `\n${answers.map(describeAnswer).join("")}` : ""),
        );
      exit(verifyExitCode(outcomes));
    });
}
