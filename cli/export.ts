import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { FetchRequest, JsonRpcProvider } from "ethers";
import {
  type Bundle,
  decodeRegistryError,
  discloseBundle,
  isCredrootError,
  type IssuerRecord,
  parseBundle,
  RegistryClient,
  verifyBundle,
} from "../src";
import { toVerifiableCredential, UNSIGNED_NOTICE } from "../src/export";
import { IssuerKey, issueSdJwtVc, signCredential, signCredentialJwt } from "../src/standard";
import { RPC_TIMEOUT_MS, rpcUrl } from "./chain";
import { checkFetched, type CliExportFormat, fetchCredential } from "./export-api";
import {
  CliError,
  type CliIo,
  type CommandContext,
  EXIT,
  flagOrEnv,
  jsonText,
  readText,
  usageError,
  writeText,
} from "./io";
import { address, apiOption, rpcOption } from "./options";

export interface ConvertFlags {
  format: CliExportFormat;
  output?: string;
}

export interface ExportFlags extends ConvertFlags {
  rpc?: string;
  registry?: string;
  api?: string;
  hide?: string;
}

/** The variable an issuer puts its Ed25519 private key in to sign exports offline (never a flag: shell history). */
export const SIGNING_KEY_VARIABLE = "CREDROOT_SIGNING_KEY";

const WHAT: Record<CliExportFormat, string> = {
  ob3: "Open Badges 3.0",
  vc: "Verifiable Credential 2.0",
  jwt: "VC-JOSE JWT",
  "sd-jwt": "SD-JWT VC",
};

/** Writes `value` (JSON, or a JWT's text) to `-o` (saying so on stderr) or to stdout. */
export function emit({ io }: CommandContext, value: unknown, output: string | undefined, what: string): void {
  const text = typeof value === "string" ? `${value}\n` : jsonText(value);
  if (output === undefined) {
    io.stdout.write(text);
  } else {
    writeText(output, text);
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
export async function registryIssuer(
  io: CliIo,
  bundle: Bundle,
  flags: { rpc?: string; registry: string },
  sign = false,
): Promise<IssuerRecord> {
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
    if (!sign) return await new RegistryClient(registry, provider).getIssuer(issuerId);
    // A signature is what standard verifiers trust: sign only a credential that verifies now.
    const result = await verifyBundle(bundle, { chains: [{ chainId, registries: [registry], provider }] });
    if (result.verdict !== "valid" || result.issuer === null) {
      const failed = result.checks.find((check) => check.ok !== true);
      throw new CliError(
        `the bundle is ${result.verdict}${failed ? ` (${failed.message})` : ""}: only a credential that verifies is signed`,
        result.verdict === "chain-unavailable" ? EXIT.couldNot : EXIT.refused,
      );
    }
    return result.issuer;
  } finally {
    provider.destroy();
  }
}

/** `--hide a,b` → the field names. */
const hideNames = (hide: string | undefined): string[] =>
  (hide ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter(Boolean);

/** `credroot export --api URL <credential id>`: the signed credential as the service signs it, checked, then written. */
async function exportFromService(context: CommandContext, id: string, flags: ExportFlags, api: string): Promise<void> {
  if (flags.registry !== undefined || flags.rpc !== undefined) {
    throw usageError("--api fetches the issuer's signed credential: --rpc and --registry are for a bundle file");
  }
  const fetched = await fetchCredential(api, id, flags.format, flags.hide);
  const { issuer } = await checkFetched(fetched);
  emit(
    context,
    fetched.format === "jwt" ? fetched.jwt : fetched.format === "sd-jwt" ? fetched.sdJwt : fetched.document,
    flags.output,
    `${WHAT[flags.format]}, signed by ${issuer}`,
  );
}

/**
 * `credroot export <bundle>`: the document made here, its issuer read from the trusted registry. With the issuer's
 * key in CREDROOT_SIGNING_KEY it is signed (once the bundle verifies); without, it says it is unsigned, in the
 * document (`credrootUnsigned`) and on stderr.
 */
async function exportFromBundle(context: CommandContext, file: string, flags: ExportFlags): Promise<void> {
  const { io } = context;
  if (flags.registry === undefined) {
    throw usageError(
      "no registry: pass --registry <address> (the one you trust), or --api URL to fetch the signed credential",
    );
  }
  refuseOverwrite(file, flags.output);
  const seed = flagOrEnv(io, undefined, SIGNING_KEY_VARIABLE);
  if ((flags.format === "jwt" || flags.format === "sd-jwt") && seed === undefined) {
    throw usageError(
      `a${flags.format === "jwt" ? " JWT" : "n SD-JWT VC"} is always signed: set ${SIGNING_KEY_VARIABLE} to the issuer's Ed25519 key, or fetch it with --api`,
    );
  }
  let key: IssuerKey | undefined;
  try {
    key = seed === undefined ? undefined : await IssuerKey.fromSeed(seed);
  } catch (error) {
    if (!isCredrootError(error)) throw error;
    throw usageError(`${SIGNING_KEY_VARIABLE}: ${error.message}`);
  }
  const names = hideNames(flags.hide);
  const read = parseBundle(readText(file));
  const bundle = names.length > 0 ? discloseBundle(read, names) : read;
  const issuer = await registryIssuer(io, bundle, { rpc: flags.rpc, registry: flags.registry }, key !== undefined);
  const format = flags.format === "vc" ? "vc" : "ob3";
  if (key === undefined) {
    emit(context, toVerifiableCredential(bundle, issuer, { format }), flags.output, `${WHAT[format]}, UNSIGNED`);
    io.stderr.write(`credroot: note: ${UNSIGNED_NOTICE}\n`);
    return;
  }
  if (flags.format === "sd-jwt") {
    emit(context, await issueSdJwtVc(bundle, issuer, key), flags.output, `${WHAT[flags.format]}, signed by ${key.did}`);
    return;
  }
  const doc = toVerifiableCredential(bundle, issuer, { format, issuerDid: key.did });
  const signed = flags.format === "jwt" ? await signCredentialJwt(doc, key) : await signCredential(doc, key);
  emit(context, signed, flags.output, `${WHAT[flags.format]}, signed by ${key.did}`);
}

export function addExportCommand(program: Command, context: CommandContext): void {
  program
    .command("export")
    .summary("write a credential as a signed Open Badge 3.0, W3C VC 2.0, VC-JOSE JWT or SD-JWT VC (learners)")
    .description(
      "With --api, fetch credential <source> (its id) from the issuer's service, signed there " +
        "(eddsa-rdfc-2022 Data Integrity proof, a JWT, or an SD-JWT VC for EU wallets with every field selectively " +
        "disclosable), check the signature and the claims, and write it. " +
        "Without --api, write bundle file <source> as an Open Badges 3.0 OpenBadgeCredential (--format ob3) or a " +
        "W3C VC 2.0 document (--format vc), its issuer the registry's record (--rpc, --registry): UNSIGNED, saying " +
        `so, unless ${SIGNING_KEY_VARIABLE} holds the issuer's Ed25519 key. Hidden fields stay hidden; the bundle ` +
        "travels as evidence, so `credroot import` gives it back and it verifies against the chain.",
    )
    .argument("<source>", "the bundle file (JSON), or with --api the credential's id")
    .addOption(apiOption())
    .addOption(rpcOption())
    .addOption(
      new Option(
        "--registry <address>",
        "for a bundle file: the registry contract you trust; the bundle must name it",
      ).argParser(address),
    )
    .addOption(
      new Option("--format <format>", "ob3, vc, jwt or sd-jwt").choices(["ob3", "vc", "jwt", "sd-jwt"]).default("ob3"),
    )
    .option("--hide <fields>", "fields to leave out, comma-separated (learner.email,assessment.grade)")
    .option("-o, --output <file>", "write the credential here (default: stdout)")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  credroot export --api https://credentials.example.edu 3q2-7Fw… --hide learner.email -o badge.json\n" +
        "  credroot export --api https://credentials.example.edu 3q2-7Fw… --format jwt -o badge.jwt\n" +
        "  credroot export --api https://credentials.example.edu 3q2-7Fw… --format sd-jwt -o badge.sd-jwt\n" +
        "  credroot export shared.json --rpc https://rpc.example --registry 0x… --format ob3 -o badge.json\n",
    )
    .action(async (source: string, flags: ExportFlags) => {
      if (flags.api === undefined) await exportFromBundle(context, source, flags);
      else await exportFromService(context, source, flags, flags.api);
      context.exit(EXIT.ok);
    });
}
