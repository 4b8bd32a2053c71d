import { type Command, Option } from "commander";
import type { JsonRpcProvider } from "ethers";
import {
  type Bundle,
  type Check,
  isCredrootError,
  type JsonValue,
  parseBundle,
  type VerificationResult,
  verifyBundle,
} from "..";
import { rpcUrl, staticProvider } from "./chain";
import { type CliIo, type CommandContext, EXIT, type ExitCode, jsonText, readText, usageError } from "./io";
import { addresses, chainIdOption, jsonOption, rpcOption, seconds } from "./options";

export interface VerifyFlags {
  rpc?: string;
  chainId?: number;
  registry?: string[];
  trustBundleRegistry?: boolean;
  timeout: number;
  json?: boolean;
}

/** The outcome for one file: a verification, or why there was none. */
export type FileOutcome =
  | ({ file: string } & VerificationResult)
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

function loadBundle(file: string): Bundle | FileOutcome {
  let json: string;
  try {
    json = readText(file);
  } catch (error) {
    return { file, verdict: null, error: { code: "UNREADABLE", message: (error as Error).message } };
  }
  try {
    return parseBundle(json);
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    return { file, verdict: null, error: { code: "INVALID_BUNDLE", message: `not a bundle: ${error.message}` } };
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
  try {
    const outcomes: FileOutcome[] = [];
    for (const file of files) {
      const loaded = loadBundle(file);
      if ("file" in loaded) {
        outcomes.push(loaded);
        continue;
      }
      const chainId = flags.chainId ?? loaded.anchor.chainId;
      let provider = providers.get(chainId);
      if (!provider) providers.set(chainId, (provider = staticProvider(url, chainId, flags.timeout)));
      const registries = flags.trustBundleRegistry ? [...trusted, loaded.anchor.registry] : trusted;
      const result = await verifyBundle(loaded, {
        chains: [{ chainId, registries, provider }],
        timeoutMs: flags.timeout,
      });
      outcomes.push({ file, ...result });
    }
    return outcomes;
  } finally {
    for (const provider of providers.values()) provider.destroy();
  }
}

export function addVerifyCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("verify")
    .summary("verify proof bundles against the chain (employers, anyone)")
    .description(
      "Verify proof bundles against the chain alone, trusting no server: fields → digest → leaf → Merkle path → root, " +
        "then one eth_call to a registry you trust (anchored, not revoked, issuer accredited, not expired).",
    )
    .argument("<bundle...>", "bundle files (JSON)")
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
    .addHelpText(
      "after",
      "\nExit status: 0 every bundle is valid; 1 some bundle is not valid (tampered, revoked, expired, …);\n" +
        "2 some bundle could not be checked (unreadable, not a bundle, chain unavailable) and none is invalid.\n",
    )
    .action(async (files: string[], flags: VerifyFlags) => {
      const outcomes = await verifyFiles(io, files, flags);
      if (flags.json) io.stdout.write(jsonText(outcomes));
      else io.stdout.write(outcomes.map(describeOutcome).join("\n"));
      exit(verifyExitCode(outcomes));
    });
}
