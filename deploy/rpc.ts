import { FetchRequest, JsonRpcProvider, Network } from "ethers";
import { DeploymentError } from "./deployment-error";

/** A JSON-RPC endpoint whose chain id has been asked once; the provider never asks again. */
export interface Connection {
  provider: JsonRpcProvider;
  chainId: number;
  /** ethers' name for the chain, or `unknown`. */
  network: string;
}

/** `scheme://host` of an RPC URL, with `/…` where a path, query or credentials were (they often hold an API key). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const hidden = u.username !== "" || u.password !== "" || u.pathname.length > 1 || u.search !== "";
    return `${u.protocol}//${u.host}${hidden ? "/…" : ""}`;
  } catch {
    return "(RPC_URL, unparsable)";
  }
}

/** `text` with every secret (the RPC URL and its parts, a private key) replaced by `…`. */
export function scrubSecrets(text: string, secrets: { rpcUrl?: string; privateKey?: string }): string {
  const parts: string[] = [];
  if (secrets.rpcUrl) {
    parts.push(secrets.rpcUrl);
    try {
      const u = new URL(secrets.rpcUrl);
      parts.push(u.username, u.password, u.search, u.pathname.length > 1 ? u.pathname : "");
    } catch {
      // an unparsable URL is scrubbed whole
    }
  }
  if (secrets.privateKey) parts.push(secrets.privateKey, secrets.privateKey.replace(/^0x/, ""));
  return parts
    .filter((part) => part.length >= 4)
    .sort((a, b) => b.length - a.length)
    .reduce((scrubbed, part) => scrubbed.split(part).join("…"), text);
}

/** Asks `rpcUrl` for its chain id (one `eth_chainId`, `timeoutMs`) and returns a static-network provider. */
export async function connect(
  rpcUrl: string,
  options: { pollingIntervalMs?: number; timeoutMs?: number } = {},
): Promise<Connection> {
  if (!/^https?:\/\//.test(rpcUrl)) throw new DeploymentError("bad-argument", "RPC_URL must be an http(s) URL");
  let chainId: number;
  try {
    const request = new FetchRequest(rpcUrl);
    request.timeout = options.timeoutMs ?? 15_000;
    request.setHeader("content-type", "application/json");
    request.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
    const response = await request.send();
    response.assertOk();
    chainId = Number(BigInt((response.bodyJson as { result: string }).result));
  } catch (error) {
    const reason = scrubSecrets((error as Error).message.split("\n")[0] ?? "", { rpcUrl });
    throw new DeploymentError("rpc-unavailable", `no chain id from the RPC at ${redactUrl(rpcUrl)}: ${reason}`, {
      cause: error,
    });
  }
  const provider = new JsonRpcProvider(rpcUrl, chainId, {
    staticNetwork: true,
    pollingInterval: options.pollingIntervalMs ?? 4000,
    cacheTimeout: -1,
    batchMaxCount: 1,
  });
  return { provider, chainId, network: Network.from(chainId).name };
}
