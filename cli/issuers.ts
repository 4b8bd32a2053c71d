import { type Command, Option } from "commander";
import { type IssuerRecord, RegistryClient } from "../src";
import { serviceClient } from "./api";
import { connect, rpcUrl } from "./chain";
import { type CliIo, type CommandContext, EXIT, mapLimit, table, usageError } from "./io";
import { address, apiOption, chainIdOption, jsonOption, rpcOption } from "./options";
import { printable, printableJson } from "./printable";

export interface IssuersFlags {
  api?: string;
  rpc?: string;
  chainId?: number;
  registry?: string;
  signers?: boolean;
  signer?: string;
  json?: boolean;
}

/** An issuer, with its active signers when they were asked for (`--signers`). */
export type ListedIssuer = IssuerRecord & { signers?: string[] };

/** What the registry says of one address (`--signer`): the issuer it serves or served. */
export interface SignerStanding {
  address: string;
  /** 0 when the address never signed for an issuer. */
  issuerId: number;
  /** False once removed: an address that served one issuer never serves another. */
  active: boolean;
  issuer: IssuerRecord | null;
}

const PAGE = 100;
const READS_AT_ONCE = 8;

async function fromService(io: CliIo, flags: IssuersFlags): Promise<ListedIssuer[]> {
  const client = serviceClient(io, flags, false);
  const issuers: IssuerRecord[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.get<{ total: number; issuers: IssuerRecord[] }>(
      `/v1/issuers?offset=${offset}&limit=${PAGE}`,
    );
    issuers.push(...page.issuers);
    if (page.issuers.length === 0 || issuers.length >= page.total) return issuers;
  }
}

/** Runs `read` on a registry client over the endpoint's chain (which must be --chain-id when given). */
async function onChain<T>(io: CliIo, flags: IssuersFlags, read: (registry: RegistryClient) => Promise<T>): Promise<T> {
  if (flags.registry === undefined) throw usageError("--rpc needs --registry 0x… (the registry contract)");
  const { provider } = await connect(rpcUrl(io, flags.rpc), flags.chainId);
  try {
    return await read(new RegistryClient(flags.registry, provider));
  } finally {
    provider.destroy();
  }
}

async function listIssuers(registry: RegistryClient, withSigners: boolean): Promise<ListedIssuer[]> {
  const count = await registry.issuerCount();
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  return mapLimit(ids, READS_AT_ONCE, async (id) => {
    const issuer: ListedIssuer = await registry.getIssuer(id);
    if (withSigners) issuer.signers = await registry.getSigners(id);
    return issuer;
  });
}

async function standingOf(registry: RegistryClient, account: string): Promise<SignerStanding> {
  const { issuerId, active } = await registry.signerRecord(account);
  const issuer = issuerId === 0 ? null : await registry.getIssuer(issuerId);
  return { address: account, issuerId, active, issuer };
}

/** `active`, `inactive`, and when accreditation was withdrawn. */
function standing(issuer: IssuerRecord): string {
  const state = issuer.active ? "active" : "inactive";
  if (issuer.accreditedUntil === null) return state;
  return `${state}, accreditation withdrawn from ${new Date(issuer.accreditedUntil * 1000).toISOString()}`;
}

/** The issuers as a table (names and URIs made printable); a SIGNERS column when they were read. */
export function issuersTable(issuers: readonly ListedIssuer[]): string {
  if (issuers.length === 0) return "no issuers are registered\n";
  const withSigners = issuers.some((i) => i.signers !== undefined);
  const header = ["ID", "NAME", "URI", "STATUS", ...(withSigners ? ["SIGNERS"] : [])];
  const rows = issuers.map((i) => [
    String(i.id),
    printable(i.name),
    printable(i.uri),
    standing(i),
    ...(withSigners ? [(i.signers ?? []).join(" ") || "none"] : []),
  ]);
  return table([header, ...rows]);
}

/** One line on what the registry says of an address. */
export function describeStanding({ address: account, issuerId, active, issuer }: SignerStanding): string {
  if (issuerId === 0) return `${account} has never been a signer in this registry\n`;
  const who = `issuer ${issuerId}${issuer ? ` (${printable(issuer.name)})` : ""}`;
  return active
    ? `${account} signs for ${who}\n`
    : `${account} was a signer of ${who} and was removed: it can never sign for any issuer again\n`;
}

export function addIssuersCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("issuers")
    .summary("list the issuers registered in the registry (anyone)")
    .description(
      "List the registry's issuers as the chain records them: through a credroot service or from the chain. " +
        "With --rpc, --signers lists each issuer's active signers and --signer tells whom one address signs for.",
    )
    .addOption(apiOption().conflicts(["rpc", "registry", "signers", "signer"]))
    .addOption(rpcOption())
    .addOption(chainIdOption())
    .addOption(new Option("--registry <address>", "the registry contract (with --rpc)").argParser(address))
    .option("--signers", "with --rpc: list each issuer's active signers")
    .addOption(
      new Option("--signer <address>", "with --rpc: say which issuer this address signs (or signed) for")
        .argParser(address)
        .conflicts("signers"),
    )
    .addOption(jsonOption())
    .action(async (flags: IssuersFlags) => {
      if (flags.api === undefined && flags.rpc === undefined && io.env.CREDROOT_RPC_URL === undefined) {
        throw usageError("say where to look: --api URL, or --rpc URL --registry 0x…");
      }
      if (flags.signer !== undefined) {
        const account = flags.signer;
        const found = await onChain(io, flags, (registry) => standingOf(registry, account));
        io.stdout.write(flags.json ? printableJson(found) : describeStanding(found));
      } else {
        const issuers =
          flags.api === undefined
            ? await onChain(io, flags, (registry) => listIssuers(registry, flags.signers === true))
            : await fromService(io, flags);
        io.stdout.write(flags.json ? printableJson(issuers) : issuersTable(issuers));
      }
      exit(EXIT.ok);
    });
}
