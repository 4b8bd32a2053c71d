import { resolve } from "node:path";
import { type Command, Option } from "commander";
import {
  ALWAYS_DISCLOSED,
  type Bundle,
  discloseBundle,
  disclosedCredential,
  isCredrootError,
  parseBundle,
} from "../src";
import { CliError, type CommandContext, EXIT, jsonText, readText, usageError, writeText } from "./io";
import { printable, printableJson } from "./printable";

export interface DiscloseFlags {
  hide: string[];
  output?: string;
}

/** Parser of the repeatable `--hide a,b`: every name of every occurrence. */
function fieldNames(value: string, previous: readonly string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name !== ""),
  ];
}

/** discloseBundle, saying which fields always stay disclosed when one of them is named. */
function disclose(bundle: Bundle, hide: readonly string[]): Bundle {
  try {
    return discloseBundle(bundle, hide);
  } catch (error) {
    if (!isCredrootError(error, "INVALID_ARGUMENT") || !/cannot be hidden/.test(error.message)) throw error;
    throw new CliError(`${error.message} (always disclosed: ${ALWAYS_DISCLOSED.join(", ")})`, EXIT.couldNot);
  }
}

export function addDiscloseCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("disclose")
    .summary("make a copy of a bundle with some fields hidden (learners)")
    .description(
      "Selective disclosure: write a copy of a bundle in which the named fields keep only their salted hash, and " +
        `the shown ones their own salts instead of the bundle's secret. It still verifies. ${ALWAYS_DISCLOSED.join(", ")} ` +
        "cannot be hidden.",
    )
    .argument("<bundle>", "the bundle file (JSON)")
    .addOption(
      new Option("--hide <fields>", "fields to hide, comma-separated dotted names or JSON Pointers; repeatable")
        .argParser(fieldNames)
        .makeOptionMandatory(),
    )
    .option("-o, --output <file>", "write the new bundle here (default: stdout)")
    .addHelpText(
      "after",
      "\nExample:\n  credroot disclose bundle.json --hide learner.email,assessment.grade -o shared.json\n",
    )
    .action((file: string, flags: DiscloseFlags) => {
      if (flags.hide.length === 0) throw usageError("--hide names no field");
      if (flags.output !== undefined && resolve(flags.output) === resolve(file)) {
        throw usageError("-o names the input bundle: write the disclosed copy to another file");
      }
      // parseBundle reads the file strictly: a duplicate key or a version 1 bundle is refused.
      const shared = disclose(parseBundle(readText(file)), flags.hide);
      if (flags.output === undefined) {
        io.stdout.write(printableJson(shared));
      } else {
        writeText(flags.output, jsonText(shared));
        const { hidden } = disclosedCredential(shared);
        io.stderr.write(`${printable(`wrote ${flags.output}; hidden: ${hidden.join(", ")}`)}\n`);
      }
      exit(EXIT.ok);
    });
}
