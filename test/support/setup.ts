// Hardhat's library entry loads hardhat.config.ts through require(), outside vitest's transform:
// register ts-node (transpile only) the way Hardhat's own CLI does.
import "ts-node/register/transpile-only";
