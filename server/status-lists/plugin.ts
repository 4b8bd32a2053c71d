import fp from "fastify-plugin";
import { IssuerKey } from "../../src/standard";
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
 * Today's key: ISSUER_SIGNING_KEY signs for every issuer (null without it). Per-issuer keys
 * (`keyFor(issuerId)` of server/signing-keys.ts) replace it through the plugin's `keyFor` option.
 */
export function configuredKeyFor(config: Config): IssuerKeyFor {
  const seed = config.issuerSigningKey;
  let key: Promise<IssuerKey> | undefined;
  return () => (seed === undefined ? Promise.resolve(null) : (key ??= IssuerKey.fromSeed(seed)));
}

/**
 * `app.statusLists`: reads the registry's revocation events every WORKER_INTERVAL_MS (the service's
 * block poll) in the background, when the service can sign lists at all, and before serving a list
 * whose reads are older than that.
 */
export default fp<{ config: Config; keyFor?: IssuerKeyFor }>(
  (app, { config, keyFor }, done) => {
    const scanner = new RevocationScanner(app.chain.provider, app.chain.registryAddress, config.registryFromBlock);
    const lists = new StatusLists({
      store: app.store,
      scanner,
      registry: app.chain.registry,
      keyFor: keyFor ?? configuredKeyFor(config),
      pollMs: config.workerIntervalMs,
    });
    app.decorate("statusLists", lists);
    let timer: ReturnType<typeof setInterval> | undefined;
    app.addHook("onReady", (next) => {
      if (keyFor === undefined && config.issuerSigningKey === undefined) {
        next();
        return;
      }
      const poll = () => {
        lists.refresh().catch(() => undefined); // a request asks again, and says why
      };
      poll();
      timer = setInterval(poll, config.workerIntervalMs);
      timer.unref();
      next();
    });
    app.addHook("onClose", (_app, next) => {
      clearInterval(timer);
      next();
    });
    done();
  },
  { name: "credroot-status-lists", dependencies: ["credroot-store", "credroot-chain"] },
);
