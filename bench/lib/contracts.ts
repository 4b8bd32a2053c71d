import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, ContractFactory, type InterfaceAbi, type Signer } from "ethers";

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
