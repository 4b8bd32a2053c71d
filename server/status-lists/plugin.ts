import fp from "fastify-plugin";
import type { Config } from "../config";
import { RevocationScanner } from "./revocations";
import { type IssuerKeyFor, StatusLists } from "./status-lists";

declare module "fastify" {
  interface FastifyInstance {
    /** Each issuer's Bitstring Status List, derived from the registry's revocation events. */
    statusLists: StatusLists;
  }
}

/**
 * `app.statusLists`, signing each issuer's list with the key that signs its credentials
 * (`app.signingKeys.forIssuer`, unless `keyFor` says otherwise). With `background` (the service's
 * worker runs) it reads the registry's revocation events every WORKER_INTERVAL_MS, the service's
 * block poll; in every case it reads them again before serving a list from reads older than that.
 */
export default fp<{ config: Config; keyFor?: IssuerKeyFor; background: boolean }>(
  (app, { config, keyFor, background }, done) => {
    const scanner = new RevocationScanner(app.chain.provider, app.chain.registryAddress, config.registryFromBlock);
    const lists = new StatusLists({
      store: app.store,
      scanner,
      registry: app.chain.registry,
      keyFor: keyFor ?? ((issuerId) => app.signingKeys.forIssuer(issuerId)),
      pollMs: config.workerIntervalMs,
    });
    app.decorate("statusLists", lists);
    let timer: ReturnType<typeof setInterval> | undefined;
    app.addHook("onReady", (next) => {
      if (background) {
        const poll = () => {
          lists.refresh().catch(() => undefined); // a request asks again, and says why
        };
        poll();
        timer = setInterval(poll, config.workerIntervalMs);
        timer.unref();
      }
      next();
    });
    app.addHook("onClose", (_app, next) => {
      clearInterval(timer);
      next();
    });
    done();
  },
  { name: "credroot-status-lists", dependencies: ["credroot-store", "credroot-chain", "signing-keys"] },
);
