import { type Command, Option } from "commander";
import { assertEmptyFolder, type CliIo, type CommandContext, EXIT, formatDuration, usageError } from "./io";
import { issueThroughService } from "./issue-api";
import { type IssueFlags, type IssueSummary, readIssueInput } from "./issue-input";
import { issueOnChain } from "./issue-rpc";
import { printable } from "./printable";
import { address, apiOption, chainIdOption, keyOption, rpcOption, seconds } from "./options";

function printSummary(io: CliIo, summary: IssueSummary, folder: string, ms: number): void {
  const rows: [string, string | undefined][] = [
    ["batch", summary.batchId],
    ["issuer", summary.issuerId === undefined ? undefined : String(summary.issuerId)],
    ["root", summary.root],
    ["tx", `${summary.txHash} (block ${summary.blockNumber})`],
    ["status", summary.status],
    ["bundles", `${folder} (${summary.count} files)`],
    ["ids", summary.index && `${summary.index} (credential id and share link of each bundle)`],
    ["time", formatDuration(ms)],
  ];
  io.stdout.write(`issued ${summary.count} credential${summary.count === 1 ? "" : "s"}\n`);
  // Through a service, the batch id, root and status are what the service says: printed as text only.
  for (const [name, value] of rows)
    if (value !== undefined) io.stdout.write(`  ${name.padEnd(8)}${printable(value)}\n`);
}

export function addIssueCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("issue")
    .summary("issue a batch of credentials from a CSV or JSON file (institutions)")
    .description(
      "Issue a batch: through a credroot service (--api, --key), or straight to the registry (--rpc, --registry, " +
        "the signer's key in $CREDROOT_PRIVATE_KEY). Every row is validated first: one invalid row and nothing is " +
        "anchored. Every credential is bound to the chain, the registry, the signer's issuer and a new batch id; then " +
        "one bundle file per credential is written to --out.",
    )
    .argument(
      "<file>",
      "the credentials: a .csv with a header of field names, or a .json array (or an object with credentials and uri)",
    )
    .addOption(apiOption().conflicts(["rpc", "registry"]))
    .addOption(keyOption())
    .addOption(rpcOption())
    .addOption(chainIdOption())
    .addOption(new Option("--registry <address>", "the registry contract (with --rpc)").argParser(address))
    .option("-o, --out <folder>", "folder for the bundles; must be new or empty", "bundles")
    .addOption(
      new Option("--until <state>", "with --api: wait until the batch is anchored or final")
        .choices(["anchored", "final"])
        .default("final"),
    )
    .addOption(
      new Option("--timeout <seconds>", "with --api: how long to wait for the batch")
        .argParser(seconds)
        .default(1_800_000, "1800"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  credroot issue grads.csv --api https://credentials.example.edu --key $KEY --out bundles/2026-06\n" +
        "  CREDROOT_PRIVATE_KEY=0x… credroot issue grads.csv --rpc https://rpc.example --registry 0xRegistry\n" +
        "\nExit status: 0 issued; 1 invalid rows (each listed, nothing anchored) or refused; 2 could not reach the\n" +
        "service or chain, or an unreadable file.\n",
    )
    .action(async (file: string, flags: IssueFlags) => {
      if (flags.api === undefined && flags.rpc === undefined && io.env.CREDROOT_RPC_URL === undefined) {
        throw usageError("say where to issue: --api URL --key KEY, or --rpc URL --registry 0x…");
      }
      const started = performance.now();
      const input = readIssueInput(file);
      assertEmptyFolder(flags.out);
      const summary =
        flags.api === undefined
          ? await issueOnChain(io, input, flags)
          : await issueThroughService(io, input, { ...flags, api: flags.api });
      printSummary(io, summary, flags.out, performance.now() - started);
      exit(EXIT.ok);
    });
}
