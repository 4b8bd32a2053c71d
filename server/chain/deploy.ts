import { ContractFactory, type Signer } from "ethers";
import { registryArtifact } from "./artifact";

/** A registry deployed on an embedded or test chain (see deployment.ts for real networks). */
export interface Deployment {
  chainId: number;
  registry: string;
  txHash: string;
  blockNumber: number;
  deployer: string;
  admin: string;
  accreditor: string;
  deployedAt: string;
}

/**
 * Deploys CredentialRegistry from the compiled artifact and waits for it to be mined; both roles
 * default to the deployer. For the embedded chain and tests: `npm run deploy` deploys to a real
 * network, with its checks (`deployRegistryVerified`).
 */
export async function deployRegistry(
  deployer: Signer,
  roles: { admin?: string; accreditor?: string } = {},
): Promise<Deployment> {
  const { abi, bytecode } = registryArtifact();
  const from = await deployer.getAddress();
  const admin = roles.admin ?? from;
  const accreditor = roles.accreditor ?? from;
  const factory = new ContractFactory(abi as never[], bytecode, deployer);
  const contract = await factory.deploy(admin, accreditor);
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
    accreditor,
    deployedAt: new Date().toISOString(),
  };
}
