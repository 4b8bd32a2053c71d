import { JsonRpcProvider, Wallet } from "ethers";
import fp from "fastify-plugin";
import { RegistryClient, type TrustedChain } from "../../src";
import type { Config } from "../config";
import { BlockCachedCalls } from "../verify-cache";

/** The chain as the service sees it: provider, issuer signer, registry, and the chains it trusts. */
export interface ChainContext {
  chainId: number;
  registryAddress: string;
  provider: JsonRpcProvider;
  /** The issuer signer; it anchors and revokes (through the worker only). */
  wallet: Wallet;
  /** Registry client for reads. */
  registry: RegistryClient;
  /** What `POST /v1/verify` trusts: this registry, plus `TRUSTED_REGISTRIES`. */
  trusted: TrustedChain[];
  /** The issuer the signer acts for (`issuerOf`), cached once known; `null` while the chain cannot be asked. */
  signerIssuerId(): Promise<number | null>;
}

declare module "fastify" {
  interface FastifyInstance {
    chain: ChainContext;
  }
}

/** How long a request waits on the chain for the signer's issuer id before accepting without it. */
const LOOKUP_TIMEOUT_MS = 2000;

/** Connects to `RPC_URL` with a static network: no RPC call is spent on chain detection. */
export function connectChain(
  config: Config,
): ChainContext & { providers: JsonRpcProvider[]; caches: BlockCachedCalls[] } {
  // No response cache: the worker reads nonces and receipts that must be current.
  const provider = new JsonRpcProvider(config.rpcUrl, config.chainId, {
    staticNetwork: true,
    pollingInterval: 250,
    cacheTimeout: -1,
    batchMaxCount: 1, // no 10 ms batching delay on every call
  });
  const providers = [provider];
  const caches: BlockCachedCalls[] = [];
  // What /v1/verify asks: answers cached per block (see verify-cache.ts), unless VERIFY_CACHE_MS=0.
  const forVerify = (p: JsonRpcProvider): TrustedChain["provider"] => {
    if (config.verifyCacheMs === 0) return p;
    const cache = new BlockCachedCalls(p, config.verifyCacheMs);
    caches.push(cache);
    return cache;
  };
  const trusted = new Map<number, TrustedChain>();
  trusted.set(config.chainId, {
    chainId: config.chainId,
    registries: [config.registryAddress],
    provider: forVerify(provider),
  });
  for (const extra of config.trustedRegistries) {
    const known = trusted.get(extra.chainId);
    if (known) {
      trusted.set(extra.chainId, { ...known, registries: [...known.registries, extra.registry] });
    } else {
      const other = new JsonRpcProvider(extra.rpcUrl, extra.chainId, { staticNetwork: true, batchMaxCount: 1 });
      providers.push(other);
      trusted.set(extra.chainId, { chainId: extra.chainId, registries: [extra.registry], provider: forVerify(other) });
    }
  }
  const wallet = new Wallet(config.issuerPrivateKey, provider);
  const registry = new RegistryClient(config.registryAddress, provider);
  let signerIssuer: number | null = null;
  return {
    chainId: config.chainId,
    registryAddress: config.registryAddress,
    provider,
    wallet,
    registry,
    trusted: [...trusted.values()],
    providers,
    caches,
    async signerIssuerId() {
      if (signerIssuer !== null) return signerIssuer;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer")), LOOKUP_TIMEOUT_MS);
      });
      try {
        const lookup = registry.contract.getFunction("issuerOf").staticCall(wallet.address) as Promise<bigint>;
        const id = Number(await Promise.race([lookup, timeout]));
        // Signer rotation can change this only by removing the key, which the worker then reports.
        if (id !== 0) signerIssuer = id;
        return id;
      } catch {
        return null; // chain unavailable or silent: accept, the worker checks again before sending
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

export default fp<{ config: Config }>(
  (app, { config }, done) => {
    const { providers, caches, ...chain } = connectChain(config);
    app.decorate("chain", chain);
    for (const cache of caches) cache.start();
    app.addHook("onClose", (_app, next) => {
      for (const cache of caches) cache.stop();
      for (const provider of providers) provider.destroy();
      next();
    });
    done();
  },
  { name: "credroot-chain" },
);
