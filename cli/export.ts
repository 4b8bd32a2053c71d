import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { FetchRequest, JsonRpcProvider } from "ethers";
import { type Bundle, decodeRegistryError, type IssuerRecord, parseBundle, RegistryClient } from "../src";
import { type ExportFormat, toVerifiableCredential } from "../src/export";
import { RPC_TIMEOUT_MS, rpcUrl } from "./chain";
import { CliError, type CliIo, type CommandContext, EXIT, jsonText, readText, usageError, writeText } from "./io";
import { address, rpcOption } from "./options";

export interface ConvertFlags {
  format: ExportFormat;
  output?: string;
}

export interface ExportFlags extends ConvertFlags {
  rpc?: string;
  registry: string;
}

/** Writes `value` to `-o` (saying so on stderr) or to stdout. */
export function emit({ io }: CommandContext, value: unknown, output: string | undefined, what: string): void {
  if (output === undefined) {
    io.stdout.write(jsonText(value));
  } else {
    writeText(output, jsonText(value));
    io.stderr.write(`wrote ${output} (${what})\n`);
  }
}

/** `-o` must not name the file being read. */
export function refuseOverwrite(input: string, output: string | undefined): void {
  if (output !== undefined && resolve(output) === resolve(input)) {
    throw usageError("-o names the input file: write to another file");
  }
}

/**
 * The issuer the bundle is anchored under, as the trusted registry records it: the awarding body
 * an export names. The bundle only says where to look; the registry must be the one the caller
 * trusts, and the endpoint must serve the bundle's chain (asked with `eth_chainId`, never assumed).
 * @throws CliError (exit 1) for a bundle of another registry or chain; CredrootError when the chain
 * cannot be asked or knows no such issuer.
 */
export async function registryIssuer(io: CliIo, bundle: Bundle, flags: Pick<ExportFlags, "rpc" | "registry">) {
  const url = rpcUrl(io, flags.rpc);
  const { chainId, registry, issuerId } = bundle.anchor;
  if (flags.registry.toLowerCase() !== registry) {
    throw new CliError(
      `the bundle names registry ${registry}, not ${flags.registry.toLowerCase()} (--registry): its issuer is not one you trust`,
      EXIT.refused,
    );
  }
  const request = new FetchRequest(url);
  request.timeout = RPC_TIMEOUT_MS;
  const provider = new JsonRpcProvider(request, chainId, { staticNetwork: true, batchMaxCount: 1 });
  try {
    let served: number;
    try {
      served = Number(BigInt((await provider.send("eth_chainId", [])) as string));
    } catch (error) {
      throw decodeRegistryError(error);
    }
    if (served !== chainId) {
      throw new CliError(
        `the JSON-RPC endpoint serves chain ${served}, but the bundle is anchored on chain ${chainId}`,
        EXIT.refused,
      );
    }
    return await new RegistryClient(registry, provider).getIssuer(issuerId);
  } finally {
    provider.destroy();
  }
}

export function addExportCommand(program: Command, context: CommandContext): void {
  program
    .command("export")
    .summary("write a bundle as a W3C Verifiable Credential or an Open Badge 3.0 (learners)")
    .description(
      "Write a bundle as a W3C Verifiable Credentials 2.0 document (--format vc) or an Open Badges 3.0 " +
        "OpenBadgeCredential (--format ob3). The issuer it names is the registry's record of the bundle's " +
        "issuer, read from the chain (--rpc, --registry). Hidden fields stay hidden; the proof " +
        "(CredrootMerkleAnchor2026) carries the whole bundle, so `credroot import` gives it back and it " +
        "verifies as the bundle does.",
    )
    .argument("<bundle>", "the bundle file (JSON)")
    .addOption(rpcOption())
    .addOption(
      new Option("--registry <address>", "the registry contract you trust; the bundle must name it")
        .argParser(address)
        .makeOptionMandatory(),
    )
    .addOption(new Option("--format <format>", "vc or ob3").choices(["vc", "ob3"]).default("ob3"))
    .option("-o, --output <file>", "write the credential here (default: stdout)")
    .addHelpText(
      "after",
      "\nExample:\n  credroot export shared.json --rpc https://rpc.example --registry 0x… --format ob3 -o badge.json\n",
    )
    .action(async (file: string, flags: ExportFlags) => {
      refuseOverwrite(file, flags.output);
      const bundle = parseBundle(readText(file));
      const issuer: IssuerRecord = await registryIssuer(context.io, bundle, flags);
      const doc = toVerifiableCredential(bundle, issuer, { format: flags.format });
      emit(context, doc, flags.output, flags.format === "ob3" ? "Open Badges 3.0" : "Verifiable Credential 2.0");
      context.exit(EXIT.ok);
    });
}
