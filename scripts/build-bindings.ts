/**
 * `npm run build:bindings` (after `hardhat compile`): regenerates the committed contract bindings
 * (src/contracts, harness/contracts) from the compiled artifacts. Run it after changing a contract;
 * test/scripts/bindings.test.ts fails while the committed bindings and the artifacts differ.
 */
import { generateBindings } from "./lib/bindings";

generateBindings()
  .then((files) => console.log(`wrote ${files.length} binding files:\n  ${files.join("\n  ")}`))
  .catch((error: unknown) => {
    console.error(`build:bindings: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
