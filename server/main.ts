/**
 * Runs the service against the chain and database named in the environment (see README,
 * "Configuration"). `npm start` (scripts/start.ts) does the same with an embedded local chain.
 */
import { JsonRpcProvider } from "ethers";
import type { FastifyInstance } from "fastify";
import { withTimeout } from "../src/timeout";
import { buildApp } from "./app";
import { chainMismatch } from "./chain-identity";
import { ConfigError, loadConfig, type Config } from "./config";

/** Grace period for in-flight requests and the worker's pass on SIGTERM/SIGINT. */
const SHUTDOWN_MS = 10_000;

/** How often a closing server drops keep-alive connections that have gone idle since the last look. */
const IDLE_SWEEP_MS = 50;

/**
 * Listens, and closes gracefully on SIGTERM/SIGINT: in-flight requests finish, new ones get 503,
 * and keep-alive connections are dropped as soon as they are idle, so the process exits (0) once
 * the last response is out and the worker's pass is done.
 * @throws ConfigError naming the port and the PORT variable when the port is taken; the app (its worker,
 * its store and whatever its onClose hooks stop) is closed first.
 */
/** The port the service should listen on is taken: the message says which, and to set PORT. */
export class PortInUseError extends Error {
  override readonly name = "PortInUseError";
  constructor(config: Pick<Config, "host" | "port">, cause: unknown) {
    super(`port ${config.port} on ${config.host} is in use: set PORT to a free one (e.g. PORT=3001)`, { cause });
  }
}

export async function serve(config: Config, app?: FastifyInstance): Promise<FastifyInstance> {
  const server = app ?? (await buildApp(config));
  try {
    await server.listen({ host: config.host, port: config.port });
  } catch (error) {
    await server.close().catch(() => undefined);
    if ((error as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new PortInUseError(config, error);
    }
    throw error;
  }
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    server.log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      server.log.error("shutdown took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_MS);
    force.unref();
    // Fastify drops the connections idle when close begins; a keep-alive connection whose request
    // was in flight goes idle only after its response, and would otherwise hold the server open
    // for the whole keep-alive timeout.
    const sweep = setInterval(() => server.server.closeIdleConnections(), IDLE_SWEEP_MS);
    sweep.unref();
    void server.close().then(
      () => {
        clearTimeout(force);
        clearInterval(sweep);
      },
      (error: unknown) => {
        server.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  return server;
}

/** How long start-up waits for the chain to say which it is before starting anyway. */
const IDENTITY_TIMEOUT_MS = 5000;

/**
 * Refuses a configuration whose RPC_URL serves another chain than CHAIN_ID, or whose
 * REGISTRY_ADDRESS holds no contract. A chain that does not answer is no reason not to start
 * (the worker waits for it, /ready reports it): that only logs a warning.
 */
export async function checkChain(config: Config, warn: (line: string) => void): Promise<string | null> {
  const provider = new JsonRpcProvider(config.rpcUrl, config.chainId, { staticNetwork: true, batchMaxCount: 1 });
  try {
    return await withTimeout(chainMismatch(provider, config.chainId, config.registryAddress), IDENTITY_TIMEOUT_MS);
  } catch {
    warn("credroot: the chain did not answer at start-up; starting anyway (see GET /ready)");
    return null;
  } finally {
    provider.destroy();
  }
}

async function main(config: Config): Promise<void> {
  const wrong = await checkChain(config, (line) => console.error(line));
  if (wrong !== null) {
    console.error(`credroot could not start: ${wrong}`);
    process.exitCode = 2;
    return;
  }
  await serve(config);
}

if (require.main === module) {
  try {
    void main(loadConfig()).catch((error: unknown) => {
      console.error(`credroot could not start: ${(error as Error).message}`);
      process.exitCode = 1;
    });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `credroot could not start: ${String(error)}`);
    process.exitCode = 2;
  }
}
