import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { build } from "esbuild";
import { parseTrustConfig, type TrustConfig } from "../../src";
import { precompiledSchemas } from "./schemas";

/** The web verifier page's sources (`web/`) and where the service looks for its build. */
export const WEB_ROOT = resolve(__dirname, "../../web");
export const WEB_DIST = join(WEB_ROOT, "dist");

/** The files of a build: what the service serves, and what a static host needs. */
export const WEB_FILES = ["index.html", "app.js", "style.css"] as const;

/** The files of the issuers page (`/issuers`), built beside the verifier page's. */
export const ISSUERS_FILES = ["issuers.html", "issuers.js"] as const;

/** The folder of the build holding the chunks `app.js` imports on demand (`chunks/<name>-<hash>.js`). */
export const CHUNKS = "chunks";

export interface BuildWebParameters {
  /** Folder to write (created; an existing build there is replaced). Default `web/dist`. */
  outDir?: string;
  /** Written as `config.json` beside the page, for a static copy that no service serves. */
  trust?: TrustConfig;
  /** Replace a build already in `outDir` (default true); false keeps one another process just wrote. */
  replace?: boolean;
}

/**
 * Bundles the web verifier page (web/src/main.ts with the library from src/ and ethers) for the
 * browser with esbuild, and copies index.html and style.css beside it. The folder is written
 * whole under a temporary name and then renamed, so a reader never sees half a build.
 * @example
 * await buildWeb({ outDir: "out/web", trust: { chains: [{ chainId: 1, registries: [address], rpcUrl }] } });
 */
export async function buildWeb(parameters: BuildWebParameters = {}): Promise<string> {
  const outDir = resolve(parameters.outDir ?? WEB_DIST);
  const trust = parameters.trust ? parseTrustConfig(parameters.trust) : null;
  mkdirSync(dirname(outDir), { recursive: true });
  const staging = mkdtempSync(`${outDir}.building-`);
  try {
    chmodSync(staging, 0o755); // mkdtemp makes it private; a static host must read it
    await build({
      entryPoints: { app: join(WEB_ROOT, "src/main.ts") },
      outdir: staging,
      // An ES module split into chunks: what only a PDF needs (pdf-lib) loads only when one is given.
      splitting: true,
      chunkNames: `${CHUNKS}/[name]-[hash]`,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: ["es2022"],
      minify: true,
      legalComments: "none",
      logLevel: "silent",
      plugins: [precompiledSchemas],
    });
    // The issuers page: a bundle of its own, so the verifier's app.js and chunks stay as they are.
    await build({
      entryPoints: { issuers: join(WEB_ROOT, "src/issuers/main.ts") },
      outdir: staging,
      bundle: true,
      platform: "browser",
      format: "esm",
      target: ["es2022"],
      minify: true,
      legalComments: "none",
      logLevel: "silent",
      plugins: [precompiledSchemas],
    });
    copyFileSync(join(WEB_ROOT, "issuers.html"), join(staging, "issuers.html"));
    copyFileSync(join(WEB_ROOT, "index.html"), join(staging, "index.html"));
    copyFileSync(join(WEB_ROOT, "style.css"), join(staging, "style.css"));
    if (trust) writeFileSync(join(staging, "config.json"), `${JSON.stringify(trust, null, 2)}\n`);
    if (existsSync(outDir)) {
      if (parameters.replace === false) {
        rmSync(staging, { recursive: true, force: true });
        return outDir;
      }
      rmSync(outDir, { recursive: true, force: true });
    }
    renameSync(staging, outDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  return outDir;
}
