import type { Command } from "commander";
import { fromVerifiableCredential } from "../src/export";
import { type ConvertFlags, emit, refuseOverwrite } from "./export";
import { type CommandContext, EXIT, readText } from "./io";

export function addImportCommand(program: Command, context: CommandContext): void {
  program
    .command("import")
    .summary("take the bundle back out of an exported credential (anyone)")
    .description(
      "Read a credential written by `credroot export` and write the (version 2) bundle it carries, unchanged. " +
        "Refused when the file repeats a JSON key or any visible claim of the credential differs from what the " +
        "bundle discloses. The issuer's name is not part of the bundle: `credroot verify` on the result reads it " +
        "from the registry, with the verdict.",
    )
    .argument("<credential>", "the exported credential (JSON)")
    .option("-o, --output <file>", "write the bundle here (default: stdout)")
    .addHelpText("after", "\nExample:\n  credroot import badge.json -o bundle.json && credroot verify bundle.json\n")
    .action((file: string, flags: Omit<ConvertFlags, "format">) => {
      refuseOverwrite(file, flags.output);
      emit(context, fromVerifiableCredential(readText(file)), flags.output, "bundle");
      context.exit(EXIT.ok);
    });
}
