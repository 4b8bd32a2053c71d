import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { keccak256 } from "ethers";

const ROOT = join(__dirname, "..");

/** `{ start, length }` byte ranges of one immutable variable in the runtime code (solc output). */
export type ImmutableReferences = Record<string, readonly { start: number; length: number }[]>;

/** The compiler and the settings a contract was built with, as recorded in Hardhat's build info. */
export interface CompilerInfo {
  /** e.g. `0.8.28+commit.7893614a.Emscripten.clang`. */
  version: string;
  evmVersion: string;
  optimizer: { enabled: boolean; runs: number };
}

/** A compiled contract: what is deployed and what the code at its address must then be. */
export interface ContractArtifact {
  contractName: string;
  sourceName: string;
  abi: readonly unknown[];
  /** Creation code (constructor + runtime), without constructor arguments. */
  bytecode: string;
  /** Runtime code, CBOR metadata included, with zeros where immutables go. */
  deployedBytecode: string;
  immutableReferences: ImmutableReferences;
  compiler: CompilerInfo;
}

interface HardhatArtifact {
  contractName: string;
  sourceName: string;
  abi: unknown[];
  bytecode: string;
  deployedBytecode: string;
  deployedLinkReferences: Record<string, unknown>;
}

interface BuildInfo {
  solcLongVersion: string;
  input: { settings: { evmVersion?: string; optimizer?: { enabled?: boolean; runs?: number } } };
  output: {
    contracts: Record<
      string,
      Record<string, { evm: { deployedBytecode: { immutableReferences?: ImmutableReferences } } } | undefined>
    >;
  };
}

function readJson(file: string): unknown {
  if (!existsSync(file)) throw new Error(`no compiled artifact at ${file}: run \`npx hardhat compile\` first`);
  return JSON.parse(readFileSync(file, "utf8"));
}

/**
 * Reads `artifacts/contracts/<source>/<name>.json` and, from the build info it points to, the
 * immutable references (Hardhat's artifact leaves them out) and the compiler settings actually used
 * (those of hardhat.config.ts at compile time).
 */
export function loadArtifact(sourceName: string, contractName: string, root = ROOT): ContractArtifact {
  const base = join(root, "artifacts", sourceName, contractName);
  const artifact = readJson(`${base}.json`) as HardhatArtifact;
  if (Object.keys(artifact.deployedLinkReferences).length > 0) {
    // Library addresses would have to be linked in before the code can be compared.
    throw new Error(`${contractName} links external libraries, which the deployment tooling does not support`);
  }
  const { buildInfo } = readJson(`${base}.dbg.json`) as { buildInfo: string };
  const info = readJson(join(dirname(base), buildInfo)) as BuildInfo;
  const output = info.output.contracts[sourceName]?.[contractName];
  if (!output) throw new Error(`the build info of ${contractName} does not hold it: recompile`);
  const { settings } = info.input;
  return {
    contractName,
    sourceName,
    abi: artifact.abi,
    bytecode: artifact.bytecode,
    deployedBytecode: artifact.deployedBytecode,
    immutableReferences: output.evm.deployedBytecode.immutableReferences ?? {},
    compiler: {
      version: info.solcLongVersion,
      evmVersion: settings.evmVersion ?? "default",
      optimizer: { enabled: settings.optimizer?.enabled ?? false, runs: settings.optimizer?.runs ?? 200 },
    },
  };
}

/** The registry's artifact. */
export const registryArtifact = (root = ROOT): ContractArtifact =>
  loadArtifact("contracts/CredentialRegistry.sol", "CredentialRegistry", root);

/** keccak256 of a hex string's bytes. */
export const codeHash = (hex: string): string => keccak256(hex);
