import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { runTypeChain } from "typechain";

const ROOT = resolve(__dirname, "../..");

/** One folder of generated bindings and the compiled contracts it types. */
export interface BindingSet {
  /** Where the bindings go, from the repository's root. */
  outDir: string;
  /** `<source>:<contract>`, as under artifacts/. */
  contracts: readonly string[];
}

/**
 * The committed bindings: the registry's in the library (browser-safe, re-exported by src/index.ts),
 * the test-only contracts' beside the harness that deploys them for the tests and the benchmarks.
 */
export const BINDING_SETS: readonly BindingSet[] = [
  { outDir: "src/contracts", contracts: ["contracts/CredentialRegistry.sol:CredentialRegistry"] },
  {
    outDir: "harness/contracts",
    contracts: ["contracts/mocks/MinimalAnchor.sol:MinimalAnchor", "contracts/mocks/VerifyGasProbe.sol:VerifyGasProbe"],
  },
];

function abiOf(root: string, contract: string): { name: string; abi: unknown } {
  const [source, name] = contract.split(":") as [string, string];
  const file = join(root, "artifacts", source, `${name}.json`);
  if (!existsSync(file)) throw new Error(`no compiled artifact at ${file}: run \`npx hardhat compile\` first`);
  return { name, abi: (JSON.parse(readFileSync(file, "utf8")) as { abi: unknown }).abi };
}

/**
 * Writes the TypeChain (ethers v6) bindings of every {@link BINDING_SETS} entry under `outRoot`
 * from the compiled artifacts under `root`, replacing what each folder held, and returns the files
 * written (relative to `outRoot`). TypeChain is given the ABI alone: its factories then carry no
 * creation code (some 34 KB the web page would download for nothing), and every deployment takes
 * the bytecode from the artifact, the one the deployment checks compare the chain's code with.
 * @example
 * await generateBindings(); // what `npm run build:bindings` does after `hardhat compile`
 */
export async function generateBindings(root = ROOT, outRoot = root): Promise<string[]> {
  const written: string[] = [];
  for (const set of BINDING_SETS) {
    const input = mkdtempSync(join(tmpdir(), "credroot-bindings-"));
    try {
      const files = set.contracts.map((contract) => {
        const { name, abi } = abiOf(root, contract);
        const file = join(input, `${name}.json`);
        writeFileSync(file, JSON.stringify(abi));
        return file;
      });
      const outDir = join(outRoot, set.outDir);
      rmSync(outDir, { recursive: true, force: true });
      await runTypeChain({
        cwd: root,
        target: "ethers-v6",
        outDir,
        filesToProcess: files,
        allFiles: files,
        prettier: { printWidth: 120 },
      });
      written.push(...listFiles(outDir).map((file) => relative(outRoot, file)));
    } finally {
      rmSync(input, { recursive: true, force: true });
    }
  }
  return written.sort();
}

/** Every file under `dir`, recursively, as paths. */
export function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
