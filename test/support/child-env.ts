import { generateApiKey } from "../../server/keys";
import { openStore } from "../../server/store";
import type { RegistryFixture } from "../../harness/registry";

/**
 * Creates the SQLite database at `path` the way an operator prepares one for `server/main.ts`
 * (migrated, the fixture's issuer, one API key) and returns that key's `Authorization` header.
 */
export async function seedDatabase(path: string, registry: RegistryFixture): Promise<{ authorization: string }> {
  const store = openStore(`file:${path}`);
  try {
    await store.migrate();
    await store.upsertIssuer({ id: registry.issuerId, name: "Test University" });
    const key = generateApiKey();
    await store.createApiKey({ id: key.id, issuerId: registry.issuerId, digest: key.digest, label: "fault tests" });
    return { authorization: `Bearer ${key.key}` };
  } finally {
    await store.close();
  }
}

/**
 * The environment of a `server/main.ts` child on the fixture's registry: signer account 1, the
 * database at `databasePath`, an ephemeral port on 127.0.0.1, FINALITY=2, a 50 ms worker interval,
 * no rate limit to speak of; `rpcUrl` (e.g. a proxy) instead of the chain's own URL; `extra` last.
 */
export function childEnv(
  registry: RegistryFixture,
  options: { databasePath: string; rpcUrl?: string; extra?: Record<string, string> },
): Record<string, string> {
  return {
    RPC_URL: options.rpcUrl ?? registry.chain.url,
    CHAIN_ID: String(registry.chain.chainId),
    REGISTRY_ADDRESS: registry.registry,
    ISSUER_PRIVATE_KEY: registry.chain.privateKey(1),
    DATABASE_URL: `file:${options.databasePath}`,
    HOST: "127.0.0.1",
    PORT: "0",
    FINALITY: "2",
    WORKER_INTERVAL_MS: "50",
    // A process killed with -9 keeps the signer's lease: its successor takes over once it lapses.
    LEASE_TTL_MS: "500",
    RATE_LIMIT_PER_MINUTE: "1000000",
    ...options.extra,
  };
}
