import { type Command, Option } from "commander";
import { ApiError, type BatchStatus, type ServiceClient, serviceClient } from "./api";
import type { Hex32 } from "../src";
import { sleep } from "../src/timeout";
import { CliError, type CliIo, type CommandContext, EXIT, usageError } from "./io";
import { address, apiOption, chainIdOption, keyOption, rpcOption, seconds } from "./options";
import { type ChainRevocation, revokeOnChain } from "./revoke-rpc";
import { progressBar } from "./progress";

export interface RevokeFlags {
  api?: string;
  key?: string;
  rpc?: string;
  chainId?: number;
  registry?: string;
  batch?: string;
  credential?: string;
  bundle?: string;
  digest?: string;
  reason: string;
  wait: boolean;
  timeout: number;
}

const POLL_MS = 500;

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

async function revokeThroughService(io: CliIo, flags: RevokeFlags): Promise<string> {
  const client = serviceClient(io, flags, true);
  if (flags.bundle !== undefined || flags.digest !== undefined) {
    throw usageError("--bundle and --digest revoke straight on the registry: pass --rpc and --registry, not --api");
  }
  const [kind, id] = flags.batch !== undefined ? ["batch", flags.batch] : ["credential", flags.credential!];
  const path = `/v1/${kind === "batch" ? "batches" : "credentials"}/${encodeURIComponent(id)}`;
  // The bundle is fetched first: after revocation it is how the chain is asked about this credential.
  const bundle = kind === "credential" && flags.wait ? await client.get<unknown>(`${path}/bundle`) : null;
  await client.post(`${path}/revoke`, { reason: flags.reason });
  if (!flags.wait) return `revocation of ${kind} ${id} queued\n`;
  io.stderr.write(`revocation of ${kind} ${id} queued; waiting for the chain…\n`);
  await waitUntil(io, `the revocation of ${kind} ${id}`, flags.timeout, async () =>
    bundle === null ? (await client.get<BatchStatus>(path)).status === "revoked" : await bundleRevoked(client, bundle),
  );
  return `revoked ${kind} ${id} on chain\n`;
}

/** What `--batch`, `--bundle` or `--digest` name, for a revocation straight on the registry. */
function chainTarget(flags: RevokeFlags): ChainRevocation {
  if (flags.credential !== undefined) {
    throw usageError("--credential takes a service's credential id: with --rpc, pass --bundle FILE or --digest 0x…");
  }
  if (flags.batch !== undefined) return { kind: "batch", batchId: flags.batch };
  if (flags.bundle !== undefined) return { kind: "bundle", file: flags.bundle };
  return { kind: "digest", digest: (flags.digest ?? "").toLowerCase() as Hex32 };
}

export function addRevokeCommand(program: Command, { io, exit }: CommandContext): void {
  program
    .command("revoke")
    .summary("revoke a batch or one credential on chain (institutions)")
    .description(
      "Revoke a whole batch or one credential: through the credroot service (--api, --key), then wait until the " +
        "revocation is on chain; or straight on the registry (--rpc, --registry, the signer's key in " +
        "$CREDROOT_PRIVATE_KEY) as the issuer the key signs for: a batch by its id, a credential by its digest " +
        "(--digest) or by its bundle (--bundle, which must verify as a credential of that issuer). A revoked " +
        "credential stays revoked in every batch it could ever be anchored in.",
    )
    .addOption(apiOption().conflicts(["rpc", "registry"]))
    .addOption(keyOption())
    .addOption(rpcOption())
    .addOption(chainIdOption())
    .addOption(new Option("--registry <address>", "the registry contract (with --rpc)").argParser(address))
    .addOption(
      new Option("--batch <id>", "revoke every credential of this batch").conflicts(["credential", "bundle", "digest"]),
    )
    .addOption(
      new Option("--credential <id>", "with --api: revoke this one credential").conflicts(["bundle", "digest"]),
    )
    .addOption(new Option("--bundle <file>", "with --rpc: revoke the credential of this bundle").conflicts("digest"))
    .addOption(new Option("--digest <hex>", "with --rpc: revoke the credential with this digest"))
    .requiredOption("--reason <text>", "why (recorded on chain: never personal data)")
    .option("--no-wait", "with --api: return once the revocation is queued, without waiting for the chain")
    .addOption(
      new Option("--timeout <seconds>", "with --api: how long to wait for the chain")
        .argParser(seconds)
        .default(600_000, "600"),
    )
    .addHelpText(
      "after",
      "\nExamples:\n" +
        '  credroot revoke --api https://credentials.example.edu --key $KEY --credential 7Hq… --reason "issued in error"\n' +
        '  CREDROOT_PRIVATE_KEY=0x… credroot revoke --rpc https://rpc.example --registry 0xRegistry --bundle 0003.json --reason "issued in error"\n',
    )
    .action(async (flags: RevokeFlags) => {
      if (flags.api === undefined && flags.rpc === undefined && io.env.CREDROOT_RPC_URL === undefined) {
        throw usageError("say where to revoke: --api URL --key KEY, or --rpc URL --registry 0x…");
      }
      const targets = [flags.batch, flags.credential, flags.bundle, flags.digest].filter((t) => t !== undefined);
      if (targets.length === 0) {
        throw usageError(
          "say what to revoke: --batch ID or --credential ID (--api), --bundle FILE or --digest 0x… (--rpc)",
        );
      }
      if (flags.reason.trim() === "") throw usageError("--reason must say why");
      const said =
        flags.api === undefined
          ? await revokeOnChain(io, chainTarget(flags), flags)
          : await revokeThroughService(io, flags);
      io.stdout.write(said);
      exit(EXIT.ok);
    });
}
