import { type AddressLike, ContractFactory, type Signer } from "ethers";
import { loadArtifact } from "../deploy/artifact";
import { type MinimalAnchor, MinimalAnchor__factory, type VerifyGasProbe, VerifyGasProbe__factory } from "./contracts";

/*
 * The test-only contracts of contracts/mocks/, deployed from their compiled artifacts and typed by
 * their bindings (harness/contracts/, generated with the registry's by `npm run build:bindings`).
 */

/**
 * Deploys `MinimalAnchor(anchorer)`: the gas baseline of `anchor` (same selector and arguments as
 * the registry's), and a contract that is not the registry for the deployment checks.
 */
export async function deployMinimalAnchor(deployer: Signer, anchorer: AddressLike): Promise<MinimalAnchor> {
  const { bytecode } = loadArtifact("contracts/mocks/MinimalAnchor.sol", "MinimalAnchor");
  const factory = new ContractFactory<[anchorer: AddressLike], MinimalAnchor>(
    MinimalAnchor__factory.abi,
    bytecode,
    deployer,
  );
  const contract = await (await factory.deploy(anchorer)).waitForDeployment();
  return MinimalAnchor__factory.connect(await contract.getAddress(), deployer);
}

/** Deploys `VerifyGasProbe`, which measures the gas of the registry's `verify` as a calling contract pays it. */
export async function deployVerifyGasProbe(deployer: Signer): Promise<VerifyGasProbe> {
  const { bytecode } = loadArtifact("contracts/mocks/VerifyGasProbe.sol", "VerifyGasProbe");
  const factory = new ContractFactory<[], VerifyGasProbe>(VerifyGasProbe__factory.abi, bytecode, deployer);
  const contract = await (await factory.deploy()).waitForDeployment();
  return VerifyGasProbe__factory.connect(await contract.getAddress(), deployer);
}
