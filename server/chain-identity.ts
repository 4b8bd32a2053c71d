import type { JsonRpcProvider } from "ethers";

/**
 * What is wrong with the chain the service was pointed at, or `null` when RPC_URL serves CHAIN_ID
 * and REGISTRY_ADDRESS holds a contract there. Catches the configuration slips that would
 * otherwise show up later and more confusingly: every bundle `not-anchored`, every transaction
 * refused for its chain id (EIP-155).
 * @throws whatever the provider throws when the chain cannot be asked (the caller decides).
 * @example
 * const wrong = await chainMismatch(provider, 11155111, registry);
 * if (wrong) throw new Error(wrong);
 */
export async function chainMismatch(
  provider: Pick<JsonRpcProvider, "send" | "getCode">,
  chainId: number,
  registry: string,
): Promise<string | null> {
  const served = Number(BigInt((await provider.send("eth_chainId", [])) as string));
  if (served !== chainId) return `RPC_URL serves chain ${served}, but CHAIN_ID is ${chainId}`;
  const code = await provider.getCode(registry);
  if (code === "0x") return `no contract at REGISTRY_ADDRESS ${registry} on chain ${chainId}`;
  return null;
}
