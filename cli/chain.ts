import { FetchRequest, JsonRpcProvider, Wallet } from "ethers";
import { decodeRegistryError, type RegistryClient } from "../src";
import { CliError, type CliIo, EXIT, flagOrEnv, usageError } from "./io";

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
 * chain and, above all, never enter its endless "retry in 1s" loop when the endpoint is down;
 * `batchMaxCount: 1` sends each request at once instead of after a 10 ms batching delay.
 */
export function staticProvider(url: string, chainId: number, timeoutMs = RPC_TIMEOUT_MS): JsonRpcProvider {
  const request = new FetchRequest(url);
  request.timeout = timeoutMs;
  return new JsonRpcProvider(request, chainId, { staticNetwork: true, batchMaxCount: 1, pollingInterval: 500 });
}

/**
 * The chain id the endpoint serves, asked once (`eth_chainId`). What a leaf commits to and what a
 * verdict is about is that chain: never the one a bundle or a flag names.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the endpoint does not answer, or answers no number.
 */
export async function servedChainId(url: string, timeoutMs = RPC_TIMEOUT_MS): Promise<number> {
  // The probe's network is a placeholder: ethers never checks eth_chainId's answer against it.
  const probe = staticProvider(url, 1, timeoutMs);
  try {
    const answer: unknown = await probe.send("eth_chainId", []);
    if (typeof answer !== "string" || !/^0x[0-9a-fA-F]{1,13}$/.test(answer)) {
      throw new Error("eth_chainId did not answer a chain id");
    }
    const chainId = Number(BigInt(answer));
    if (!Number.isSafeInteger(chainId) || chainId < 1) throw new Error("eth_chainId did not answer a chain id");
    return chainId;
  } catch (error) {
    throw decodeRegistryError(error);
  } finally {
    probe.destroy();
  }
}

/** `--chain-id`, when given, must be the chain the endpoint serves. */
export function checkChainId(served: number, expected: number | undefined): void {
  if (expected !== undefined && expected !== served) {
    throw new CliError(
      `the JSON-RPC endpoint serves chain ${served}, not chain ${expected} (--chain-id): use a node of chain ${expected}`,
      EXIT.couldNot,
    );
  }
}

/** A provider on the endpoint and the chain it serves. */
export interface Connection {
  provider: JsonRpcProvider;
  chainId: number;
}

/**
 * A provider for `url` on the chain the endpoint reports (`eth_chainId`, asked once), which must be
 * `expected` when given.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the endpoint does not answer; CliError (exit 2)
 * when it serves another chain than `expected`.
 */
export async function connect(
  url: string,
  expected: number | undefined,
  timeoutMs = RPC_TIMEOUT_MS,
): Promise<Connection> {
  const chainId = await servedChainId(url, timeoutMs);
  checkChainId(chainId, expected);
  return { provider: staticProvider(url, chainId, timeoutMs), chainId };
}

/** The issuer signer's wallet, from `CREDROOT_PRIVATE_KEY` only (a flag would land in shell history). */
export function signerWallet(io: CliIo, provider: JsonRpcProvider): Wallet {
  const key = io.env.CREDROOT_PRIVATE_KEY;
  if (key === undefined || key === "") {
    throw usageError("set CREDROOT_PRIVATE_KEY to the issuer signer's private key (it is never taken as a flag)");
  }
  try {
    return new Wallet(key, provider);
  } catch {
    throw usageError("CREDROOT_PRIVATE_KEY is not a private key (0x and 64 hex digits)");
  }
}

/**
 * The issuer `account` actively signs for (`issuerOf`), so that a wrong key fails before any
 * work, with one line that says why otherwise: never a signer, or no longer one.
 * @throws CliError exit 1 when the account signs for no issuer.
 */
export async function signerIssuer(registry: RegistryClient, account: string): Promise<number> {
  const issuerId = await registry.issuerOf(account);
  if (issuerId !== 0) return issuerId;
  const record = await registry.signerRecord(account);
  const why =
    record.issuerId === 0
      ? "is not a signer of any issuer"
      : `was a signer of issuer ${record.issuerId} and was removed: it signs for no issuer any more`;
  throw new CliError(`${account} (from CREDROOT_PRIVATE_KEY) ${why} in registry ${registry.address}`, EXIT.refused);
}
