import { afterEach, describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig } from "../../server/config";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER_REGISTRY = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";
const KEY = `0x${"ac".repeat(32)}`;

/** The four required variables, valid. */
const BASE = {
  RPC_URL: "http://127.0.0.1:8545",
  CHAIN_ID: "31337",
  REGISTRY_ADDRESS: REGISTRY,
  ISSUER_PRIVATE_KEY: KEY,
};

/** Runs loadConfig and returns the ConfigError it throws. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but the configuration loaded");
}

describe("loadConfig", () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("reads the required variables and fills in every default", () => {
    expect(loadConfig(BASE)).toEqual({
      host: "127.0.0.1",
      port: 3000,
      databaseUrl: "file:.credroot/credroot.db",
      databasePoolSize: 10,
      rpcUrl: "http://127.0.0.1:8545",
      chainId: 31337,
      registryAddress: REGISTRY,
      issuerPrivateKey: KEY,
      finality: "finalized",
      trustedRegistries: [],
      rateLimitPerMinute: 600,
      readyRateLimitPerMinute: 60,
      issuerRateLimitPerMinute: 6000,
      bodyLimit: 128 * 1024 * 1024,
      requestTimeoutMs: 120_000,
      workerIntervalMs: 1000,
      stuckAfterMs: 180_000,
      leaseTtlMs: 15_000,
      registryFromBlock: 0,
      verifyCacheMs: 0,
      publicUrl: null,
      statusListBaseUrl: null,
      webRpcUrl: "http://127.0.0.1:8545",
      badgeImageDir: null,
      logLevel: "info",
    });
  });

  it("gives the web page RPC_URL only when its host is loopback, else WEB_RPC_URL or nothing", () => {
    expect(loadConfig({ ...BASE, RPC_URL: "http://localhost:8545" }).webRpcUrl).toBe("http://localhost:8545");
    expect(loadConfig({ ...BASE, RPC_URL: "http://[::1]:8545" }).webRpcUrl).toBe("http://[::1]:8545");
    expect(loadConfig({ ...BASE, RPC_URL: "https://node.example/v3/SECRETKEY" }).webRpcUrl).toBeNull();
    expect(loadConfig({ ...BASE, RPC_URL: "http://127.0.0.1.example.org/" }).webRpcUrl).toBeNull();
    expect(
      loadConfig({ ...BASE, RPC_URL: "https://node.example/v3/SECRETKEY", WEB_RPC_URL: "https://public.example" })
        .webRpcUrl,
    ).toBe("https://public.example");
  });

  it("reads every optional variable, as numbers where they are numbers", () => {
    const config = loadConfig({
      ...BASE,
      HOST: "0.0.0.0",
      PORT: "8080",
      DATABASE_URL: ":memory:",
      FINALITY: "12",
      RATE_LIMIT_PER_MINUTE: "30",
      ISSUER_RATE_LIMIT_PER_MINUTE: "300",
      BODY_LIMIT: "4096",
      REQUEST_TIMEOUT_MS: "5000",
      WORKER_INTERVAL_MS: "250",
      LEASE_TTL_MS: "5000",
      DATABASE_POOL_SIZE: "25",
      PUBLIC_URL: "https://credroot.example.org",
      LOG_LEVEL: "warn",
    });
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      databaseUrl: ":memory:",
      finality: 12,
      rateLimitPerMinute: 30,
      issuerRateLimitPerMinute: 300,
      bodyLimit: 4096,
      requestTimeoutMs: 5000,
      workerIntervalMs: 250,
      leaseTtlMs: 5000,
      databasePoolSize: 25,
      publicUrl: "https://credroot.example.org",
      logLevel: "warn",
    });
  });

  it("reads FINALITY as a number of confirmations or the word finalized", () => {
    expect(loadConfig({ ...BASE, FINALITY: "1" }).finality).toBe(1);
    expect(loadConfig({ ...BASE, FINALITY: "9999" }).finality).toBe(9999);
    expect(loadConfig({ ...BASE, FINALITY: "finalized" }).finality).toBe("finalized");
  });

  it("accepts a private key without 0x", () => {
    expect(loadConfig({ ...BASE, ISSUER_PRIVATE_KEY: "ac".repeat(32) }).issuerPrivateKey).toBe("ac".repeat(32));
  });

  it("reads process.env by default, and only the env it is given otherwise", () => {
    for (const [name, value] of Object.entries(BASE)) vi.stubEnv(name, value);
    vi.stubEnv("PORT", "4321");
    expect(loadConfig().port).toBe(4321);
    expect(loadConfig({ ...BASE }).port).toBe(3000);
  });

  it("ignores variables it does not know", () => {
    expect(() => loadConfig({ ...BASE, PATH: "/usr/bin", HOME: "/root" })).not.toThrow();
  });

  it.each(Object.keys(BASE))("names %s when it is missing", (name) => {
    const error = configError({ ...BASE, [name]: undefined });
    expect(error.name).toBe("ConfigError");
    expect(error.message).toContain(`${name} is not set`);
  });

  it("names every missing variable at once", () => {
    const { message } = configError({});
    for (const name of Object.keys(BASE)) expect(message).toContain(`${name} is not set`);
  });

  it.each([
    ["RPC_URL", "127.0.0.1:8545"],
    ["RPC_URL", "ftp://node.example.org"],
    ["CHAIN_ID", "abc"],
    ["CHAIN_ID", "0"],
    ["CHAIN_ID", "1.5"],
    ["REGISTRY_ADDRESS", "0x1234"],
    ["REGISTRY_ADDRESS", "5FbDB2315678afecb367f032d93F642f64180aa3"],
    ["ISSUER_PRIVATE_KEY", "0x1234"],
    ["ISSUER_PRIVATE_KEY", `0x${"zz".repeat(32)}`],
    ["FINALITY", "0"],
    ["FINALITY", "10000"],
    ["FINALITY", "safe"],
    ["FINALITY", "-1"],
    ["PORT", "70000"],
    ["PORT", "http"],
    ["DATABASE_URL", ""],
    ["RATE_LIMIT_PER_MINUTE", "0"],
    ["BODY_LIMIT", "1023"],
    ["REQUEST_TIMEOUT_MS", "999"],
    ["WORKER_INTERVAL_MS", "9"],
    ["LEASE_TTL_MS", "99"],
    ["LEASE_TTL_MS", "2000"],
    ["DATABASE_POOL_SIZE", "0"],
    ["PUBLIC_URL", "credroot.example.org"],
    ["WEB_RPC_URL", "ws://node.example.org"],
    ["LOG_LEVEL", "verbose"],
  ])("names %s when it is %j", (name, value) => {
    expect(configError({ ...BASE, [name]: value }).message).toContain(name);
  });

  it("refuses a lease that would lapse between two worker passes, naming both variables", () => {
    const { message } = configError({ ...BASE, WORKER_INTERVAL_MS: "1000", LEASE_TTL_MS: "2000" });
    expect(message).toContain("LEASE_TTL_MS (2000) must be more than twice WORKER_INTERVAL_MS (1000)");
    expect(loadConfig({ ...BASE, WORKER_INTERVAL_MS: "1000", LEASE_TTL_MS: "2001" }).leaseTtlMs).toBe(2001);
  });

  it("names each bad variable when several are bad", () => {
    const { message } = configError({ ...BASE, CHAIN_ID: "zero", PORT: "-1", LOG_LEVEL: "loud" });
    for (const name of ["CHAIN_ID", "PORT", "LOG_LEVEL"]) expect(message).toContain(name);
  });

  // Regression: RPC_URL accepts ws:// and wss:// (server/config.ts, pattern "^(https?|wss?)://"), but the
  // service always connects with a JsonRpcProvider (server/plugins/chain.ts), which speaks HTTP
  // only: every chain call then fails with "unsupported protocol ws" and the service starts
  // anyway, answering 503 everywhere. Expected: refuse the configuration (or use a WebSocket provider).
  it("refuses a WebSocket RPC_URL, which the service's HTTP provider cannot use", () => {
    expect(configError({ ...BASE, RPC_URL: "wss://node.example.org" }).message).toContain("RPC_URL");
  });

  describe("TRUSTED_REGISTRIES", () => {
    it("is empty by default and when blank", () => {
      expect(loadConfig({ ...BASE, TRUSTED_REGISTRIES: "" }).trustedRegistries).toEqual([]);
      expect(loadConfig({ ...BASE, TRUSTED_REGISTRIES: " , " }).trustedRegistries).toEqual([]);
    });

    it("reads a comma-separated list of chainId:0xRegistry@rpcUrl, spaces allowed", () => {
      const config = loadConfig({
        ...BASE,
        TRUSTED_REGISTRIES: ` 1:${REGISTRY}@https://eth.example.org/rpc ,11155111:${OTHER_REGISTRY}@http://10.0.0.2:8545,`,
      });
      expect(config.trustedRegistries).toEqual([
        { chainId: 1, registry: REGISTRY, rpcUrl: "https://eth.example.org/rpc" },
        { chainId: 11155111, registry: OTHER_REGISTRY, rpcUrl: "http://10.0.0.2:8545" },
      ]);
    });

    it.each([
      ["no chain id", `${REGISTRY}@https://eth.example.org`],
      ["no RPC URL", `1:${REGISTRY}`],
      ["a short address", "1:0x1234@https://eth.example.org"],
      ["a bad address checksum", `1:${REGISTRY.replace("F", "f")}@https://eth.example.org`],
      ["a WebSocket URL", `1:${REGISTRY}@wss://eth.example.org`],
      ["a non-numeric chain id", `mainnet:${REGISTRY}@https://eth.example.org`],
    ])("rejects an entry with %s, naming the variable and the entry", (_what, entry) => {
      const error = configError({ ...BASE, TRUSTED_REGISTRIES: `1:${OTHER_REGISTRY}@https://ok.example.org,${entry}` });
      expect(error.message).toContain("TRUSTED_REGISTRIES");
      expect(error.message).toContain(entry);
      expect(error.message).not.toContain("ok.example.org");
    });
  });
});
