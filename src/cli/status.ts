import type { Command } from "commander";
import { type BatchStatus, serviceClient } from "./api";
import { type CommandContext, EXIT, jsonText } from "./io";
import { apiOption, jsonOption, keyOption } from "./options";

export interface StatusFlags {
  api?: string;
  key?: string;
  json?: boolean;
}

/** The batch as `name  value` lines, leaving out what is not set. */
export function describeBatch(batch: BatchStatus): string {
  const rows: [string, string | null | undefined][] = [
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
  ];
  return rows
    .filter((row): row is [string, string] => typeof row[1] === "string" && row[1] !== "")
    .map(([name, value]) => `${name.padEnd(8)}${value}\n`)
    .join("");
}

export function addStatusCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("status")
    .summary("show where a batch stands: pending, submitted, anchored, final, failed or revoked (institutions)")
    .description(
      "Show a batch as the credroot service records it: its state on the way to the chain, root and transaction.",
    )
    .argument("<batchId>", "the batch id `credroot issue` printed")
    .addOption(apiOption().makeOptionMandatory())
    .addOption(keyOption())
    .addOption(jsonOption())
    .action(async (batchId: string, flags: StatusFlags) => {
      const batch = await serviceClient(io, flags, true).get<BatchStatus>(`/v1/batches/${encodeURIComponent(batchId)}`);
      io.stdout.write(flags.json ? jsonText(batch) : describeBatch(batch));
      exit(EXIT.ok);
    });
}
