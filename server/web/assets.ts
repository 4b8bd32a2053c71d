import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWeb, CHUNKS, WEB_DIST, WEB_FILES } from "./build";

/** The built web verifier page, read once into memory. */
export interface WebAssets {
  /** index.html with `<base href="/">`, so that `/v/<id>` finds `/app.js` and `/config.json`. */
  html: string;
  js: string;
  css: string;
  /** The chunks app.js imports on demand, by file name (`<name>-<hash>.js`). */
  chunks: ReadonlyMap<string, string>;
}

const isBuilt = (dir: string) => WEB_FILES.every((file) => existsSync(join(dir, file)));

/**
 * Reads the page from `web/dist`, building it first when it is missing (a fresh checkout).
 * @throws Error with one line saying to run `npm run build:web` when it cannot be built.
 */
export async function loadWebAssets(dir: string = WEB_DIST): Promise<WebAssets> {
  if (!isBuilt(dir)) {
    try {
      await buildWeb({ outDir: dir, replace: false });
    } catch (error) {
      // Another process may have built it at the same moment: only fail when it is still missing.
      if (!isBuilt(dir)) {
        throw new Error(
          `the web verifier page is not built (${(error as Error).message.split("\n")[0]}): run \`npm run build:web\``,
          {
            cause: error,
          },
        );
      }
    }
  }
  const read = (file: string) => readFileSync(join(dir, file), "utf8");
  return {
    html: read("index.html").replace("<head>", '<head>\n    <base href="/" />'),
    js: read("app.js"),
    css: read("style.css"),
    chunks: new Map(
      (existsSync(join(dir, CHUNKS)) ? readdirSync(join(dir, CHUNKS)) : [])
        .filter((name) => name.endsWith(".js"))
        .map((name) => [name, read(join(CHUNKS, name))]),
    ),
  };
}
