/**
 * Run by `npm run serve` before the service: a production start does no build work, so a checkout
 * where `npm run build` has not run stops here in one line (exit 1) rather than building at every
 * start. A build older than its sources only draws a warning: the service still starts.
 */
import { webBuildState } from "./lib/build";

const state = webBuildState();
if (state === "missing") {
  console.error("credroot could not start: the web verifier page (web/dist) is not built: run `npm run build`");
  process.exitCode = 1;
} else if (state === "stale") {
  console.error("credroot: the web verifier page (web/dist) is older than its sources: `npm run build` updates it");
}
