import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyReply } from "fastify";
import type { AsyncRoutePlugin } from "../schemas/types";
import { loadWebAssets } from "../web/assets";
import { buildWeb, ISSUERS_FILES, WEB_DIST } from "../web/build";

/**
 * The read-only issuers page: `/issuers` (and `/issuers.html`, as a static copy names it) and its
 * script. The page reads every issuer from the chain in the browser, with the verifier page's
 * `/config.json` and style; it asks this service for nothing else.
 */
const issuersPageRoutes: AsyncRoutePlugin<{ dir?: string }> = async (app, options) => {
  const dir = options.dir ?? WEB_DIST;
  await loadWebAssets(dir); // builds web/dist when it is missing, as the verifier page's routes do
  // A build from before the issuers page existed: build it again (the verifier's assets are read already).
  if (!ISSUERS_FILES.every((file) => existsSync(join(dir, file)))) await buildWeb({ outDir: dir });
  const html = readFileSync(join(dir, "issuers.html"), "utf8").replace("<head>", '<head>\n    <base href="/" />');
  const js = readFileSync(join(dir, "issuers.js"), "utf8");
  const page = { schema: { hide: true } };
  const sendHtml = async (_request: unknown, reply: FastifyReply) =>
    reply.type("text/html; charset=utf-8").header("cache-control", "no-cache").send(html);
  app.get("/issuers", page, sendHtml);
  app.get("/issuers.html", page, sendHtml);
  app.get("/issuers.js", page, async (_request, reply) =>
    reply.type("text/javascript; charset=utf-8").header("cache-control", "no-cache").send(js),
  );
};

export default issuersPageRoutes;
