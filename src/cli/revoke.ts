import { type Command, Option } from "commander";
import { ApiError, type BatchStatus, type ServiceClient, serviceClient } from "./api";
import { CliError, type CliIo, type CommandContext, EXIT, usageError } from "./io";
import { apiOption, keyOption, seconds } from "./options";
import { progressBar } from "./progress";

export interface RevokeFlags {
  api?: string;
  key?: string;
  batch?: string;
  credential?: string;
  reason: string;
  wait: boolean;
  timeout: number;
}

const POLL_MS = 500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `done` until it holds or the timeout passes, with a bar showing the time spent. */
async function waitUntil(io: CliIo, what: string, timeoutMs: number, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const bar = progressBar(io, 1, "revoking {bar} {duration_formatted}");
  try {
    while (!(await done())) {
      if (Date.now() > deadline) {
        throw new CliError(`${what} is queued but not on chain after ${timeoutMs / 1000} s`, EXIT.couldNot);
      }
      await sleep(POLL_MS);
    }
    bar.update(1);
  } finally {
    bar.stop();
  }
}

/** True once the service's own chain check (`POST /v1/verify`) says the bundle is revoked. */
async function bundleRevoked(client: ServiceClient, bundle: unknown): Promise<boolean> {
  try {
    return (await client.post<{ verdict: string }>("/v1/verify", bundle)).verdict === "revoked";
  } catch (error) {
    if (error instanceof ApiError && error.status === 503) return false; // the chain is briefly unreachable
    throw error;
  }
}

export function addRevokeCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("revoke")
    .summary("revoke a batch or one credential on chain (institutions)")
    .description(
      "Revoke a whole batch or one credential through the credroot service, then wait until the revocation is on chain.",
    )
    .addOption(apiOption().makeOptionMandatory())
    .addOption(keyOption())
    .addOption(new Option("--batch <id>", "revoke every credential of this batch").conflicts("credential"))
    .addOption(new Option("--credential <id>", "revoke this one credential"))
    .requiredOption("--reason <text>", "why (recorded on chain: never personal data)")
    .option("--no-wait", "return once the revocation is queued, without waiting for the chain")
    .addOption(
      new Option("--timeout <seconds>", "how long to wait for the chain").argParser(seconds).default(600_000, "600"),
    )
    .addHelpText(
      "after",
      '\nExample:\n  credroot revoke --api https://credentials.example.edu --key $KEY --credential 7Hq… --reason "issued in error"\n',
    )
    .action(async (flags: RevokeFlags) => {
      const client = serviceClient(io, flags, true);
      if (flags.batch === undefined && flags.credential === undefined) {
        throw usageError("say what to revoke: --batch ID or --credential ID");
      }
      if (flags.reason.trim() === "") throw usageError("--reason must say why");
      const [kind, id] = flags.batch !== undefined ? ["batch", flags.batch] : ["credential", flags.credential!];
      const path = `/v1/${kind === "batch" ? "batches" : "credentials"}/${encodeURIComponent(id)}`;
      // The bundle is fetched first: after revocation it is how the chain is asked about this credential.
      const bundle = kind === "credential" && flags.wait ? await client.get<unknown>(`${path}/bundle`) : null;
      await client.post(`${path}/revoke`, { reason: flags.reason });
      if (!flags.wait) {
        io.stdout.write(`revocation of ${kind} ${id} queued\n`);
        exit(EXIT.ok);
        return;
      }
      io.stderr.write(`revocation of ${kind} ${id} queued; waiting for the chain…\n`);
      await waitUntil(io, `the revocation of ${kind} ${id}`, flags.timeout, async () =>
        bundle === null
          ? (await client.get<BatchStatus>(path)).status === "revoked"
          : await bundleRevoked(client, bundle),
      );
      io.stdout.write(`revoked ${kind} ${id} on chain\n`);
      exit(EXIT.ok);
    });
}
