import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FastifyReply } from "fastify";
import type { AsyncRoutePlugin } from "../schemas/types";
import { buildWeb, CONSOLE_FILES, WEB_DIST } from "../web/build";

const isBuilt = (dir: string) => CONSOLE_FILES.every((file) => existsSync(join(dir, file)));

/**
 * The issuer console (issue 14): `/console`, its script and its style, from the web build (built when a
 * build of before the console lacks it). The page talks to the issuer routes of this service with the
 * API key the registrar signs in with; everything else it needs (`/chunks/…`) the verifier's routes serve.
 */
const consolePageRoutes: AsyncRoutePlugin<{ dir?: string }> = async (app, options) => {
  const dir = options.dir ?? WEB_DIST;
  if (!isBuilt(dir)) {
    try {
      await buildWeb({ outDir: dir });
    } catch (error) {
      if (!isBuilt(dir)) throw new Error("the issuer console is not built: run `npm run build:web`", { cause: error });
    }
  }
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  const html = read("console.html");
  const js = read("console.js");
  const css = read("console.css");
  const page = { schema: { hide: true } };
  const send = (type: string, body: string) => async (_request: unknown, reply: FastifyReply) =>
    reply.type(`${type}; charset=utf-8`).header("cache-control", "no-cache").send(body);

  app.get("/console", page, send("text/html", html));
  app.get("/console.js", page, send("text/javascript", js));
  app.get("/console.css", page, send("text/css", css));
};

export default consolePageRoutes;
