import type { EventEmitter } from "node:events";
import { JsonRpcProvider, type JsonRpcSigner } from "ethers";
import type { HardhatConfig } from "hardhat/types";

/** A Hardhat chain running in this process, served over JSON-RPC on 127.0.0.1. */
export interface LocalChain {
  url: string;
  chainId: number;
  /** A provider with a static network: it never spends an RPC call on chain detection. */
  provider: JsonRpcProvider;
  /** The chain's unlocked, funded accounts. */
  signer(index: number): Promise<JsonRpcSigner>;
  /** The private key of funded account `index` (Hardhat's well-known test mnemonic: never use it elsewhere). */
  privateKey(index: number): string;
  close(): Promise<void>;
}

/** Hardhat's JSON-RPC server (`JsonRpcServer`): an HTTP server with a WebSocket server on top. */
interface HardhatRpcServer {
  listen(): Promise<{ port: number }>;
  close(): Promise<void>;
  readonly _httpServer?: EventEmitter;
  readonly _wsServer?: EventEmitter;
}

/**
 * `server.listen()`, but a port that is taken rejects (`code` EADDRINUSE) instead of never settling:
 * Hardhat's listen() has no error path, and the WebSocket server re-emits the HTTP server's
 * 'error', which with no listener crashes the process (`Unhandled 'error' event`).
 */
async function listen(server: HardhatRpcServer): Promise<{ port: number }> {
  const emitters = [server._httpServer, server._wsServer].filter((e): e is EventEmitter => e !== undefined);
  let onError: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    onError = reject;
  });
  for (const emitter of emitters) emitter.on("error", onError);
  try {
    return await Promise.race([server.listen(), failed]);
  } finally {
    for (const emitter of emitters) emitter.off("error", onError);
  }
}

/**
 * Hardhat's resolved config with the `hardhat` network's clock starting now: unless configured,
 * Hardhat sets `initialDate` to when it loaded its config, and a chain created minutes later in
 * the same process would run that many minutes behind this machine's clock.
 */
function startingNow(config: HardhatConfig): HardhatConfig {
  const { hardhat } = config.networks;
  return {
    ...config,
    networks: { ...config.networks, hardhat: { ...hardhat, initialDate: new Date().toISOString() } },
  };
}

/**
 * Starts a new Hardhat in-memory chain (the `hardhat` network of hardhat.config.ts, from its
 * genesis, with its clock at this machine's) and its JSON-RPC server on `hostname:port` (port 0: an
 * ephemeral port). Nothing leaves the machine. Each call starts a chain of its own: what one chain
 * mines, or how far its clock is moved, never reaches another started in the same process (a test
 * file's, or the one before it in the same test worker). `hre.network.provider`, the chain of
 * Hardhat's own tasks and of `hre.ethers`, is not one of them.
 * @throws Error with `code` EADDRINUSE when `port` is taken.
 */
export async function startLocalChain(options: { hostname?: string; port?: number } = {}): Promise<LocalChain> {
  // Loaded lazily: importing Hardhat reads hardhat.config.ts, which only the embedded chain needs.
  const { default: hre } = await import("hardhat");
  const { TASK_NODE_CREATE_SERVER } = await import("hardhat/builtin-tasks/task-names");
  // Hardhat's own constructor of `hre.network.provider` (not exported by its public API).
  const { createProvider } = await import("hardhat/internal/core/providers/construction");
  const hostname = options.hostname ?? "127.0.0.1";
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, {
    hostname,
    port: options.port ?? 0,
    provider: await createProvider(startingNow(hre.config), "hardhat", hre.artifacts),
  })) as HardhatRpcServer;
  const { port } = await listen(server);
  const url = `http://${hostname}:${port}`;
  const chainId = hre.network.config.chainId ?? 31337;
  // hardhat.config.ts lists the accounts by private key.
  const accounts = hre.network.config.accounts as readonly { privateKey: string }[];
  const provider = new JsonRpcProvider(url, chainId, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
  return {
    url,
    chainId,
    provider,
    signer: (index) => provider.getSigner(index),
    privateKey: (index) => {
      const account = accounts[index];
      if (account === undefined)
        throw new RangeError(`the local chain has ${accounts.length} accounts, not ${index + 1}`);
      return account.privateKey;
    },
    async close() {
      provider.destroy();
      await server.close();
    },
  };
}
