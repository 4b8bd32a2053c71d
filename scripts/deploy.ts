/**
 * Deploys CredentialRegistry and records it in deployments/<chainId>.json.
 *
 *   RPC_URL=https://… DEPLOYER_PRIVATE_KEY=0x… npx tsx scripts/deploy.ts [--admin 0x…] [--accreditor 0x…]
 *
 * Without RPC_URL it deploys to a throwaway in-process Hardhat chain (a dry run).
 */
import { parseArgs } from "node:util";
import { JsonRpcProvider, Wallet, isAddress } from "ethers";
import { deployRegistry, recordDeployment } from "../server/chain/deploy";
import { startLocalChain } from "../server/chain/local";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { admin: { type: "string" }, accreditor: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(
      "usage: [RPC_URL=… DEPLOYER_PRIVATE_KEY=…] tsx scripts/deploy.ts [--admin ADDRESS] [--accreditor ADDRESS]",
    );
    return;
  }
  for (const role of ["admin", "accreditor"] as const) {
    const address: string | undefined = values[role];
    if (address !== undefined && !isAddress(address))
      throw new Error(`--${role} is not an address: ${String(address)}`);
  }
  const rpcUrl = process.env.RPC_URL;
  const local = rpcUrl ? undefined : await startLocalChain();
  try {
    let deployer;
    if (rpcUrl) {
      const key = process.env.DEPLOYER_PRIVATE_KEY;
      if (!key) throw new Error("DEPLOYER_PRIVATE_KEY is not set (needed with RPC_URL)");
      deployer = new Wallet(key, new JsonRpcProvider(rpcUrl));
    } else {
      console.log(`no RPC_URL: deploying to a throwaway local chain at ${local!.url}`);
      deployer = await local!.signer(0);
    }
    const deployment = await deployRegistry(deployer, { admin: values.admin, accreditor: values.accreditor });
    const file = recordDeployment(deployment);
    console.log(`CredentialRegistry deployed at ${deployment.registry} on chain ${deployment.chainId}`);
    console.log(
      `  tx ${deployment.txHash} (block ${deployment.blockNumber}); admin ${deployment.admin}; accreditor ${deployment.accreditor}`,
    );
    console.log(`  recorded in ${file}`);
  } finally {
    await local?.close();
  }
}

main().catch((error: unknown) => {
  console.error(`deploy failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
