/**
 * `credroot accreditor <command>`: every accreditor operation of the registry, each either sent
 * with the key in `ACCREDITOR_PRIVATE_KEY` (--rpc, --registry) or written into a Safe Transaction
 * Builder batch (--safe FILE --chain-id N), for the multisig that holds the role.
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { type CliIo, type CommandContext, EXIT, usageError } from "../io";
import { address, chainIdOption, jsonOption, rpcOption } from "../options";
import { printable, printableJson } from "../printable";
import { type Operation, OPERATIONS, type OperationFlags } from "./operations";
import { type SafeBatchFile, writeSafeBatch } from "./safe";
import { sendOperation, type SendResult } from "./send";

interface TargetFlags {
  rpc?: string;
  chainId?: number;
  registry?: string;
  safe?: string;
  safeAddress?: string;
  append?: boolean;
  json?: boolean;
}

const EPILOGUE = `
Each command either sends its transaction (--rpc URL --registry 0x…, the key in $ACCREDITOR_PRIVATE_KEY,
never a flag), or writes it into a Safe Transaction Builder batch file (--safe FILE --chain-id N
[--safe-address 0x…]; --append adds to an existing batch), to be imported and signed in Safe{Wallet}.
`;

function sentText(result: SendResult): string {
  const lines = [
    `${printable(result.call.summary)}: done`,
    `  tx     ${result.txHash}`,
    `  block  ${result.blockNumber}`,
    `  from   ${result.from}`,
    ...result.events.map((event) => {
      const args = Object.entries(event.args).map(([name, value]) => `${name}=${value}`);
      return `  event  ${printable(`${event.name}(${args.join(", ")})`)}`;
    }),
  ];
  return `${lines.join("\n")}\n`;
}

function safeText(file: string, batch: SafeBatchFile, append: boolean): string {
  const count = batch.transactions.length;
  const verb = append && count > 1 ? "appended to" : "written to";
  return (
    `${printable(batch.meta.description.split("\n").at(-1) ?? "")}: ${verb} ${file} ` +
    `(${count} transaction${count === 1 ? "" : "s"} for chain ${batch.chainId}; import it in the Safe Transaction Builder)\n`
  );
}

async function runOperation(io: CliIo, operation: Operation, flags: OperationFlags & TargetFlags): Promise<string> {
  if (flags.registry === undefined) throw usageError("--registry 0x… is required (the registry contract)");
  if (flags.safe !== undefined) {
    if (flags.chainId === undefined) throw usageError("--safe needs --chain-id N (the chain the Safe is on)");
    const target = {
      file: flags.safe,
      chainId: flags.chainId,
      registry: flags.registry,
      append: flags.append === true,
      ...(flags.safeAddress === undefined ? {} : { safeAddress: flags.safeAddress }),
    };
    if (!target.append && existsSync(flags.safe)) {
      throw usageError(`${flags.safe} already exists: pass --append to add to its batch, or choose another file`);
    }
    const batch = writeSafeBatch(target, operation.call(flags, Math.floor(Date.now() / 1000)));
    return flags.json ? printableJson(batch) : safeText(flags.safe, batch, target.append);
  }
  if (flags.safeAddress !== undefined || flags.append)
    throw usageError("--safe-address and --append go with --safe FILE");
  if (flags.rpc === undefined && io.env.CREDROOT_RPC_URL === undefined) {
    throw usageError("say how: --rpc URL to send it, or --safe FILE --chain-id N to write a Safe batch");
  }
  const target = {
    registry: flags.registry,
    ...(flags.rpc === undefined ? {} : { rpc: flags.rpc }),
    ...(flags.chainId === undefined ? {} : { chainId: flags.chainId }),
  };
  const result = await sendOperation(io, target, operation, flags);
  return flags.json ? printableJson(result) : sentText(result);
}

/** Registers `credroot accreditor` and its commands on `program`. */
export function addAccreditorCommand(program: Command, { io, exit }: CommandContext): void {
  const group = program
    .command("accreditor")
    .summary("register, update, deactivate and withdraw issuers (the accreditation body)")
    .description(
      "The accreditation body's operations on the registry, sent with $ACCREDITOR_PRIVATE_KEY or written as a " +
        "Safe Transaction Builder batch for the multisig that holds the accreditor role.",
    )
    .addHelpText("after", EPILOGUE);
  for (const operation of OPERATIONS) {
    const command = group.command(operation.command).summary(operation.summary).description(operation.summary);
    for (const option of operation.options()) command.addOption(option);
    command
      .addOption(new Option("--registry <address>", "the registry contract").argParser(address))
      .addOption(rpcOption().conflicts("safe"))
      .addOption(chainIdOption())
      .addOption(new Option("--safe <file>", "write a Safe Transaction Builder batch file instead of sending"))
      .addOption(new Option("--safe-address <address>", "with --safe: the Safe that will send it").argParser(address))
      .addOption(new Option("--append", "with --safe: add to the batch already in FILE"))
      .addOption(jsonOption())
      .addHelpText("after", EPILOGUE)
      .action(async (flags: OperationFlags & TargetFlags) => {
        io.stdout.write(await runOperation(io, operation, flags));
        exit(EXIT.ok);
      });
  }
}
