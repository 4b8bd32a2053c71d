import { type Command, Option } from "commander";
import type { JsonRpcProvider } from "ethers";
import {
  type Bundle,
  isCredrootError,
  MAX_PRESENTATION_TEXT,
  parseBundle,
  parsePresentation,
  parseStrictJson,
  type Presentation,
  type TrustedChain,
  type VerificationResult,
  verifyBundle,
  verifyPresentation,
} from "../src";
import { isPdf } from "../src/certificate/names";
import { checkChainId, rpcUrl, servedChainId, staticProvider } from "./chain";
import { type CliIo, type CommandContext, readBytes, usageError } from "./io";
import { addresses, chainIdOption, jsonOption, positiveInteger, rpcOption, seconds } from "./options";
import { printableJson } from "./printable";
import { loadSigned, type SignedFile, verifySignedFile } from "./verify-standard";
import {
  answerQuestions,
  describeAnswer,
  describeWarnings,
  describeOutcome,
  type FileOutcome,
  type QuestionFlags,
  verifyExitCode,
} from "./verify-report";

export { answerQuestions, describeOutcome, type FileAnswer, type FileOutcome, verifyExitCode } from "./verify-report";

export interface VerifyFlags extends QuestionFlags {
  rpc?: string;
  chainId?: number;
  registry?: string[];
  trustBundleRegistry?: boolean;
  timeout: number;
  json?: boolean;
}

type Loaded =
  | { kind: "bundle"; file: string; bundle: Bundle }
  | { kind: "presentation"; file: string; presentation: Presentation }
  | { kind: "outcome"; outcome: FileOutcome }
  | SignedFile;

const unreadable = (file: string, code: "UNREADABLE" | "INVALID_BUNDLE", message: string): Loaded => ({
  kind: "outcome",
  outcome: { file, verdict: null, error: { code, message } },
});

/** The bundle attached to a certificate PDF, or why there is none (pdf-lib is loaded only when a PDF is given). */
async function loadPdf(file: string, bytes: Uint8Array): Promise<Loaded> {
  const { bundleFromPdf } = await import("../src/certificate/attachment");
  try {
    return { kind: "bundle", file, bundle: await bundleFromPdf(bytes) };
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    return unreadable(file, "INVALID_BUNDLE", `not a credroot certificate: ${error.message}`);
  }
}

/**
 * A bundle, a presentation (`"type": "credroot/presentation"`), the bundle attached to a certificate PDF (a file
 * that starts with `%PDF-`), or why the file is none of these. Read strictly: duplicate keys and lone surrogates
 * are refused, as is a version 1 bundle.
 */
async function loadFile(file: string): Promise<Loaded> {
  let bytes: Buffer;
  try {
    bytes = readBytes(file);
  } catch (error) {
    return unreadable(file, "UNREADABLE", (error as Error).message);
  }
  if (isPdf(bytes)) return loadPdf(file, bytes);
  const signed = await loadSigned(file, bytes); // a signed credential or badge (verify-standard.ts), else null
  if (signed !== null) return signed;
  const json = bytes.toString("utf8");
  if (json.length > MAX_PRESENTATION_TEXT) {
    return unreadable(file, "INVALID_BUNDLE", `not a bundle: larger than ${MAX_PRESENTATION_TEXT} characters`);
  }
  let isPresentation = false;
  try {
    const value = parseStrictJson(json, "INVALID_BUNDLE", "the file");
    const header = (typeof value === "object" && value !== null ? value : {}) as { type?: unknown; version?: unknown };
    isPresentation = header.type === "credroot/presentation";
    return isPresentation
      ? { kind: "presentation", file, presentation: parsePresentation(json) }
      : { kind: "bundle", file, bundle: parseBundle(json) };
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    // A version 1 file is told to be re-issued in so many words: no prefix.
    const refusedV1 = /version 1/.test(error.message);
    const what = isPresentation ? "presentation" : "bundle";
    return unreadable(file, "INVALID_BUNDLE", refusedV1 ? error.message : `not a ${what}: ${error.message}`);
  }
}

/** What every bundle gets when the endpoint cannot say which chain it serves: no verdict, no claim. */
function unchecked(bundle: Bundle, why: string): VerificationResult {
  return {
    verdict: "chain-unavailable",
    checks: [
      { name: "registry", ok: null, message: `could not ask the JSON-RPC endpoint which chain it serves: ${why}` },
    ],
    credential: bundle.credential,
    hidden: Object.keys(bundle.hidden ?? {}).sort(),
    issuer: null,
    anchoredAt: null,
    digest: null,
    leaf: null,
  };
}

/** Says so when a bundle is refused because it names another chain than the endpoint serves. */
function chainNote(bundle: Bundle, result: VerificationResult, served: number): { note?: string } {
  if (result.verdict !== "wrong-chain" || bundle.anchor.chainId === served) return {};
  const named = bundle.anchor.chainId;
  return {
    note: `the bundle names chain ${named}, but the JSON-RPC endpoint serves chain ${served}: verify it through a node of chain ${named}`,
  };
}

/**
 * The chain to trust: the one the endpoint serves (asked once with `eth_chainId`), never the one a
 * bundle names, with the registries given (and, with --trust-bundle-registry, those that bundles
 * on that chain name).
 */
function trustedChain(
  chainId: number,
  provider: JsonRpcProvider,
  bundles: readonly Bundle[],
  flags: VerifyFlags,
): TrustedChain {
  const registries = new Set((flags.registry ?? []).map((r) => r.toLowerCase()));
  if (flags.trustBundleRegistry === true) {
    for (const { anchor } of bundles) if (anchor.chainId === chainId) registries.add(anchor.registry);
  }
  return { chainId, registries: [...registries], provider };
}

/** Verifies each file against the chain the endpoint serves. */
export async function verifyFiles(io: CliIo, files: readonly string[], flags: VerifyFlags): Promise<FileOutcome[]> {
  const url = rpcUrl(io, flags.rpc);
  if ((flags.registry ?? []).length === 0 && flags.trustBundleRegistry !== true) {
    throw usageError("no trusted registry: pass --registry 0x… (or --trust-bundle-registry, which trusts the bundle)");
  }
  if (flags.trustBundleRegistry === true) {
    io.stderr.write(
      "warning: --trust-bundle-registry trusts whatever registry each bundle names; anyone can deploy a look-alike " +
        "registry, so VALID then only means that contract vouches for it. Pass --registry with the address you trust.\n",
    );
  }
  const loaded = await Promise.all(files.map(loadFile));
  const bundles = loaded.flatMap((l) =>
    l.kind === "bundle" || l.kind === "signed"
      ? [l.bundle ?? []].flat()
      : l.kind === "presentation"
        ? l.presentation.bundles
        : [],
  );
  let served: number | null = null;
  let why = "";
  if (bundles.length > 0 || loaded.some((l) => l.kind === "signed")) {
    try {
      served = await servedChainId(url, flags.timeout);
    } catch (error) {
      if (!isCredrootError(error, "CHAIN_UNAVAILABLE")) throw error;
      why = error.message;
    }
    if (served !== null) checkChainId(served, flags.chainId);
  }
  const provider = served === null ? null : staticProvider(url, served, flags.timeout);
  const chain = served === null || provider === null ? null : trustedChain(served, provider, bundles, flags);
  const options = { chains: chain ? [chain] : [], timeoutMs: flags.timeout };
  const settle = async (bundle: Bundle) => (chain ? await verifyBundle(bundle, options) : unchecked(bundle, why));
  try {
    const outcomes: FileOutcome[] = [];
    for (const item of loaded) {
      if (item.kind === "outcome") {
        outcomes.push(item.outcome);
      } else if (item.kind === "signed") {
        outcomes.push(await verifySignedFile(item, chain, why, flags.timeout));
      } else if (item.kind === "bundle") {
        const result = await settle(item.bundle);
        outcomes.push({ file: item.file, ...result, ...chainNote(item.bundle, result, served ?? 0) });
      } else {
        const { bundles: shown } = item.presentation;
        const results = chain
          ? (await verifyPresentation(item.presentation, options)).credentials
          : shown.map((b) => ({ ...unchecked(b, why), stack: [] }));
        results.forEach((result, index) =>
          outcomes.push({
            file: `${item.file}#${index + 1}`,
            presentation: { file: item.file, index },
            ...result,
            ...chainNote(shown[index]!, result, served ?? 0),
          }),
        );
      }
    }
    return outcomes;
  } finally {
    provider?.destroy();
  }
}

export function addVerifyCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("verify")
    .summary("verify proof bundles against the chain (employers, anyone)")
    .description(
      "Verify proof bundles against the chain alone, trusting no server: fields → digest → leaf bound to the chain, " +
        "registry, issuer and batch → Merkle path → root, then one eth_call to a registry you trust (anchored by that " +
        "issuer, not revoked, issuer accredited, not expired). The chain is the one the RPC endpoint serves.",
    )
    .argument(
      "<file...>",
      "bundles or presentations (JSON), certificate PDFs (their attached bundle), signed credentials " +
        "(Open Badges 3.0 / VC JSON, JWT, SD-JWT) or badges with one baked in (PNG, SVG)",
    )
    .addOption(rpcOption())
    .addOption(chainIdOption())
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
      "\nOnly a credential that verified valid has its title and values printed; of any other, its id.\n" +
        "\nExit status: 0 every bundle is valid; 1 some bundle is not valid (tampered, revoked, expired, …);\n" +
        "2 some bundle could not be checked (unreadable, not a bundle, chain unavailable) and none is invalid.\n",
    )
    .action(async (files: string[], flags: VerifyFlags) => {
      const outcomes = await verifyFiles(io, files, flags);
      const answers = answerQuestions(outcomes, flags);
      io.stderr.write(describeWarnings(outcomes));
      const asked = flags.skill !== undefined || flags.minEqf !== undefined || flags.totalEcts !== undefined;
      if (flags.json) io.stdout.write(printableJson(asked ? { results: outcomes, answers } : outcomes));
      else
        io.stdout.write(
          outcomes.map(describeOutcome).join("\n") + (asked ? `\n${answers.map(describeAnswer).join("")}` : ""),
        );
      exit(verifyExitCode(outcomes));
    });
}
