/**
 * Runs the service against the chain and database named in the environment (see README,
 * "Configuration"). `npm start` (scripts/start.ts) does the same with an embedded local chain.
 */
import type { FastifyInstance } from "fastify";
import { buildApp } from "./app";
import { ConfigError, loadConfig, type Config } from "./config";

/** Grace period for in-flight requests and the worker's pass on SIGTERM/SIGINT. */
const SHUTDOWN_MS = 10_000;

/** Listens, and closes gracefully on SIGTERM/SIGINT: in-flight requests finish, new ones get 503. */
export async function serve(config: Config, app?: FastifyInstance): Promise<FastifyInstance> {
  const server = app ?? (await buildApp(config));
  await server.listen({ host: config.host, port: config.port });
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
    void server.close().then(() => {
      clearTimeout(force);
    });
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  return server;
}

if (require.main === module) {
  try {
    void serve(loadConfig()).catch((error: unknown) => {
      console.error(`credroot could not start: ${(error as Error).message}`);
      process.exitCode = 1;
    });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `credroot could not start: ${String(error)}`);
    process.exitCode = 2;
  }
}
