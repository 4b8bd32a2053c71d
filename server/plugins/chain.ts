import { JsonRpcProvider, Wallet } from "ethers";
import fp from "fastify-plugin";
import { RegistryClient, type TrustedChain } from "../../src";
import type { Config } from "../config";
import { CoalescedCalls } from "../chain/coalesced-calls";
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
  /**
   * The issuer the signer actively signs for, as the registry's `issuerOf` says (0 for a removed
   * signer or an address that signs for no issuer), at most {@link LOOKUP_FRESH_MS} old plus one
   * lookup (see {@link signerLookup}); `null` while no answer is known. For fast refusals only: the
   * worker checks the signer on chain again before it signs anything. `fresh` asks the chain now
   * (waiting at most {@link LOOKUP_TIMEOUT_MS}), for rare requests that must see a removal at once.
   */
  signerIssuerId(options?: { fresh?: boolean }): Promise<number | null>;
}

declare module "fastify" {
  interface FastifyInstance {
    chain: ChainContext;
  }
}

/** How long a request waits on the chain for the signer's issuer id before accepting without it. */
export const LOOKUP_TIMEOUT_MS = 2000;

/** A known answer younger than this is served without asking the chain again. */
export const LOOKUP_FRESH_MS = 5000;

/**
 * `signerIssuerId` for requests: the route's check is a fast refusal for the registrar, while the
 * worker checks the signer on chain before it signs anything. So a known answer is served at once
 * (asked again in the background once older than {@link LOOKUP_FRESH_MS}), and only the first
 * lookup waits, at most {@link LOOKUP_TIMEOUT_MS}: an RPC outage never slows every submission.
 * `null` while no answer is known (chain unavailable or silent).
 */
export function signerLookup(
  ask: () => Promise<number>,
  now = () => Date.now(),
): (options?: { fresh?: boolean }) => Promise<number | null> {
  let known: { id: number; at: number } | null = null;
  let failedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<number | null> | null = null;
  const lookup = (): Promise<number | null> => {
    pending ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no answer")), LOOKUP_TIMEOUT_MS);
      });
      try {
        const id = await Promise.race([ask(), timeout]);
        known = { id, at: now() };
        return id;
      } catch {
        failedAt = now();
        return known?.id ?? null;
      } finally {
        clearTimeout(timer);
        pending = null;
      }
    })();
    return pending;
  };
  return async (options = {}) => {
    if (options.fresh) return lookup();
    if (known === null) {
      if (now() - failedAt > LOOKUP_FRESH_MS) return lookup();
      void lookup(); // the chain just failed us: answer "unknown" at once, ask again behind it
      return null;
    }
    if (now() - known.at > LOOKUP_FRESH_MS) void lookup();
    return known.id;
  };
}

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
  // What /v1/verify asks: concurrent verifications as one verifyMany call (chain/coalesced-calls.ts),
  // answers cached per block (see verify-cache.ts) unless VERIFY_CACHE_MS=0.
  const forVerify = (p: JsonRpcProvider): TrustedChain["provider"] => {
    const calls = new CoalescedCalls(p);
    if (config.verifyCacheMs === 0) return calls;
    const cache = new BlockCachedCalls(p, config.verifyCacheMs, { calls });
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
  return {
    chainId: config.chainId,
    registryAddress: config.registryAddress,
    provider,
    wallet,
    registry,
    trusted: [...trusted.values()],
    providers,
    caches,
    signerIssuerId: signerLookup(() => registry.issuerOf(wallet.address)),
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
