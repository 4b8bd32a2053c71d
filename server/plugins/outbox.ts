import fp from "fastify-plugin";
import { Outbox, type OutboxOptions } from "../outbox/outbox";
import type { Config } from "../config";

declare module "fastify" {
  interface FastifyInstance {
    /** Asks the anchoring outbox for a pass now (no-op when the outbox is off). */
    wakeWorker: () => void;
    /** The anchoring outbox, or null when this instance runs none (`worker: false`). */
    worker: Outbox | null;
  }
}

const die = () => process.kill(process.pid, "SIGKILL");

/**
 * `CREDROOT_FAULT=crash-after-sign|crash-after-broadcast` makes the process kill itself at that
 * point of anchoring: how the crash tests prove that nothing is lost or sent twice. Tests only.
 */
function crashFaults(fault: string | undefined): OutboxOptions["faults"] {
  if (fault === "crash-after-sign") return { afterSign: die };
  if (fault === "crash-after-broadcast") return { afterBroadcast: die };
  return undefined;
}

/**
 * Runs the anchoring outbox inside the service: started when the app is ready, stopped (after its
 * pass, giving the signer's lease up) on close, before the store closes. (The decorations keep
 * their names, `worker` and `wakeWorker`, which routes and tests use.)
 */
export default fp<{ config: Config; enabled: boolean }>(
  (app, { config, enabled }, done) => {
    const worker = enabled
      ? new Outbox({
          store: app.store,
          provider: app.chain.provider,
          wallet: app.chain.wallet,
          registry: app.chain.registryAddress,
          finality: config.finality,
          intervalMs: config.workerIntervalMs,
          stuckAfterMs: config.stuckAfterMs,
          leaseTtlMs: config.leaseTtlMs,
          fromBlock: config.registryFromBlock,
          log: app.log,
          faults: crashFaults(process.env.CREDROOT_FAULT),
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
