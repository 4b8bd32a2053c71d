import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContractFactory, type Signer } from "ethers";

const ROOT = join(__dirname, "../..");
const ARTIFACT = join(ROOT, "artifacts/contracts/CredentialRegistry.sol/CredentialRegistry.json");

/** What `deployments/<chainId>.json` records. */
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

function readArtifact(): { abi: unknown[]; bytecode: string } {
  if (!existsSync(ARTIFACT)) {
    throw new Error(`no compiled registry at ${ARTIFACT}: run \`npx hardhat compile\` first`);
  }
  return JSON.parse(readFileSync(ARTIFACT, "utf8")) as { abi: unknown[]; bytecode: string };
}

/** Deploys CredentialRegistry from the compiled artifact and waits for it to be mined. */
export async function deployRegistry(
  deployer: Signer,
  roles: { admin?: string; accreditor?: string } = {},
): Promise<Deployment> {
  const { abi, bytecode } = readArtifact();
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

/** Writes `deployments/<chainId>.json` and returns its path. */
export function recordDeployment(deployment: Deployment, folder = join(ROOT, "deployments")): string {
  mkdirSync(folder, { recursive: true });
  const file = join(folder, `${deployment.chainId}.json`);
  writeFileSync(file, `${JSON.stringify(deployment, null, 2)}\n`);
  return file;
}
