import { JsonRpcProvider } from "ethers";
import {
  CredrootError,
  type LogsProvider,
  parseStrictJson,
  parseTrustConfig,
  type TrustConfig,
  type TrustedChain,
} from "../../src";
import { withTimeout } from "../../src/timeout";

/** localStorage key of the person's own RPC URLs, by chain id. */
const STORAGE_KEY = "credroot.rpcUrls";

/** RPC URLs the person chose in the settings panel, by chain id (as text). */
export type RpcOverrides = Record<string, string>;

export const isRpcUrl = (value: string) => /^https?:\/\/\S+$/i.test(value);

/**
 * The trust settings this copy of the page was given: `config.json` beside it (served by the
 * credroot service, or written by `npm run build:web` for a static copy).
 * @throws Error with a sentence saying what went wrong.
 */
export async function loadTrustConfig(): Promise<TrustConfig> {
  let response: Response;
  try {
    response = await fetch(new URL("config.json", document.baseURI), { cache: "no-cache" });
  } catch (error) {
    throw new Error(`this page could not load its trust settings (config.json): ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (!response.ok) throw new Error(`this page could not load its trust settings (config.json): ${response.status}`);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw new Error(`this page could not read its trust settings (config.json): ${(error as Error).message}`, {
      cause: error,
    });
  }
  // Strict: a registry listed under a key given twice must not be trusted by one reader and not another.
  return parseTrustConfig(parseStrictJson(text, "INVALID_ARGUMENT", "this page's trust settings (config.json)"));
}

/** The person's RPC URLs from localStorage; anything unreadable is ignored. */
export function readOverrides(): RpcOverrides {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "{}");
    if (typeof value !== "object" || value === null) return {};
    return Object.fromEntries(
      Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string" && isRpcUrl(e[1])),
    );
  } catch {
    return {};
  }
}

export function saveOverrides(overrides: RpcOverrides): void {
  if (Object.keys(overrides).length === 0) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(overrides));
}

/** The RPC URL used for `chainId`: the person's own, else the configured one, else none. */
export function rpcUrlFor(config: TrustConfig, overrides: RpcOverrides, chainId: number): string | null {
  return overrides[String(chainId)] ?? config.chains.find((c) => c.chainId === chainId)?.rpcUrl ?? null;
}

const providers = new Map<string, JsonRpcProvider>();

/** A provider with a static network (no chain-id probe), one per URL and chain. */
function providerFor(url: string, chainId: number): JsonRpcProvider {
  const key = `${chainId}@${url}`;
  let provider = providers.get(key);
  if (!provider) {
    provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, batchMaxCount: 1 });
    providers.set(key, provider);
  }
  return provider;
}

/** The verifier's trusted chains: every chain of the config, asked through its RPC URL. */
export function trustedChains(config: TrustConfig, overrides: RpcOverrides): TrustedChain[] {
  return config.chains.map(({ chainId, registries }) => {
    const url = rpcUrlFor(config, overrides, chainId);
    return {
      chainId,
      registries,
      provider: url
        ? providerFor(url, chainId)
        : {
            call: () =>
              Promise.reject(
                new CredrootError("CHAIN_UNAVAILABLE", `no blockchain node is set for chain ${chainId}: open Settings`),
              ),
          },
    };
  });
}

/** The provider that reads events (a revocation's reason) on `chainId`, or null when no node is set. */
export function logsProviderFor(config: TrustConfig, overrides: RpcOverrides, chainId: number): LogsProvider | null {
  const url = rpcUrlFor(config, overrides, chainId);
  return url ? providerFor(url, chainId) : null;
}

/** The provider that reads `chainId` (calls, logs, blocks: the issuers page), or null when no node is set. */
export function chainProviderFor(
  config: TrustConfig,
  overrides: RpcOverrides,
  chainId: number,
): JsonRpcProvider | null {
  const url = rpcUrlFor(config, overrides, chainId);
  return url ? providerFor(url, chainId) : null;
}

/**
 * What this page's Content-Security-Policy lets it connect to, learnt by asking `url` for its
 * chain id: `blocked` (with the policy's `connect-src`) when the browser refused to send it,
 * `unreachable` when it was sent and nothing usable came back, else the chain id it serves.
 */
export async function probeNode(
  url: string,
): Promise<{ kind: "blocked"; allowed: string } | { kind: "unreachable" } | { kind: "chain"; chainId: number }> {
  let violation: SecurityPolicyViolationEvent | null = null;
  let seen: () => void = () => undefined;
  const reported = new Promise<void>((resolve) => (seen = resolve));
  const listener = (event: SecurityPolicyViolationEvent) => {
    if (event.effectiveDirective !== "connect-src") return;
    violation = event;
    seen();
  };
  document.addEventListener("securitypolicyviolation", listener);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    const answer = (await response.json()) as { result?: unknown };
    return typeof answer.result === "string"
      ? { kind: "chain", chainId: Number(answer.result) }
      : { kind: "unreachable" };
  } catch {
    // The browser reports a blocked request in a task of its own, after or before the rejection.
    await withTimeout(reported, 500).catch(() => undefined);
    const event = violation as SecurityPolicyViolationEvent | null;
    if (event) {
      const policy = event.originalPolicy.split(";").map((d) => d.trim());
      const allowed = policy.find((d) => d.startsWith("connect-src "))?.slice("connect-src ".length) ?? "'self'";
      return { kind: "blocked", allowed };
    }
    return { kind: "unreachable" };
  } finally {
    document.removeEventListener("securitypolicyviolation", listener);
  }
}
