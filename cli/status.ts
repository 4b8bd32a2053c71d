import { type Command, Option } from "commander";
import { isBatchId, isHex32, RegistryClient } from "../src";
import { type BatchStatus, serviceClient } from "./api";
import { connect, rpcUrl } from "./chain";
import { type CliIo, type CommandContext, EXIT, usageError } from "./io";
import { address, apiOption, chainIdOption, jsonOption, keyOption, positiveInteger, rpcOption } from "./options";
import { printable, printableJson } from "./printable";

export interface StatusFlags {
  api?: string;
  key?: string;
  rpc?: string;
  chainId?: number;
  registry?: string;
  issuer?: number;
  root?: string;
  json?: boolean;
}

/** What the registry records of one batch of one issuer (`getBatch`). */
export interface ChainBatch {
  id: string;
  issuerId: number;
  issuerName: string | null;
  status: "not-anchored" | "anchored" | "revoked";
  root: string;
  /** Seconds since the epoch, null when not anchored / not revoked. */
  anchoredAt: number | null;
  revokedAt: number | null;
}

const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

function rowsText(rows: readonly [string, string | null | undefined][]): string {
  return rows
    .filter((row): row is [string, string] => typeof row[1] === "string" && row[1] !== "")
    .map(([name, value]) => `${name.padEnd(9)}${printable(value)}\n`)
    .join("");
}

/** The batch as `name  value` lines, leaving out what is not set; every value made printable. */
export function describeBatch(batch: BatchStatus): string {
  return rowsText([
    ["batch", batch.id],
    ["status", batch.status],
    ["issuer", String(batch.issuerId)],
    ["count", String(batch.count)],
    ["root", batch.root],
    ["tx", batch.txHash === null ? null : `${batch.txHash} (block ${batch.blockNumber ?? "?"})`],
    ["error", batch.error],
    ["revoked", batch.revokedReason],
    ["created", batch.createdAt],
    ["updated", batch.updatedAt],
  ]);
}

/** The chain's record of a batch as `name  value` lines. */
export function describeChainBatch(batch: ChainBatch): string {
  return rowsText([
    ["batch", batch.id],
    ["status", batch.status],
    ["issuer", `${batch.issuerId}${batch.issuerName === null ? "" : ` (${batch.issuerName})`}`],
    ["root", batch.root],
    ["anchored", iso(batch.anchoredAt)],
    ["revoked", iso(batch.revokedAt)],
  ]);
}

async function fromChain(io: CliIo, batchId: string, flags: StatusFlags): Promise<ChainBatch> {
  if (flags.registry === undefined || flags.issuer === undefined || flags.root === undefined) {
    throw usageError("--rpc needs --registry 0x…, --issuer ID and --root 0x… (as `credroot issue` printed them)");
  }
  if (!isBatchId(batchId)) throw usageError(`${String(batchId)} is not a batch id (a lowercase UUID)`);
  const root = flags.root.toLowerCase();
  if (!isHex32(root)) throw usageError("--root must be 0x and 64 hex digits");
  const issuerId = flags.issuer;
  const { provider } = await connect(rpcUrl(io, flags.rpc), flags.chainId);
  try {
    const registry = new RegistryClient(flags.registry, provider);
    const record = await registry.getBatch(issuerId, batchId, root);
    const issuer = issuerId <= (await registry.issuerCount()) ? await registry.getIssuer(issuerId) : null;
    const anchored = record.anchoredAt > 0;
    // A batch revocation holds for the batch id whatever root it is anchored with.
    const revoked = record.revokedAt > 0;
    return {
      id: batchId,
      issuerId,
      issuerName: issuer?.name ?? null,
      status: revoked ? "revoked" : anchored ? "anchored" : "not-anchored",
      root,
      anchoredAt: anchored ? record.anchoredAt : null,
      revokedAt: revoked ? record.revokedAt : null,
    };
  } finally {
    provider.destroy();
  }
}

export function addStatusCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("status")
    .summary("show where a batch stands: pending, submitted, anchored, final, failed or revoked (institutions)")
    .description(
      "Show a batch as the credroot service records it (--api): its state on the way to the chain, root and " +
        "transaction; or as the registry records it (--rpc, --registry, --issuer, --root): anchored or revoked, and when.",
    )
    .argument("<batchId>", "the batch id `credroot issue` printed")
    .addOption(apiOption().conflicts(["rpc", "registry", "issuer", "root"]))
    .addOption(keyOption())
    .addOption(rpcOption())
    .addOption(chainIdOption())
    .addOption(new Option("--registry <address>", "the registry contract (with --rpc)").argParser(address))
    .addOption(new Option("--issuer <id>", "the batch's issuer (with --rpc)").argParser(positiveInteger))
    .option("--root <hex>", "the batch's Merkle root (with --rpc)")
    .addOption(jsonOption())
    .action(async (batchId: string, flags: StatusFlags) => {
      if (flags.api === undefined && flags.rpc === undefined && io.env.CREDROOT_RPC_URL === undefined) {
        throw usageError("say where to look: --api URL --key KEY, or --rpc URL --registry 0x… --issuer ID --root 0x…");
      }
      if (flags.api === undefined) {
        const batch = await fromChain(io, batchId, flags);
        io.stdout.write(flags.json ? printableJson(batch) : describeChainBatch(batch));
      } else {
        const client = serviceClient(io, flags, true);
        const batch = await client.get<BatchStatus>(`/v1/batches/${encodeURIComponent(batchId)}`);
        io.stdout.write(flags.json ? printableJson(batch) : describeBatch(batch));
      }
      exit(EXIT.ok);
    });
}
