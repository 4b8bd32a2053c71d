import { resolve } from "node:path";
import type { Command } from "commander";
import { isCredrootError, parseBundle } from "../src";
import { createPresentation, learnerWarnings } from "../src/presentation";
import { CliError, type CommandContext, EXIT, jsonText, readText, usageError, writeText } from "./io";
import { printable, printableJson } from "./printable";

export interface PresentFlags {
  output?: string;
}

/** The presentation of the bundle files, in the order given; a bad file is named in the error. */
export function presentFiles(files: readonly string[]): ReturnType<typeof createPresentation> {
  const bundles = files.map((file) => {
    try {
      return parseBundle(readText(file)); // strictly: duplicate keys and version 1 bundles are refused
    } catch (error) {
      if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
      throw new CliError(`${file} is not a bundle: ${error.message}`, EXIT.couldNot);
    }
  });
  return createPresentation(bundles);
}

export function addPresentCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("present")
    .summary("put several bundles into one presentation file (learners)")
    .description(
      "Put proof bundles (disclosed copies or not) into one presentation, which an employer verifies with one " +
        "call per registry and which shows whether the credentials a credential builds on are there.",
    )
    .argument("<bundle...>", "bundle files (JSON), at most 100")
    .option("-o, --output <file>", "write the presentation here (default: stdout)")
    .addHelpText("after", "\nExample:\n  credroot present degree.json course.json -o presentation.json\n")
    .action((files: string[], flags: PresentFlags) => {
      if (flags.output !== undefined && files.some((file) => resolve(file) === resolve(flags.output!))) {
        throw usageError("-o names an input bundle: write the presentation to another file");
      }
      const presentation = presentFiles(files);
      // Not verified here: what the bundles disclose, for the learner to notice before sending it.
      for (const w of learnerWarnings(presentation.bundles.map((b, index) => ({ index, credential: b.credential }))))
        io.stderr.write(`${printable(`warning: ${w.message}`)}\n`);
      if (flags.output === undefined) {
        io.stdout.write(printableJson(presentation));
      } else {
        writeText(flags.output, jsonText(presentation));
        io.stderr.write(`wrote ${flags.output} (${presentation.bundles.length} bundles)\n`);
      }
      exit(EXIT.ok);
    });
}
