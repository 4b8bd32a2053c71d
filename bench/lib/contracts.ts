import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, ContractFactory, type InterfaceAbi, type Signer } from "ethers";
import { type LocalChain, startLocalChain } from "../../deploy/local";

const ARTIFACTS = join(__dirname, "../../artifacts/contracts");

/** Deploys a compiled contract (`mocks/MinimalAnchor.sol/MinimalAnchor`) and waits for it to be mined. */
export async function deployArtifact(name: string, deployer: Signer, args: readonly unknown[] = []): Promise<Contract> {
  const file = join(ARTIFACTS, `${name}.json`);
  if (!existsSync(file)) throw new Error(`no artifact at ${file}: run \`npx hardhat compile\` first`);
  const { abi, bytecode } = JSON.parse(readFileSync(file, "utf8")) as { abi: InterfaceAbi; bytecode: string };
  const contract = await new ContractFactory(abi, bytecode, deployer).deploy(...args);
  await contract.waitForDeployment();
  return new Contract(await contract.getAddress(), abi, deployer);
}

/** Intrinsic gas of calldata under cancun pricing: 4 per zero byte, 16 per other byte. */
export function calldataGas(data: string): number {
  let gas = 0;
  for (let i = 2; i < data.length; i += 2) gas += data.slice(i, i + 2) === "00" ? 4 : 16;
  return gas;
}

/** A local chain with a CredentialRegistry (format v2) and one registered issuer, for the gas figures. */
export interface BenchRegistry {
  chain: LocalChain;
  /** The registry, connected as the issuer's signer. */
  registry: Contract;
  issuerId: bigint;
  issuerSigner: Signer;
}

/**
 * Starts the embedded chain and deploys the registry straight from its compiled artifact (account 0
 * is admin and accreditor, account 1 the signer of issuer 1), so that the benchmark depends on the
 * contract alone, not on the library's registry client.
 */
export async function startBenchRegistry(): Promise<BenchRegistry> {
  const chain = await startLocalChain();
  const admin = await chain.signer(0);
  const issuerSigner = await chain.signer(1);
  const deployed = await deployArtifact("CredentialRegistry.sol/CredentialRegistry", admin, [
    0,
    admin.address,
    admin.address,
  ]);
  const receipt = await (
    await deployed.getFunction("registerIssuer").send("Bench University", "https://uni.test", issuerSigner.address)
  ).wait();
  if (receipt?.status !== 1) throw new Error("registerIssuer reverted");
  const registry = new Contract(await deployed.getAddress(), deployed.interface, issuerSigner);
  return { chain, registry, issuerId: 1n, issuerSigner };
}
