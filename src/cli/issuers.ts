import { type Command, Option } from "commander";
import { type IssuerRecord, RegistryClient } from "..";
import { serviceClient } from "./api";
import { connect, rpcUrl } from "./chain";
import { type CliIo, type CommandContext, EXIT, jsonText, mapLimit, table, usageError } from "./io";
import { address, apiOption, chainIdOption, jsonOption, rpcOption } from "./options";

export interface IssuersFlags {
  api?: string;
  rpc?: string;
  chainId?: number;
  registry?: string;
  json?: boolean;
}

const PAGE = 100;
const READS_AT_ONCE = 8;

async function fromService(io: CliIo, flags: IssuersFlags): Promise<IssuerRecord[]> {
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

async function fromChain(io: CliIo, flags: IssuersFlags): Promise<IssuerRecord[]> {
  if (flags.registry === undefined) throw usageError("--rpc needs --registry 0x… (the registry contract)");
  const provider = await connect(rpcUrl(io, flags.rpc), flags.chainId);
  try {
    const registry = new RegistryClient(flags.registry, provider);
    const count = await registry.issuerCount();
    const ids = Array.from({ length: count }, (_, i) => i + 1);
    return await mapLimit(ids, READS_AT_ONCE, (id) => registry.getIssuer(id));
  } finally {
    provider.destroy();
  }
}

/** `active`, `inactive`, and when accreditation was withdrawn. */
function standing(issuer: IssuerRecord): string {
  const state = issuer.active ? "active" : "inactive";
  if (issuer.accreditedUntil === null) return state;
  return `${state}, accreditation withdrawn from ${new Date(issuer.accreditedUntil * 1000).toISOString()}`;
}

export function issuersTable(issuers: readonly IssuerRecord[]): string {
  if (issuers.length === 0) return "no issuers are registered\n";
  return table([["ID", "NAME", "URI", "STATUS"], ...issuers.map((i) => [String(i.id), i.name, i.uri, standing(i)])]);
}

export function addIssuersCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("issuers")
    .summary("list the issuers registered in the registry (anyone)")
    .description("List the registry's issuers as the chain records them: through a credroot service or from the chain.")
    .addOption(apiOption().conflicts(["rpc", "registry"]))
    .addOption(rpcOption())
    .addOption(chainIdOption("asked of the endpoint"))
    .addOption(new Option("--registry <address>", "the registry contract (with --rpc)").argParser(address))
    .addOption(jsonOption())
    .action(async (flags: IssuersFlags) => {
      if (flags.api === undefined && flags.rpc === undefined && io.env.CREDROOT_RPC_URL === undefined) {
        throw usageError("say where to look: --api URL, or --rpc URL --registry 0x…");
      }
      const issuers = flags.api === undefined ? await fromChain(io, flags) : await fromService(io, flags);
      io.stdout.write(flags.json ? jsonText(issuers) : issuersTable(issuers));
      exit(EXIT.ok);
    });
}
