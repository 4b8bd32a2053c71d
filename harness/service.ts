import type { FastifyInstance } from "fastify";
import { buildApp, type BuildOptions } from "../server/app";
import { type Config, loadConfig } from "../server/config";
import { generateApiKey } from "../server/keys";
import type { Store } from "../server/store/types";
import { openStore } from "../server/store";
import { sleep } from "../src/timeout";
import { type RegistryFixture, startRegistry } from "./registry";

/** A local chain with the registry, and the service built on it (not listening: use `app.inject`). */
export interface ServiceFixture extends RegistryFixture {
  app: FastifyInstance;
  store: Store;
  config: Config;
  /** An API key of the fixture's issuer, as sent in `Authorization: Bearer …`. */
  apiKey: string;
  auth: { authorization: string };
  /** Creates another API key for `issuerId` (which need not exist on chain). */
  newApiKey(issuerId: number): Promise<string>;
  /** Mines `blocks` empty blocks (the local chain only mines on transactions otherwise). */
  mine(blocks?: number): Promise<void>;
  close(): Promise<void>;
}

export interface ServiceOptions extends Omit<BuildOptions, "store"> {
  /** Environment overrides (strings, as in process.env). */
  env?: Record<string, string>;
  /** Reuse this registry fixture (chain) instead of starting one. */
  registry?: RegistryFixture;
  /**
   * Use this store (e.g. a file) instead of a fresh in-memory SQLite one. The tests' own
   * `startService` (test/support/service.ts) passes one of the database under test.
   */
  store?: Store;
}

export async function startService(options: ServiceOptions = {}): Promise<ServiceFixture> {
  const fx = options.registry ?? (await startRegistry());
  const config = loadConfig({
    RPC_URL: fx.chain.url,
    CHAIN_ID: String(fx.chain.chainId),
    REGISTRY_ADDRESS: fx.registry,
    ISSUER_PRIVATE_KEY: fx.chain.privateKey(1),
    FINALITY: "2",
    WORKER_INTERVAL_MS: "50",
    LOG_LEVEL: "silent",
    DATABASE_URL: ":memory:",
    ...options.env,
  });
  const store = options.store ?? openStore(":memory:");
  const { env: _env, registry: _registry, store: _store, ...build } = options;
  const app = await buildApp(config, { logger: false, ...build, store });
  await app.ready();
  await store.upsertIssuer({ id: fx.issuerId, name: "Test University" });
  const newApiKey = async (issuerId: number) => {
    const key = generateApiKey();
    await store.createApiKey({ id: key.id, issuerId, digest: key.digest, label: "test" });
    return key.key;
  };
  const apiKey = await newApiKey(fx.issuerId);
  return {
    ...fx,
    app,
    store,
    config,
    apiKey,
    auth: { authorization: `Bearer ${apiKey}` },
    newApiKey,
    async mine(blocks = 1) {
      for (let i = 0; i < blocks; i++) await fx.chain.provider.send("evm_mine", []);
    },
    async close() {
      await app.close();
      if (!options.registry) await fx.chain.close();
    },
  };
}

/** Polls `check` every 50 ms until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}
