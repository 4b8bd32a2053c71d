import fp from "fastify-plugin";
import { AnchorWorker } from "../worker/anchor";
import type { Config } from "../config";

declare module "fastify" {
  interface FastifyInstance {
    /** Asks the anchoring worker for a pass now (no-op when the worker is off). */
    wakeWorker: () => void;
    worker: AnchorWorker | null;
  }
}

/** Runs the anchoring worker inside the service: started when the app is ready, stopped (after its pass) on close. */
export default fp<{ config: Config; enabled: boolean }>(
  (app, { config, enabled }, done) => {
    const worker = enabled
      ? new AnchorWorker({
          store: app.store,
          provider: app.chain.provider,
          wallet: app.chain.wallet,
          registry: app.chain.registryAddress,
          finality: config.finality,
          intervalMs: config.workerIntervalMs,
          log: app.log,
        })
      : null;
    app.decorate("worker", worker);
    app.decorate("wakeWorker", () => worker?.wake());
    app.addHook("onReady", (next) => {
      worker?.start();
      next();
    });
    app.addHook("preClose", async () => {
      await worker?.stop();
    });
    done();
  },
  { name: "credroot-worker", dependencies: ["credroot-store", "credroot-chain"] },
);
