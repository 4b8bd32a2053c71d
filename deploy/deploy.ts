import type { Signer } from "ethers";
import { registryFactory } from "./registry-factory";

/** A registry deployed on an embedded or test chain (see deployment.ts for real networks). */
export interface Deployment {
  chainId: number;
  registry: string;
  txHash: string;
  blockNumber: number;
  deployer: string;
  admin: string;
  /** Seconds a new admin waits before accepting the admin role (`defaultAdminDelay()`). */
  adminDelay: number;
  accreditor: string;
  deployedAt: string;
}

/** Who receives the roles, and the admin delay; every field defaults (see {@link deployRegistry}). */
export interface DeployRegistryOptions {
  /** Holder of DEFAULT_ADMIN_ROLE; the deployer by default. */
  admin?: string;
  /** First holder of ACCREDITOR_ROLE; the deployer by default. */
  accreditor?: string;
  /** Seconds; 0 by default, so that a test can hand the admin role over without waiting. */
  adminDelay?: number;
}

/**
 * Deploys CredentialRegistry from the compiled artifact and waits for it to be mined; both roles
 * default to the deployer and the admin delay to 0. For the embedded chain and tests: `npm run
 * deploy` deploys to a real network, with its checks (`deployRegistryVerified`).
 * @example
 * const { registry } = await deployRegistry(await chain.signer(0));
 */
export async function deployRegistry(deployer: Signer, options: DeployRegistryOptions = {}): Promise<Deployment> {
  const from = await deployer.getAddress();
  const admin = options.admin ?? from;
  const accreditor = options.accreditor ?? from;
  const adminDelay = options.adminDelay ?? 0;
  const contract = await registryFactory(deployer).deploy(adminDelay, admin, accreditor);
  const receipt = await contract.deploymentTransaction()?.wait();
  if (!receipt) throw new Error("the deployment transaction was not mined");
  const network = await deployer.provider?.getNetwork();
  return {
    chainId: Number(network?.chainId ?? 0),
    registry: await contract.getAddress(),
    txHash: receipt.hash,
    blockNumber: receipt.blockNumber,
    deployer: from,
    admin,
    adminDelay,
    accreditor,
    deployedAt: new Date().toISOString(),
  };
}
