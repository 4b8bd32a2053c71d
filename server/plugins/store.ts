import fp from "fastify-plugin";
import { openStore } from "../store";
import type { Store } from "../store/types";

declare module "fastify" {
  interface FastifyInstance {
    store: Store;
  }
}

/** Opens the database named by `DATABASE_URL` (or uses the given store), migrates it, closes it on shutdown. */
export default fp<{ databaseUrl: string; poolSize: number; store?: Store }>(
  async (app, options) => {
    const store = options.store ?? openStore(options.databaseUrl, { poolSize: options.poolSize });
    await store.migrate();
    app.decorate("store", store);
    app.addHook("onClose", async () => {
      await store.close();
    });
  },
  { name: "credroot-store" },
);
