import { CommanderError } from "commander";
import { isError } from "ethers";
import { DeploymentError } from "../deployment-error";
import { scrubSecrets } from "../rpc";

/** What a deployment script may touch, injectable so tests can run it in-process. */
export interface ScriptIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: Readonly<Record<string, string | undefined>>;
}

/** The process's own stdout, stderr and environment. */
export const processIo: ScriptIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/**
 * Writes `error` as one line, `<name>: <message>`, with the RPC URL and the private key scrubbed
 * from it, and returns the exit status: 0 for --help, 2 for usage and environment problems, 1 for
 * a refusal or a failed check (or an error the node answered with), 70 for anything else (a bug).
 */
export function reportFailure(name: string, error: unknown, io: ScriptIo): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2; // commander printed it
  const secrets = { rpcUrl: io.env.RPC_URL, privateKey: io.env.DEPLOYER_PRIVATE_KEY };
  const message = error instanceof Error ? error.message : String(error);
  io.err(`${name}: ${scrubSecrets(message.split("\n")[0] ?? "", secrets)}`);
  if (error instanceof DeploymentError) return error.exitCode;
  if (isError(error, "NETWORK_ERROR") || isError(error, "TIMEOUT") || isError(error, "SERVER_ERROR")) return 2;
  return typeof (error as { shortMessage?: unknown } | null)?.shortMessage === "string" ? 1 : 70;
}

/** Runs `main` as the process's entry point, with its exit status. */
export function runAsScript(main: (argv: readonly string[], io: ScriptIo) => Promise<number>): void {
  main(process.argv.slice(2), processIo).then(
    (status) => (process.exitCode = status),
    (error: unknown) => {
      process.exitCode = reportFailure("unexpected", error, processIo);
    },
  );
}
