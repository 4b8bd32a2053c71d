import { InvalidArgumentError, Option } from "commander";
import { getAddress, isAddress } from "ethers";

/** Parses a positive safe integer (a chain id, a count). */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError("expected a positive integer");
  }
  return n;
}

/** Parses a positive number of seconds into milliseconds. */
export function seconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError("expected a positive number of seconds");
  return Math.round(n * 1000);
}

/** Parses an EVM address into its checksummed form. */
export function address(value: string): string {
  if (!isAddress(value)) throw new InvalidArgumentError("expected a 0x-prefixed 20-byte address");
  return getAddress(value);
}

/** Parser of a repeatable address option: every occurrence is kept. */
export function addresses(value: string, previous: readonly string[] = []): string[] {
  return [...previous, address(value)];
}

/** Parses an http(s) URL (of a service or a JSON-RPC endpoint). */
export function httpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError("expected an http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new InvalidArgumentError("expected an http(s) URL");
  return value;
}

/** `--api <url>`: the credroot service. */
export const apiOption = (): Option =>
  new Option("--api <url>", "base URL of the credroot service, e.g. https://credentials.example.edu").argParser(
    httpUrl,
  );

/** `--key <key>`: an issuer API key (or `CREDROOT_API_KEY`, which stays out of shell history). */
export const keyOption = (): Option =>
  new Option(
    "--key <key>",
    "issuer API key, crk_… (default: $CREDROOT_API_KEY; the variable keeps it out of shell history)",
  );

/** `--rpc <url>`: a JSON-RPC endpoint (or `CREDROOT_RPC_URL`). */
export const rpcOption = (): Option =>
  new Option("--rpc <url>", "JSON-RPC endpoint of the chain (default: $CREDROOT_RPC_URL)").argParser(httpUrl);

/**
 * `--chain-id <n>`: the chain the RPC endpoint must serve. The CLI always asks the endpoint
 * (`eth_chainId`) and works on the chain it serves: this only refuses an endpoint of another chain.
 */
export const chainIdOption = (): Option =>
  new Option(
    "--chain-id <n>",
    "refuse an endpoint that does not serve this chain (default: the chain it serves, asked with eth_chainId)",
  ).argParser(positiveInteger);

/** `--json`: machine-readable output on stdout. */
export const jsonOption = (): Option => new Option("--json", "print machine-readable JSON on stdout");
