import type { FastifyReply, FastifyRequest } from "fastify";
import { type TrustConfig, trustConfigSchema } from "../../src";
import type { Config } from "../config";
import { notFound } from "../errors";
import { idParams } from "../schemas/common";
import type { AsyncRoutePlugin } from "../schemas/types";
import { loadWebAssets } from "../web/assets";

const { $id: _id, ...trustConfigBody } = trustConfigSchema;

const chunkParams = {
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", pattern: "^[A-Za-z0-9_-]{1,80}\\.js$" } },
} as const;

/** What the web verifier page trusts: this service's chain and registry, and the RPC URL a browser may use. */
export function webTrustConfig(config: Config): TrustConfig {
  return {
    chains: [{ chainId: config.chainId, registries: [config.registryAddress], rpcUrl: config.webRpcUrl }],
  };
}

/**
 * The web verifier page: `/` and `/v/<id>` (a share link: the page fetches that credential's
 * bundle and verifies it in the browser, against the chain), its script and style, and
 * `/config.json`, the trust settings it starts from.
 */
const webRoutes: AsyncRoutePlugin<{ dir?: string }> = async (app, options) => {
  const assets = await loadWebAssets(options.dir);
  const page = { schema: { hide: true } };
  const html = (body: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(body);

  app.get("/", page, html(assets.html));
  app.get("/index.html", page, html(assets.html));
  app.get("/v/:id", { schema: { hide: true, params: idParams } }, html(assets.html));
  app.get("/app.js", page, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(assets.js),
  );
  // A chunk's name carries its content hash: it never changes, so it may be cached for good.
  app.get(
    "/chunks/:name",
    { schema: { hide: true, params: chunkParams } },
    async (request: FastifyRequest<{ Params: { name: string } }>, reply) => {
      const chunk = assets.chunks.get(request.params.name);
      if (chunk === undefined) throw notFound(`chunk ${request.params.name}`);
      return reply
        .type("text/javascript; charset=utf-8")
        .header("cache-control", "public, max-age=31536000, immutable")
        .send(chunk);
    },
  );
  app.get("/style.css", page, async (_request, reply) =>
    reply.type("text/css; charset=utf-8").header("cache-control", "no-cache").send(assets.css),
  );
  app.get(
    "/config.json",
    {
      schema: {
        summary: "Trust settings of the web verifier page: chain, registry and the RPC URL a browser uses",
        description:
          "`rpcUrl` is WEB_RPC_URL, or RPC_URL when it is a loopback address, else null (the page then asks for one).",
        tags: ["employer"],
        response: { 200: trustConfigBody },
      },
    },
    (_request, reply) => reply.send(webTrustConfig(app.config)),
  );
};

export default webRoutes;
