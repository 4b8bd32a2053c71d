/**
 * `npm run verify-deployment -- deployments/<chainId>.json`: re-checks a recorded deployment from
 * RPC_URL against the compiled artifact (code, creation transaction, roles, admin delay and any
 * pending transfer of the admin role).
 */
import { Command } from "commander";
import { verifyRecordedDeployment } from "../deployment";
import { DeploymentError } from "../deployment-error";
import { readRecord } from "../deployment-record";
import { connect, redactUrl } from "../rpc";
import { type ScriptIo, reportFailure, runAsScript } from "./script-io";

const EPILOGUE = `
Environment:
  RPC_URL  JSON-RPC endpoint of the recorded chain (printed as scheme://host only)

Checks: the code at the address is the artifact's; the creation transaction is the artifact's with
the record's (adminDelay, admin, accreditor); defaultAdmin() is the recorded admin and the
accreditor holds its role; defaultAdminDelay() is the recorded adminDelay, and no transfer of the
admin role (pendingDefaultAdmin()) nor change of its delay is pending. A pending transfer fails,
naming the new admin and when it may call acceptDefaultAdminTransfer().

Exit status: 0 every check holds; 1 a check failed (or the RPC serves another chain);
2 bad usage, unreadable or version 1 record, RPC unreachable.
`;

/** Runs the verify-deployment command with `argv`; returns the exit status. */
export async function main(argv: readonly string[], io: ScriptIo): Promise<number> {
  try {
    const command = new Command("verify-deployment")
      .description("Re-check a recorded registry deployment against the compiled artifact.")
      .argument("<record>", "a deployments/<chainId>.json file")
      .exitOverride()
      .configureOutput({ writeOut: (text) => io.out(text.trimEnd()), writeErr: (text) => io.err(text.trimEnd()) })
      .showHelpAfterError("(add --help for usage)")
      .addHelpText("after", EPILOGUE)
      .parse(argv, { from: "user" });
    const record = readRecord(command.args[0]!);
    const rpcUrl = io.env.RPC_URL;
    if (!rpcUrl) throw new DeploymentError("bad-argument", "RPC_URL is not set");
    const connection = await connect(rpcUrl);
    try {
      io.out(`RPC ${redactUrl(rpcUrl)}: chain ${connection.chainId} (${connection.network})`);
      const checks = await verifyRecordedDeployment(connection, record);
      for (const check of checks) io.out(`✓ ${check.name}: ${check.message}`);
      io.out(`${record.address} on chain ${record.chainId}: verified`);
      return 0;
    } finally {
      connection.provider.destroy();
    }
  } catch (error) {
    return reportFailure("verify-deployment", error, io);
  }
}

if (require.main === module) runAsScript(main);
