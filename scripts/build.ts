/**
 * `npm run build`, which `npm ci` also runs (npm's `prepare`): compiles the contracts and builds the
 * web verifier page, so that `npm run serve` starts without building anything. After
 * `npm ci --omit=dev` (no Hardhat) it builds the page only: the service reads no artifacts.
 */
import { buildWeb } from "../server/web/build";
import { compileContracts, hardhatInstalled } from "./lib/build";

async function main(): Promise<void> {
  if (hardhatInstalled()) {
    await compileContracts();
    console.log("contracts compiled into artifacts/");
  } else {
    console.log("contracts not compiled: Hardhat is not installed (npm ci --omit=dev); the service does not need them");
  }
  console.log(`web verifier page written to ${await buildWeb()}`);
}

main().then(
  // Hardhat leaves timers behind that would keep the process alive.
  () => process.exit(0),
  (error: unknown) => {
    console.error(`build: ${(error as Error).message}`);
    process.exit(1);
  },
);
