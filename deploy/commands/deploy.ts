/**
 * `npm run deploy`: deploys CredentialRegistry to the chain at RPC_URL with DEPLOYER_PRIVATE_KEY,
 * checks it on chain and records it in deployments/<chainId>.json. `--help` lists the options.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { type Signer, Wallet } from "ethers";
import { DEFAULT_ADMIN_DELAY, MAX_ADMIN_DELAY, deployRegistryVerified, parseAddress } from "../deployment";
import { describeDelay } from "../deployment-checks";
import { DeploymentError } from "../deployment-error";
import { type LocalChain, startLocalChain } from "../local";
import { type Connection, connect, redactUrl } from "../rpc";
import { type ScriptIo, reportFailure, runAsScript } from "./script-io";

const EPILOGUE = `
Environment:
  RPC_URL               JSON-RPC endpoint of the chain (printed as scheme://host only)
  DEPLOYER_PRIVATE_KEY  key of the account that pays for the deployment; it is given no role

The constructor makes --admin the registry's one admin (defaultAdmin()) directly: the deployer
never holds the admin role, so there is no handoff to finish. A later handoff takes two steps:
beginDefaultAdminTransfer(newAdmin) by the admin, then acceptDefaultAdminTransfer() by the new
admin once --admin-delay seconds have passed.

Checks after deploying: the code at the address equals the artifact's deployedBytecode (metadata
included), the creation transaction is the artifact's with (adminDelay, admin, accreditor),
defaultAdmin() is admin, accreditor holds its role and the deployer holds none, defaultAdminDelay()
is the delay and no admin transfer is pending. Then deployments/<chainId>.json is written.
Re-check later with \`npm run verify-deployment -- deployments/<chainId>.json\`.

Exit status: 0 done; 1 refused or a check failed; 2 bad usage, missing key, RPC unreachable.
`;

interface Options {
  admin: string;
  adminDelay: number;
  accreditor: string;
  expectChainId?: number;
  confirmations: number;
  dryRun: boolean;
  out: string;
  force: boolean;
  local: boolean;
}

const whole =
  (min: number, max = Number.MAX_SAFE_INTEGER) =>
  (value: string) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `must be a whole number ≥ ${min}`
          : `must be a whole number from ${min} to ${max}`,
      );
    }
    return n;
  };

function program(io: ScriptIo): Command {
  return new Command("deploy")
    .description("Deploy the CredentialRegistry, verify it on chain and record it.")
    .requiredOption("--admin <address>", "receives DEFAULT_ADMIN_ROLE (e.g. a multisig), from the constructor")
    .option(
      "--admin-delay <seconds>",
      `seconds a later new admin waits before accepting the role (at most ${MAX_ADMIN_DELAY}: 30 days)`,
      whole(0, MAX_ADMIN_DELAY),
      DEFAULT_ADMIN_DELAY,
    )
    .requiredOption("--accreditor <address>", "receives ACCREDITOR_ROLE (registers issuers)")
    .option("--expect-chain-id <id>", "refuse unless the RPC serves this chain (required to send)", whole(1))
    .option("--confirmations <n>", "blocks to wait for before checking", whole(1), 2)
    .option("--dry-run", "estimate gas and cost at the current fees; send nothing", false)
    .option("--out <folder>", "where <chainId>.json is written", "deployments")
    .option("--force", "replace an existing record (kept as <chainId>.<timestamp>.json)", false)
    .addOption(new Option("--local", "deploy to a throwaway in-process Hardhat chain (a rehearsal)").default(false))
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
    .showHelpAfterError("(add --help for usage)")
    .addHelpText("after", EPILOGUE);
}

/** The deployer and its connection: RPC_URL + DEPLOYER_PRIVATE_KEY, or a throwaway local chain. */
async function deployerOf(
  options: Options,
  io: ScriptIo,
): Promise<{ signer: Signer; connection: Connection; local?: LocalChain }> {
  if (options.local) {
    const local = await startLocalChain();
    // Blocks keep coming, so that confirmations accrue.
    await local.provider.send("evm_setIntervalMining", [100]);
    const connection = { provider: local.provider, chainId: local.chainId, network: "local" };
    io.out(`--local: a throwaway chain ${local.chainId} at ${local.url}, deployer = its account 0`);
    return { signer: new Wallet(local.privateKey(0), local.provider), connection, local };
  }
  const rpcUrl = io.env.RPC_URL;
  if (!rpcUrl) throw new DeploymentError("bad-argument", "RPC_URL is not set (or pass --local for a rehearsal)");
  const key = io.env.DEPLOYER_PRIVATE_KEY;
  if (!key) throw new DeploymentError("missing-key", "DEPLOYER_PRIVATE_KEY is not set");
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(key)) {
    throw new DeploymentError("missing-key", "DEPLOYER_PRIVATE_KEY is not a 32-byte hex private key");
  }
  const connection = await connect(rpcUrl);
  io.out(`RPC ${redactUrl(rpcUrl)}: chain ${connection.chainId} (${connection.network})`);
  return { signer: new Wallet(key, connection.provider), connection };
}

/** Runs the deploy command with `argv` (no node/script prefix); returns the exit status. */
export async function main(argv: readonly string[], io: ScriptIo): Promise<number> {
  let local: LocalChain | undefined;
  let connection: Connection | undefined;
  try {
    const options = program(io).parse(argv, { from: "user" }).opts<Options>();
    const admin = parseAddress("--admin", options.admin);
    const accreditor = parseAddress("--accreditor", options.accreditor);
    const deployer = await deployerOf(options, io);
    ({ local, connection } = deployer);
    const result = await deployRegistryVerified(deployer.signer, deployer.connection, {
      admin,
      adminDelay: options.adminDelay,
      accreditor,
      expectChainId: options.expectChainId ?? local?.chainId,
      confirmations: options.confirmations,
      dryRun: options.dryRun,
      outDir: resolve(options.out),
      force: options.force,
      log: io.out,
    });
    if (!result.record) {
      io.out("dry run: nothing was signed or sent");
      return 0;
    }
    const { record } = result;
    io.out(`CredentialRegistry deployed at ${record.address} on chain ${record.chainId} (${record.network})`);
    io.out(
      `  tx ${record.txHash}, block ${record.blockNumber}, ${BigInt(record.gasUsed).toLocaleString("en-US")} gas, ${record.costEth} ETH`,
    );
    const delay = describeDelay(record.adminDelay);
    if (record.admin.toLowerCase() === record.deployer.toLowerCase()) {
      // Named on purpose (--admin = the deployer), but then the deployer key is the trust root.
      io.out(
        `  the deployer ${record.deployer} is the admin: to give the role to a multisig, the deployer calls ` +
          `beginDefaultAdminTransfer(multisig), then the multisig must call acceptDefaultAdminTransfer() after ${delay}; ` +
          "until it has, the deployer key is the admin (next time, pass the multisig as --admin)",
      );
    } else {
      io.out(
        `  admin ${record.admin} is defaultAdmin() already: nothing to accept. Admin delay ${delay}: ` +
          "a later handoff is beginDefaultAdminTransfer(newAdmin) by the admin, then acceptDefaultAdminTransfer() by the new admin after the delay",
      );
    }
    if (result.previous) io.out(`  the previous record was moved to ${result.previous}`);
    io.out(`  recorded in ${result.file}`);
    return 0;
  } catch (error) {
    return reportFailure("deploy", error, io);
  } finally {
    if (local) await local.close();
    else connection?.provider.destroy();
  }
}

if (require.main === module) runAsScript(main);
