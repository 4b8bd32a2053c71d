import type { JsonRpcSigner } from "ethers";
import { RegistryClient, type TrustedChain } from "../src";
import { deployRegistry } from "../deploy/deploy";
import { type LocalChain, startLocalChain } from "../deploy/local";

/** A local chain with a deployed registry and one registered issuer, for end-to-end tests. */
export interface RegistryFixture {
  chain: LocalChain;
  registry: string;
  accreditor: RegistryClient;
  issuer: RegistryClient;
  issuerId: number;
  issuerSigner: JsonRpcSigner;
  trusted: TrustedChain[];
}

export async function startRegistry(): Promise<RegistryFixture> {
  const chain = await startLocalChain();
  const accreditorSigner = await chain.signer(0);
  const issuerSigner = await chain.signer(1);
  const { registry } = await deployRegistry(accreditorSigner);
  const accreditor = new RegistryClient(registry, accreditorSigner);
  const { issuerId } = await accreditor.registerIssuer("Test University", "https://uni.test", issuerSigner.address);
  return {
    chain,
    registry,
    accreditor,
    issuer: new RegistryClient(registry, issuerSigner),
    issuerId,
    issuerSigner,
    trusted: [{ chainId: chain.chainId, registries: [registry], provider: chain.provider }],
  };
}
