/**
 * What the deployment tests (test/scripts/deploy*.test.ts) share: the registry's artifact, helpers
 * that send to it and run the deploy and verify commands, temporary deployments folders, and the
 * local chain of the "deploying the registry" tests ({@link useDeployChain}).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, type ContractTransactionResponse, type Signer, Wallet } from "ethers";
import { afterAll, beforeAll, expect } from "vitest";
import type { ScriptIo } from "../../deploy/commands/script-io";
import { registryArtifact } from "../../deploy/artifact";
import type { DeployOptions } from "../../deploy/deployment";
import type { DeploymentError } from "../../deploy/deployment-error";
import { type LocalChain, startLocalChain } from "../../deploy/local";
import { type Connection, connect } from "../../deploy/rpc";

export const ROOT = resolve(__dirname, "../..");
export const artifact = registryArtifact();
export const V1_RECORD = join(__dirname, "fixtures/deployment-v1.json");

/** The registry at `address`, as `runner` sees it. */
export const registryAt = (address: string, runner: Signer | Connection["provider"]) =>
  new Contract(address, artifact.abi as never[], runner);

/** Sends `method(...args)` to the registry at `address` from `signer` and waits for it to be mined. */
export async function send(address: string, signer: Signer, method: string, ...args: unknown[]): Promise<number> {
  const tx = (await registryAt(address, signer).getFunction(method)(...args)) as ContractTransactionResponse;
  const receipt = (await tx.wait())!;
  return (await receipt.getBlock()).timestamp;
}

const outDirs: string[] = [];

/** A fresh temporary deployments folder, removed after the file. */
export const tempOut = () => {
  const dir = mkdtempSync(join(tmpdir(), "credroot-deploy-"));
  outDirs.push(dir);
  return dir;
};

/** What a script printed, and its exit status. */
export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script's `main` in this process with `env` as its whole environment. */
export async function runMain(
  main: (argv: readonly string[], io: ScriptIo) => Promise<number>,
  argv: readonly string[],
  env: Record<string, string>,
): Promise<ScriptRun> {
  const out: string[] = [];
  const err: string[] = [];
  const status = await main(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env });
  return { status, stdout: out.map((l) => `${l}\n`).join(""), stderr: err.map((l) => `${l}\n`).join("") };
}

/** Runs `scripts/<name>` in a child process, as `npm run` does, with only PATH from this environment. */
export function spawnScript(name: string, argv: readonly string[], env: Record<string, string>): Promise<ScriptRun> {
  const child = spawn(process.execPath, ["--import", "tsx", `deploy/commands/${name}`, ...argv], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once("close", (status) => done({ status, stdout, stderr })));
}

/** The error `promise` rejects with (fails the test when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<DeploymentError> {
  return promise.then(
    () => expect.fail("expected a refusal"),
    (error: unknown) => error as DeploymentError,
  );
}

// The chain every "deploying the registry" file deploys on, set by useDeployChain().
export let chain: LocalChain;
export let connection: Connection;
export let deployer: Wallet;
export let admin: string;
export let accreditor: string;
export let options: (extra?: Partial<DeployOptions>) => DeployOptions;
export const nonce = () => connection.provider.getTransactionCount(deployer.address, "pending");
/** Moves the chain's clock `seconds` ahead and mines a block there. */
export const wait = async (seconds: number) => {
  await connection.provider.send("evm_increaseTime", [seconds]);
  await connection.provider.send("evm_mine", []);
};

/**
 * Inside the calling file's "deploying the registry" describe: starts a local chain (blocks every
 * 100 ms) with a deployer, admin and accreditor before its tests; stops it, and removes the
 * deployments folders made by {@link tempOut}, after.
 */
export function useDeployChain(): void {
  beforeAll(async () => {
    chain = await startLocalChain();
    // Blocks keep coming (besides automining), so that more than one confirmation accrues.
    await chain.provider.send("evm_setIntervalMining", [100]);
    connection = await connect(chain.url, { pollingIntervalMs: 50 });
    deployer = new Wallet(chain.privateKey(5), connection.provider);
    admin = (await chain.signer(6)).address;
    accreditor = (await chain.signer(7)).address;
    options = (extra = {}) => ({
      admin,
      adminDelay: 0,
      accreditor,
      expectChainId: chain.chainId,
      confirmations: 1,
      dryRun: false,
      outDir: tempOut(),
      force: false,
      ...extra,
    });
  });

  afterAll(async () => {
    connection.provider.destroy();
    await chain.close();
  });
  afterAll(() => {
    for (const dir of outDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
}
