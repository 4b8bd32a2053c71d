import "@nomicfoundation/hardhat-ethers";
import { HDNodeWallet, Mnemonic } from "ethers";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/types";

/**
 * Solidity is compiled offline with the solc-js build shipped by the `solc` npm package:
 * Hardhat would otherwise download a compiler at compile time, which a machine with only
 * the npm registry cannot do. The package is pinned exactly to SOLC_VERSION.
 */
const SOLC_VERSION = "0.8.28";
/** One EVM version everywhere (compiler and local chain) so that gas figures are comparable. */
const EVM_VERSION = "cancun";

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, (args: { solcVersion: string }) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { version(): string };
  const longVersion = solc.version();
  if (args.solcVersion !== SOLC_VERSION || !longVersion.startsWith(`${SOLC_VERSION}+`)) {
    throw new Error(
      `solc mismatch: config asks for ${args.solcVersion}, the solc package is ${longVersion}; ` +
        `pin both to ${SOLC_VERSION}`,
    );
  }
  return Promise.resolve({
    compilerPath: require.resolve("solc/soljson.js"),
    isSolcJs: true,
    version: SOLC_VERSION,
    longVersion,
  });
});

/**
 * The local chain's funded accounts: the 20 that Hardhat derives from its well-known test mnemonic
 * (never use it elsewhere), with Hardhat's default balance. Derived here because ethers runs PBKDF2
 * in Node's crypto, once: Hardhat runs a pure-JS PBKDF2 for each account, which took about 1 s of
 * every process that starts the chain (each test file that does).
 */
const TEST_MNEMONIC = "test test test test test test test test test test test junk";
const accountRoot = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(TEST_MNEMONIC), "m/44'/60'/0'/0");
const ACCOUNTS = Array.from({ length: 20 }, (_, index) => ({
  privateKey: accountRoot.deriveChild(index).privateKey,
  balance: "10000000000000000000000",
}));

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 10_000 },
    },
  },
  networks: {
    // Only the in-process chain: `npm run deploy` connects to RPC_URL itself (deploy/commands/deploy.ts).
    hardhat: { hardfork: EVM_VERSION, chainId: 31337, accounts: ACCOUNTS },
  },
  paths: { tests: "test/contracts" },
};

export default config;
