// Hardhat's library entry loads hardhat.config.ts through require(), outside vitest's transform:
// register ts-node (transpile only) the way Hardhat's own CLI does. Lazily, when require() first
// meets a .ts file: ts-node loads the TypeScript compiler (0.4 s a file on an idle machine, twice
// that on a busy one), and most test files never start a chain, so never load Hardhat.
import Module, { createRequire } from "node:module";
import { afterAll, vi } from "vitest";

type Loader = (module: NodeJS.Module, filename: string) => void;
const loaders = (Module as unknown as { _extensions: Record<string, Loader | undefined> })._extensions;

if (loaders[".ts"] === undefined) {
  loaders[".ts"] = (module, filename) => {
    // ts-node installs its own loader for .ts, in place of this one.
    delete loaders[".ts"];
    createRequire(__filename)("ts-node/register/transpile-only");
    const tsNode = loaders[".ts"];
    if (tsNode === undefined) throw new Error("ts-node/register installed no loader for .ts files");
    tsNode(module, filename);
  };
}

// Test files share their worker (vitest.config.mts, `isolate: false`): the packages it loaded
// (Hardhat, ethers, Fastify…) stay loaded, which is the point; this project's modules are
// evaluated afresh for each file, so that module state (caches, a helper's fixtures, `vi.mock`)
// is the file's own, as in a process of its own.
vi.resetModules();

// And what a file changed in the process is put back after its tests, for the next file.
afterAll(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
