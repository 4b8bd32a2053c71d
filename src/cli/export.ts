import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { parseBundle } from "..";
import { type ExportFormat, toVerifiableCredential } from "../export";
import { type CommandContext, EXIT, jsonText, readText, usageError, writeText } from "./io";

export interface ConvertFlags {
  format: ExportFormat;
  output?: string;
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

export function addExportCommand(program: Command, context: CommandContext): void {
  program
    .command("export")
    .summary("write a bundle as a W3C Verifiable Credential or an Open Badge 3.0 (learners)")
    .description(
      "Write a bundle as a W3C Verifiable Credentials 2.0 document (--format vc) or an Open Badges 3.0 " +
        "OpenBadgeCredential (--format ob3). Hidden fields stay hidden; the proof (CredrootMerkleAnchor2026) " +
        "carries the whole bundle, so `credroot import` gives it back and it verifies as the bundle does.",
    )
    .argument("<bundle>", "the bundle file (JSON)")
    .addOption(new Option("--format <format>", "vc or ob3").choices(["vc", "ob3"]).default("ob3"))
    .option("-o, --output <file>", "write the credential here (default: stdout)")
    .addHelpText("after", "\nExample:\n  credroot export shared.json --format ob3 -o badge.json\n")
    .action((file: string, flags: ConvertFlags) => {
      refuseOverwrite(file, flags.output);
      const doc = toVerifiableCredential(parseBundle(readText(file)), { format: flags.format });
      emit(context, doc, flags.output, flags.format === "ob3" ? "Open Badges 3.0" : "Verifiable Credential 2.0");
      context.exit(EXIT.ok);
    });
}
