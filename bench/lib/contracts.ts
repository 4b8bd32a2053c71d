import type { Signer } from "ethers";
import { type LocalChain, startLocalChain } from "../../deploy/local";
import { registryFactory } from "../../deploy/registry-factory";
import { type CredentialRegistry, CredentialRegistry__factory } from "../../src";

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
  registry: CredentialRegistry;
  issuerId: bigint;
  issuerSigner: Signer;
}

/**
 * Starts the embedded chain and deploys the registry straight from its compiled artifact (account 0
 * is admin and accreditor, account 1 the signer of issuer 1), so that the benchmark depends on the
 * contract and its bindings alone, not on the library's registry client.
 */
export async function startBenchRegistry(): Promise<BenchRegistry> {
  const chain = await startLocalChain();
  const admin = await chain.signer(0);
  const issuerSigner = await chain.signer(1);
  const deployed = await (await registryFactory(admin).deploy(0, admin.address, admin.address)).waitForDeployment();
  const receipt = await (
    await deployed.registerIssuer("Bench University", "https://uni.test", issuerSigner.address)
  ).wait();
  if (receipt?.status !== 1) throw new Error("registerIssuer reverted");
  const registry = CredentialRegistry__factory.connect(await deployed.getAddress(), issuerSigner);
  return { chain, registry, issuerId: 1n, issuerSigner };
}
