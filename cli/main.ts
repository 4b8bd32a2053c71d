/**
 * `credroot`, the command line: builds the commander program and turns every failure into one
 * line on stderr and an exit status. Node-only; the library (src/) never imports it (.dependency-cruiser.cjs).
 */
import { Command, CommanderError } from "commander";
import { type ErrorCode, initHasher, isCredrootError } from "../src";
import { version } from "../package.json";
import { addAccreditorCommand } from "./accreditor";
import { ApiError } from "./api";
import { addCertificateCommand } from "./certificate";
import { addDiscloseCommand } from "./disclose";
import { addExportCommand } from "./export";
import { addImportCommand } from "./import";
import { CliError, type CliIo, type CommandContext, EXIT, type ExitCode } from "./io";
import { addIssueCommand } from "./issue";
import { addIssuersCommand } from "./issuers";
import { addPresentCommand } from "./present";
import { printable } from "./printable";
import { addRevokeCommand } from "./revoke";
import { addStatusCommand } from "./status";
import { addVerifyCommand } from "./verify";

/** The exit status of each library error code: bad data or a refusal is 1, anything unanswered 2. */
const EXIT_OF: Record<ErrorCode, ExitCode> = {
  INVALID_CREDENTIAL: EXIT.refused,
  DUPLICATE_LEAF: EXIT.refused,
  CONTRACT_REVERT: EXIT.refused,
  INVALID_BUNDLE: EXIT.couldNot,
  INVALID_ARGUMENT: EXIT.couldNot,
  NOT_A_CREDENTIAL: EXIT.couldNot,
  CHAIN_UNAVAILABLE: EXIT.couldNot,
  INVARIANT: EXIT.bug,
};

const EPILOGUE = `
Environment:
  CREDROOT_RPC_URL      JSON-RPC endpoint, when --rpc is not given
  CREDROOT_API_KEY      issuer API key, when --key is not given
  CREDROOT_PRIVATE_KEY  issuer signer key for \`issue --rpc\` (never taken as a flag)
  ACCREDITOR_PRIVATE_KEY  accreditor key for \`accreditor … --rpc\` (never taken as a flag)

Exit status: 0 done; 1 the answer is no (a bundle is not valid, a row is invalid, the registry or the
service refused); 2 it could not be done (bad usage, unreadable file, chain or service unreachable).
Run \`credroot <command> --help\` for the options of a command.
`;

/** The program, writing to `context.io`; commands report their status through `context.exit`. */
export function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const program = new Command("credroot")
    .description("Issue, disclose and verify blockchain-anchored micro-credentials.")
    .version(version, "-V, --version")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
      // A usage error is one line like every other failure: "credroot: missing required argument 'file' (see --help)".
      outputError: (text, write) => write(`credroot: ${oneLine(text.replace(/^error: /, ""))} (see --help)\n`),
    })
    .addHelpText("after", EPILOGUE);
  // In the order of a credential's life: institutions, then learners, then employers.
  addIssueCommand(program, context);
  addStatusCommand(program, context);
  addRevokeCommand(program, context);
  addDiscloseCommand(program, context);
  addPresentCommand(program, context);
  addCertificateCommand(program, context);
  addExportCommand(program, context);
  addImportCommand(program, context);
  addVerifyCommand(program, context);
  addIssuersCommand(program, context);
  addAccreditorCommand(program, context);
  return program;
}

/** One printable line: a message may quote a bundle, a service or the chain. */
const oneLine = (text: string) => printable(text.replace(/\s*\n\s*/g, " ")).trim();

/** Writes the failure as one line (plus listed details) on stderr and gives its exit status. */
export function report(io: CliIo, error: unknown): ExitCode {
  // Commander has already printed its own message (usage errors) or the help.
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.couldNot;
  let status: ExitCode;
  let details: readonly string[] = [];
  let message: string;
  if (error instanceof CliError) {
    [status, message, details] = [error.exitCode, error.message, error.details];
  } else if (isCredrootError(error)) {
    status = EXIT_OF[error.code];
    message = error.message;
    details = error.code === "INVALID_CREDENTIAL" ? error.details.map((d) => `${d.path} ${d.message}`) : [];
  } else if (error instanceof ApiError) {
    const refused = error.status >= 400 && error.status < 500 && error.status !== 408 && error.status !== 429;
    status = refused ? EXIT.refused : EXIT.couldNot;
    message = `the service answered ${error.status} ${error.code}: ${error.message}`;
    details = error.details.map((d) => (d.path === undefined ? d.message : `${d.path}: ${d.message}`));
  } else {
    status = EXIT.bug;
    message = `internal error: ${error instanceof Error ? error.message : String(error)}`;
    if (io.env.CREDROOT_DEBUG && error instanceof Error) details = (error.stack ?? "").split("\n");
  }
  io.stderr.write(`credroot: ${oneLine(message)}\n`);
  for (const line of details) io.stderr.write(`  ${oneLine(line)}\n`);
  return status;
}

/**
 * Runs the CLI on `argv` (the arguments after `credroot`) and resolves to its exit status;
 * never calls `process.exit`, so tests run commands in-process with recording writers.
 * @example
 * const status = await run(["verify", "bundle.json", "--registry", address], { stdout, stderr, env: {} });
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<ExitCode> {
  let status: ExitCode = EXIT.ok;
  const program = buildProgram({ io, exit: (code) => (status = code) });
  try {
    await initHasher();
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (error) {
    return report(io, error);
  }
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Entry of `bin/credroot.cjs` and `npm run credroot`. */
export function main(): void {
  // `npm run credroot -- …` runs in the package's folder; file names mean the caller's folder.
  const caller = process.env.INIT_CWD;
  if (process.env.npm_lifecycle_event === "credroot" && caller !== undefined && caller !== "") process.chdir(caller);
  void run(process.argv.slice(2)).then((status) => {
    process.exitCode = status;
  });
}

if (require.main === module) main();
