import type { ErrorObject } from "ajv";
import envSchema from "env-schema";
import { isAddress } from "ethers";
import type { FromSchema } from "json-schema-to-ts";
import { configSchema } from "./config-schema";

/** A chain (besides the service's own) whose registries `POST /v1/verify` trusts. */
export interface TrustedRegistryConfig {
  chainId: number;
  registry: string;
  rpcUrl: string;
}

/** The service's configuration, read from the environment by {@link loadConfig}. */
export interface Config {
  host: string;
  port: number;
  /** `postgres://…`, or SQLite: `file:path.db`, a path, or `:memory:`. */
  databaseUrl: string;
  /** PostgreSQL: most connections the pool opens. */
  databasePoolSize: number;
  /** JSON-RPC endpoint of the chain the registry lives on. */
  rpcUrl: string;
  chainId: number;
  registryAddress: string;
  /** Key of the issuer signer that anchors and revokes (never logged). */
  issuerPrivateKey: string;
  /**
   * When an anchored batch counts as final: `"finalized"` (the chain's finalized block passed it,
   * for mainnet and L2s) or a number of confirmations (local chains without finality).
   */
  finality: "finalized" | number;
  /** Other chains/registries whose bundles `POST /v1/verify` accepts. */
  trustedRegistries: TrustedRegistryConfig[];
  /**
   * Requests per minute per client IP: on each public route that has its own limit (verify, bundle,
   * share, issuers), and on all the other routes together (the web page, /docs).
   */
  rateLimitPerMinute: number;
  /** Requests per minute per issuer (the API key's) on each issuer route. */
  issuerRateLimitPerMinute: number;
  /** Requests per minute per client IP on `/ready` (each asks the database and the chain). */
  readyRateLimitPerMinute: number;
  /** Largest request body in bytes (a CSV of 100k credentials is ≈ 60 MB). */
  bodyLimit: number;
  requestTimeoutMs: number;
  /** How often the anchoring worker looks at its queue. */
  workerIntervalMs: number;
  /** A transaction unmined after this long is replaced with the same nonce and higher fees. */
  stuckAfterMs: number;
  /**
   * How long the lease on the signer lasts (renewed on every worker pass): the instance holding
   * it alone sends the signer's transactions; when it dies, another takes over this long after.
   */
  leaseTtlMs: number;
  /**
   * The block the registry was deployed in (`blockNumber` of deployments/<chainId>.json): searches
   * for its events (adopting what the chain already holds) never look earlier.
   */
  registryFromBlock: number;
  /**
   * How often `/v1/verify`'s block-keyed answer cache polls the block number; 0 (the default)
   * turns the cache off, so that every verification asks the chain.
   */
  verifyCacheMs: number;
  /**
   * Base URL of share links (`/v/<id>`) and QR codes; without it, the service's own listen address (never the
   * request's Host header, which a client can forge).
   */
  publicUrl: string | null;
  /** STATUS_LIST_BASE_URL (no trailing slash): the base of the status list URLs credentials name; null: the service's own. */
  statusListBaseUrl: string | null;
  /**
   * The JSON-RPC URL the web verifier page (a browser) uses: WEB_RPC_URL, else RPC_URL when its
   * host is loopback, else null (the page asks the person for one). RPC_URL is never published
   * otherwise: it may carry an API key.
   */
  webRpcUrl: string | null;
  /** BADGE_IMAGE_DIR: where the images of baked badges are looked up (per achievement, per issuer); null: generated ones. */
  badgeImageDir: string | null;
  logLevel: Env["LOG_LEVEL"];
  /** ISSUER_SIGNING_KEY: the master secret (32 bytes, hex) issuers' signing keys derive from (never logged); unset: kept in the database. */
  issuerSigningKey?: string;
}

export { configSchema };

/** The environment as {@link configSchema} validates it (defaults filled in). */
type Env = FromSchema<typeof configSchema>;

/** Thrown when the environment does not make a valid configuration; the message names each variable. */
export class ConfigError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ConfigError";
  }
}

/** `31337:0xabc…@http://127.0.0.1:8545,1:0xdef…@https://…` → trusted registries. */
function parseTrusted(text: string): TrustedRegistryConfig[] {
  return text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean)
    .map((item) => {
      const match = /^(\d+):(0x[0-9a-fA-F]{40})@(https?:\/\/\S+)$/.exec(item);
      if (!match || !isAddress(match[2])) {
        throw new ConfigError(`TRUSTED_REGISTRIES: "${item}" is not chainId:0xRegistry@rpcUrl`);
      }
      return { chainId: Number(match[1]), registry: match[2], rpcUrl: match[3]! };
    });
}

/** True when `url`'s host is a loopback address (localhost, 127.0.0.0/8, [::1]). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Reads and validates the configuration from `env` (default `process.env`).
 * @throws ConfigError naming every missing or bad variable.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  let raw: Env;
  try {
    raw = envSchema<Env>({ schema: configSchema, data: env, env: false, dotenv: false });
  } catch (error) {
    const problems = ((error as { errors?: ErrorObject[] }).errors ?? []).map((e) =>
      e.keyword === "required"
        ? `${String(e.params.missingProperty)} is not set`
        : `${e.instancePath.slice(1)} ${e.message ?? "is invalid"}`,
    );
    throw new ConfigError(`invalid configuration: ${problems.join("; ") || (error as Error).message}`);
  }
  if (raw.LEASE_TTL_MS <= 2 * raw.WORKER_INTERVAL_MS) {
    // The holder renews on each pass: a lease shorter than two passes would lapse between them.
    throw new ConfigError(
      `invalid configuration: LEASE_TTL_MS (${raw.LEASE_TTL_MS}) must be more than twice WORKER_INTERVAL_MS (${raw.WORKER_INTERVAL_MS})`,
    );
  }
  return {
    host: raw.HOST,
    port: raw.PORT,
    databaseUrl: raw.DATABASE_URL,
    databasePoolSize: raw.DATABASE_POOL_SIZE,
    rpcUrl: raw.RPC_URL,
    chainId: raw.CHAIN_ID,
    registryAddress: raw.REGISTRY_ADDRESS,
    issuerPrivateKey: raw.ISSUER_PRIVATE_KEY,
    finality: raw.FINALITY === "finalized" ? "finalized" : Number(raw.FINALITY),
    trustedRegistries: parseTrusted(raw.TRUSTED_REGISTRIES),
    rateLimitPerMinute: raw.RATE_LIMIT_PER_MINUTE,
    readyRateLimitPerMinute: raw.READY_RATE_LIMIT_PER_MINUTE,
    issuerRateLimitPerMinute: raw.ISSUER_RATE_LIMIT_PER_MINUTE,
    bodyLimit: raw.BODY_LIMIT,
    requestTimeoutMs: raw.REQUEST_TIMEOUT_MS,
    workerIntervalMs: raw.WORKER_INTERVAL_MS,
    stuckAfterMs: raw.STUCK_AFTER_MS,
    leaseTtlMs: raw.LEASE_TTL_MS,
    registryFromBlock: raw.REGISTRY_FROM_BLOCK,
    verifyCacheMs: raw.VERIFY_CACHE_MS,
    publicUrl: raw.PUBLIC_URL ?? null,
    statusListBaseUrl: raw.STATUS_LIST_BASE_URL?.replace(/\/+$/, "") ?? null,
    webRpcUrl: raw.WEB_RPC_URL ?? (isLoopbackUrl(raw.RPC_URL) ? raw.RPC_URL : null),
    badgeImageDir: raw.BADGE_IMAGE_DIR ?? null,
    logLevel: raw.LOG_LEVEL,
    issuerSigningKey: raw.ISSUER_SIGNING_KEY,
  };
}
