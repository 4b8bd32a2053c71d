import { FetchRequest, JsonRpcProvider } from "ethers";
import { decodeRegistryError } from "..";
import { type CliIo, flagOrEnv, usageError } from "./io";

/** How long one JSON-RPC request may take before the CLI gives up on the endpoint. */
export const RPC_TIMEOUT_MS = 30_000;

/** `--rpc`, else `CREDROOT_RPC_URL`, else a usage error naming both. */
export function rpcUrl(io: CliIo, flag: string | undefined): string {
  const url = flagOrEnv(io, flag, "CREDROOT_RPC_URL");
  if (url === undefined) throw usageError("no JSON-RPC endpoint: pass --rpc URL or set CREDROOT_RPC_URL");
  return url;
}

/**
 * A provider pinned to `chainId`. A static network makes ethers spend no call on detecting the
 * chain and, above all, never enter its endless "retry in 1s" loop when the endpoint is down.
 */
export function staticProvider(url: string, chainId: number, timeoutMs = RPC_TIMEOUT_MS): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  return new JsonRpcProvider(request, chainId, { staticNetwork: true, pollingInterval: 500 });
}

/**
 * A provider for `url`, on `chainId` when given, else on the chain the endpoint reports
 * (`eth_chainId`, asked once).
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the endpoint does not answer.
 */
export async function connect(url: string, chainId: number | undefined): Promise<JsonRpcProvider> {
  if (chainId !== undefined) return staticProvider(url, chainId);
  // The probe's network is a placeholder: ethers never checks eth_chainId's answer against it.
  const probe = staticProvider(url, 1);
  try {
    const answer: unknown = await probe.send("eth_chainId", []);
    if (typeof answer !== "string") throw new Error("eth_chainId did not answer a number");
    return staticProvider(url, Number(BigInt(answer)));
  } catch (error) {
    throw decodeRegistryError(error);
  } finally {
    probe.destroy();
  }
}
