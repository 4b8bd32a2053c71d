import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  AbiCoder,
  type ContractTransactionResponse,
  type Signer,
  Wallet,
  ZeroAddress,
  ZeroHash,
  dataSlice,
  keccak256,
} from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as deployMain } from "../../deploy/commands/deploy";
import type { ScriptIo } from "../../deploy/commands/script-io";
import { main as verifyMain } from "../../deploy/commands/verify";
import { registryArtifact } from "../../deploy/artifact";
import { compareCode } from "../../deploy/bytecode";
import { deployRegistry } from "../../deploy/deploy";
import {
  DEFAULT_ADMIN_DELAY,
  type DeployOptions,
  deployRegistryVerified,
  verifyRecordedDeployment,
} from "../../deploy/deployment";
import { checkDeployment, describeDelay } from "../../deploy/deployment-checks";
import type { DeploymentError } from "../../deploy/deployment-error";
import { type DeploymentRecord, readRecord } from "../../deploy/deployment-record";
import { type LocalChain, startLocalChain } from "../../deploy/local";
import { type Connection, connect } from "../../deploy/rpc";
import { deployMinimalAnchor } from "../../harness/mocks";
import { type CredentialRegistry, CredentialRegistry__factory } from "../../src";

const ROOT = resolve(__dirname, "../..");
const artifact = registryArtifact();
const V1_RECORD = join(__dirname, "fixtures/deployment-v1.json");

/** The registry at `address`, as `runner` sees it. */
const registryAt = (address: string, runner: Signer | Connection["provider"]) =>
  CredentialRegistry__factory.connect(address, runner);

/** Sends `write` to the registry at `address` from `signer`, waits for it to be mined and returns its block's time. */
async function send(
  address: string,
  signer: Signer,
  write: (registry: CredentialRegistry) => Promise<ContractTransactionResponse>,
): Promise<number> {
  const receipt = (await (await write(registryAt(address, signer))).wait())!;
  return (await receipt.getBlock()).timestamp;
}

const outDirs: string[] = [];
afterAll(() => {
  for (const dir of outDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary deployments folder, removed after the file. */
const tempOut = () => {
  const dir = mkdtempSync(join(tmpdir(), "credroot-deploy-"));
  outDirs.push(dir);
  return dir;
};

/** What a script printed, and its exit status. */
interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script's `main` in this process with `env` as its whole environment. */
async function runMain(
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
function spawnScript(name: string, argv: readonly string[], env: Record<string, string>): Promise<ScriptRun> {
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
async function rejection(promise: Promise<unknown>): Promise<DeploymentError> {
  return promise.then(
    () => expect.fail("expected a refusal"),
    (error: unknown) => error as DeploymentError,
  );
}

describe("deploying the registry", () => {
  let chain: LocalChain;
  let connection: Connection;
  let deployer: Wallet;
  let admin: string;
  let accreditor: string;
  let options: (extra?: Partial<DeployOptions>) => DeployOptions;
  const nonce = () => connection.provider.getTransactionCount(deployer.address, "pending");
  /** Moves the chain's clock `seconds` ahead and mines a block there. */
  const wait = async (seconds: number) => {
    await connection.provider.send("evm_increaseTime", [seconds]);
    await connection.provider.send("evm_mine", []);
  };

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

  describe("deployRegistryVerified", () => {
    let record: DeploymentRecord;
    let outDir: string;

    beforeAll(async () => {
      outDir = tempOut();
      const result = await deployRegistryVerified(
        deployer,
        connection,
        options({ outDir, confirmations: 2, adminDelay: DEFAULT_ADMIN_DELAY }),
      );
      record = result.record!;
      expect(result.file).toBe(join(outDir, `${chain.chainId}.json`));
      expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
        ["code", true],
        ["creation", true],
        ["roles", true],
        ["admin", true],
      ]);
    });

    it("makes the admin defaultAdmin() from the constructor, with the delay, and leaves the deployer no role", async () => {
      const registry = registryAt(record.address, connection.provider);
      const role = await registry.ACCREDITOR_ROLE();
      expect(await registry.defaultAdmin()).toBe(admin);
      expect(await registry.defaultAdminDelay()).toBe(BigInt(DEFAULT_ADMIN_DELAY));
      expect([...(await registry.pendingDefaultAdmin())]).toEqual([ZeroAddress, 0n]);
      expect(await registry.hasRole(ZeroHash, deployer.address)).toBe(false);
      expect(await registry.hasRole(role, accreditor)).toBe(true);
      expect(await registry.hasRole(role, deployer.address)).toBe(false);
      expect(await registry.hasRole(role, admin)).toBe(false);
    });

    it("passes (adminDelay, admin, accreditor) to the constructor", async () => {
      const tx = (await connection.provider.getTransaction(record.txHash))!;
      const args = AbiCoder.defaultAbiCoder().decode(["uint48", "address", "address"], dataSlice(tx.data, -96));
      expect([...args]).toEqual([BigInt(DEFAULT_ADMIN_DELAY), admin, accreditor]);
      expect(dataSlice(tx.data, 0, -96)).toBe(artifact.bytecode);
    });

    it("says what the admin delay means for a later handoff", async () => {
      const lines: string[] = [];
      await deployRegistryVerified(
        deployer,
        connection,
        options({ log: (line) => lines.push(line), adminDelay: 3600 }),
      );
      expect(lines[1]).toBe(
        `admin ${admin} (defaultAdmin() from the start; a later handoff waits 3600 s (1 hour)), accreditor ${accreditor}`,
      );
      expect(lines).toContainEqual(
        expect.stringMatching(/^✓ admin: defaultAdminDelay\(\) is 3600 s \(1 hour\), as recorded; no transfer/),
      );
    });

    it("refuses an admin delay that is not 0 to 30 days in whole seconds, before sending anything", async () => {
      const before = await nonce();
      for (const adminDelay of [30 * 86_400 + 1, DEFAULT_ADMIN_DELAY * 1000, -1, 1.5, Number.NaN]) {
        const error = await rejection(deployRegistryVerified(deployer, connection, options({ adminDelay })));
        expect(error.code).toBe("bad-argument");
        expect(error.message).toBe(
          `the admin delay must be a whole number of seconds from 0 to 2592000 (30 days): ${adminDelay}`,
        );
      }
      expect(await nonce()).toBe(before);
    });

    it("records chain, address, transaction, roles, admin delay, compiler, hashes and cost in <chainId>.json", async () => {
      const onFile = JSON.parse(readFileSync(join(outDir, `${chain.chainId}.json`), "utf8")) as DeploymentRecord;
      expect(onFile).toEqual(record);
      const receipt = (await connection.provider.getTransactionReceipt(record.txHash))!;
      const code = await connection.provider.getCode(record.address);
      expect(record).toMatchObject({
        type: "credroot/deployment",
        version: 2,
        contract: "CredentialRegistry",
        chainId: 31337,
        network: "unknown",
        address: receipt.contractAddress,
        blockNumber: receipt.blockNumber,
        deployer: deployer.address,
        admin,
        adminDelay: DEFAULT_ADMIN_DELAY,
        accreditor,
        confirmations: 2,
        compiler: {
          version: expect.stringMatching(/^0\.8\.28\+commit\./) as unknown,
          evmVersion: "cancun",
          optimizer: { enabled: true, runs: 10_000 },
        },
        artifact: {
          bytecodeKeccak256: keccak256(artifact.bytecode),
          deployedBytecodeKeccak256: keccak256(artifact.deployedBytecode),
        },
        codeHash: keccak256(code),
        codeVerified: true,
        rolesVerified: true,
        gasUsed: receipt.gasUsed.toString(),
        effectiveGasPrice: receipt.gasPrice.toString(),
        costWei: (receipt.gasUsed * receipt.gasPrice).toString(),
      });
      expect(record.codeHash).toBe(record.artifact.deployedBytecodeKeccak256); // no immutables to mask
      expect(Number(record.costEth)).toBeCloseTo(Number(record.costWei) / 1e18, 12);
      expect(new Date(record.deployedAt).toISOString()).toBe(record.deployedAt);
      expect(readRecord(join(outDir, `${chain.chainId}.json`))).toEqual(record);
    });

    it("refuses when a record for the chain exists, before sending anything", async () => {
      const before = await nonce();
      const error = await rejection(deployRegistryVerified(deployer, connection, options({ outDir })));
      expect(error.code).toBe("record-exists");
      expect(error.exitCode).toBe(1);
      expect(await nonce()).toBe(before);
      expect(readdirSync(outDir)).toEqual([`${chain.chainId}.json`]);
    });

    it("replaces the record with --force and keeps the old one as <chainId>.<timestamp>.json", async () => {
      const folder = tempOut();
      const first = await deployRegistryVerified(deployer, connection, options({ outDir: folder }));
      const second = await deployRegistryVerified(deployer, connection, options({ outDir: folder, force: true }));
      expect(second.previous).toMatch(/\/31337\.\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
      expect(readRecord(second.previous!)).toEqual(first.record);
      expect(readRecord(second.file!)).toEqual(second.record);
      expect(second.record!.address).not.toBe(first.record!.address);
      expect(readdirSync(folder)).toHaveLength(2);
    });

    it("refuses a chain other than the expected one, sending nothing", async () => {
      const before = await nonce();
      const error = await rejection(deployRegistryVerified(deployer, connection, options({ expectChainId: 1 })));
      expect(error.code).toBe("chain-id-mismatch");
      expect(error.message).toBe("the RPC serves chain 31337 (unknown), not the expected 1: nothing sent");
      expect(await nonce()).toBe(before);
    });

    it("refuses to send without an expected chain id", async () => {
      const error = await rejection(
        deployRegistryVerified(deployer, connection, options({ expectChainId: undefined })),
      );
      expect(error.code).toBe("bad-argument");
      expect(error.message).toContain("--expect-chain-id is required");
    });

    it("refuses a deployer that cannot pay, sending nothing", async () => {
      const poor = Wallet.createRandom(connection.provider);
      const error = await rejection(deployRegistryVerified(poor, connection, options()));
      expect(error.code).toBe("insufficient-funds");
      expect(await connection.provider.getTransactionCount(poor.address, "pending")).toBe(0);
    });

    it("estimates gas and cost in a dry run, with the admin delay, and sends nothing", async () => {
      const outDir = tempOut();
      const before = await nonce();
      const lines: string[] = [];
      const dryRun = (adminDelay: number) =>
        deployRegistryVerified(
          deployer,
          connection,
          options({ outDir, adminDelay, dryRun: true, expectChainId: undefined, log: (line) => lines.push(line) }),
        );
      const result = await dryRun(DEFAULT_ADMIN_DELAY);
      expect(result.record).toBeNull();
      expect(result.plan.gas).toBe(BigInt(record.gasUsed)); // the same creation, estimated
      // The delay is in the estimate: a non-zero one costs calldata bytes and a storage write that 0 does not.
      expect((await dryRun(0)).plan.gas).toBeLessThan(result.plan.gas);
      expect(result.plan.costWei).toBe(result.plan.gas * result.plan.gasPrice);
      expect(result.plan.maxCostWei).toBeGreaterThanOrEqual(result.plan.costWei);
      expect(lines[0]).toMatch(/^deploying costs [\d,]+ gas ≈ [\d.]+ ETH at [\d.]+ gwei/);
      expect(lines[1]).toContain("a later handoff waits 172800 s (2 days)");
      expect(await nonce()).toBe(before);
      expect(readdirSync(outDir)).toEqual([]);
    });

    it("accepts the deployer as a role holder only when it is named for the role", async () => {
      const result = await deployRegistryVerified(
        deployer,
        connection,
        options({ admin: deployer.address, confirmations: 1 }),
      );
      expect(result.checks[2]!.message).toContain("the deployer holds only the one(s) it was named for (admin)");
    });
  });

  describe("deployRegistry (embedded chain and tests)", () => {
    it("makes the deployer admin and accreditor with no admin delay, unless told otherwise", async () => {
      const embedded = await deployRegistry(deployer);
      expect(embedded).toMatchObject({ deployer: deployer.address, admin: deployer.address, adminDelay: 0 });
      const registry = registryAt(embedded.registry, connection.provider);
      expect(await registry.defaultAdminDelay()).toBe(0n);
      const named = await deployRegistry(deployer, { admin, accreditor, adminDelay: 60 });
      const { checks } = await checkDeployment(
        connection.provider,
        { ...named, address: named.registry, txHash: named.txHash },
        artifact,
      );
      expect(checks.map((c) => [c.name, c.ok])).toEqual([
        ["code", true],
        ["creation", true],
        ["roles", true],
        ["admin", true],
      ]);
    });

    it("hands the admin role over in two steps without waiting when the delay is 0", async () => {
      const { registry } = await deployRegistry(deployer);
      const next = await chain.signer(10);
      await send(registry, deployer, (r) => r.beginDefaultAdminTransfer(next.address));
      await send(registry, next, (r) => r.acceptDefaultAdminTransfer());
      expect(await registryAt(registry, connection.provider).defaultAdmin()).toBe(next.address);
    });
  });

  describe("verifyRecordedDeployment", () => {
    let record: DeploymentRecord;

    beforeAll(async () => {
      record = (await deployRegistryVerified(deployer, connection, options())).record!;
    });

    it("re-checks code, creation, roles and admin rules of a recorded deployment", async () => {
      const checks = await verifyRecordedDeployment(connection, record);
      expect(checks.map((c) => [c.name, c.ok])).toEqual([
        ["code", true],
        ["creation", true],
        ["roles", true],
        ["admin", true],
      ]);
      expect(checks[0]!.message).toBe(
        `runtime code equals the artifact's deployedBytecode (${(artifact.deployedBytecode.length - 2) / 2} bytes, metadata included, no immutables)`,
      );
    });

    it("fails when the address holds another contract (MinimalAnchor)", async () => {
      const other = await deployMinimalAnchor(deployer, admin);
      const error = await rejection(
        verifyRecordedDeployment(connection, { ...record, address: await other.getAddress() }),
      );
      expect(error.code).toBe("code-mismatch");
      expect(error.message).toMatch(/code check failed: runtime code differs from the artifact's deployedBytecode/);
    });

    it("fails when the address is an externally owned account", async () => {
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, address: admin }));
      expect(error.code).toBe("code-mismatch");
      expect(error.message).toContain("no code at the address (an externally owned account, or nothing deployed)");
    });

    it("fails when the recorded transaction did not create the address", async () => {
      const sent = await deployer.sendTransaction({ to: admin, value: 1n });
      await sent.wait();
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, txHash: sent.hash }));
      expect(error.code).toBe("code-mismatch");
      expect(error.message).toContain(`creation check failed: transaction ${sent.hash} did not create`);
    });

    it("fails when the record names roles the creation did not grant", async () => {
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, accreditor: admin }));
      expect(error.message).toContain("creation check failed");
    });

    it("fails when the record's admin delay is not the one the registry was created with", async () => {
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, adminDelay: 3600 }));
      expect(error.code).toBe("code-mismatch");
      expect(error.message).toContain(
        "creation check failed: the creation input is not the artifact's creation code with (adminDelay 3600, admin, accreditor)",
      );
    });

    it("fails when the accreditor role has moved since", async () => {
      const fresh = (await deployRegistryVerified(deployer, connection, options())).record!;
      const role = await registryAt(fresh.address, connection.provider).ACCREDITOR_ROLE();
      await send(fresh.address, await chain.signer(6), (r) => r.grantRole(role, deployer.address));
      const error = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(error.code).toBe("roles-mismatch");
      expect(error.message).toContain(`the deployer ${deployer.address} still holds the accreditor role`);
    });

    it("cannot be fooled by a second admin: grantRole(DEFAULT_ADMIN_ROLE) reverts, defaultAdmin() is the one holder", async () => {
      const registry = registryAt(record.address, await chain.signer(6));
      const revert = await registry.grantRole(ZeroHash, deployer.address).then(
        () => expect.fail("grantRole(DEFAULT_ADMIN_ROLE) went through"),
        (error: unknown) => registry.interface.parseError((error as { data: string }).data)?.name,
      );
      expect(revert).toBe("AccessControlEnforcedDefaultAdminRules");
    });

    describe("a transfer of the admin role", () => {
      const delay = 3600;
      let fresh: DeploymentRecord;
      let next: Signer;

      beforeAll(async () => {
        fresh = (await deployRegistryVerified(deployer, connection, options({ adminDelay: delay }))).record!;
        next = await chain.signer(11);
      });

      it("fails while pending, naming the new admin and when it may accept", async () => {
        const begunAt = await send(fresh.address, await chain.signer(6), async (r) =>
          r.beginDefaultAdminTransfer(await next.getAddress()),
        );
        const error = await rejection(verifyRecordedDeployment(connection, fresh));
        expect(error.code).toBe("admin-mismatch");
        const acceptable = new Date((begunAt + delay) * 1000).toISOString();
        expect(error.message).toBe(
          `${fresh.address} on chain 31337: admin check failed: a transfer of the admin role to ${await next.getAddress()} ` +
            `is pending: ${await next.getAddress()} can call acceptDefaultAdminTransfer() from ${acceptable}; ` +
            "until then the admin can cancelDefaultAdminTransfer()",
        );
      });

      it("exits 1 with that one line from deploy/commands/verify.ts", async () => {
        const file = join(tempOut(), "31337.json");
        writeFileSync(file, JSON.stringify(fresh));
        const run = await runMain(verifyMain, [file], { RPC_URL: chain.url });
        expect(run.status).toBe(1);
        expect(run.stderr).toMatch(/^verify-deployment: .* admin check failed: a transfer of the admin role to .*\n$/);
      });

      it("fails the roles check once the new admin has accepted it after the delay", async () => {
        await wait(delay + 1);
        await send(fresh.address, next, (r) => r.acceptDefaultAdminTransfer());
        const error = await rejection(verifyRecordedDeployment(connection, fresh));
        expect(error.code).toBe("roles-mismatch");
        expect(error.message).toContain(
          `defaultAdmin() is ${await next.getAddress()}, not the recorded admin ${admin}`,
        );
        const moved = await verifyRecordedDeployment(connection, { ...fresh, admin: await next.getAddress() }).catch(
          (e: unknown) => e as DeploymentError,
        );
        expect(moved).toMatchObject({ code: "code-mismatch" }); // the creation still names the first admin
      });
    });

    it("fails when the admin has scheduled renouncing its role", async () => {
      const fresh = (await deployRegistryVerified(deployer, connection, options())).record!;
      await send(fresh.address, await chain.signer(6), (r) => r.beginDefaultAdminTransfer(ZeroAddress));
      const error = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(error.code).toBe("admin-mismatch");
      expect(error.message).toContain("admin check failed: the admin has scheduled renouncing the admin role: since ");
    });

    it("fails while a change of the admin delay is pending, and once it took effect", async () => {
      const fresh = (await deployRegistryVerified(deployer, connection, options({ adminDelay: 3600 }))).record!;
      const changedAt = await send(fresh.address, await chain.signer(6), (r) => r.changeDefaultAdminDelay(60));
      const pending = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(pending.code).toBe("admin-mismatch");
      // Shortening waits the difference, so that no handoff gets faster than the delay in force.
      const effective = new Date((changedAt + 3600 - 60) * 1000).toISOString();
      expect(pending.message).toContain(`a change of the admin delay to 60 s (1 minute) takes effect at ${effective}`);
      await wait(3600);
      const changed = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(changed.message).toContain("defaultAdminDelay() is 60 s (1 minute), the record says 3600 s (1 hour)");
    });

    it("refuses an RPC serving another chain than the record's", async () => {
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, chainId: 10 }));
      expect(error.code).toBe("chain-id-mismatch");
    });
  });

  describe("deploy/commands/deploy.ts", () => {
    const args = () => [
      "--admin",
      admin,
      "--accreditor",
      accreditor,
      "--expect-chain-id",
      "31337",
      "--confirmations",
      "1",
    ];

    it("deploys as a child process, exits 0, and never prints the key or the RPC URL's path", async () => {
      const out = tempOut();
      const key = chain.privateKey(8);
      const rpcUrl = `${chain.url}/v3/s3cr3t-project-token?apikey=0123456789`;
      const run = await spawnScript("deploy.ts", [...args(), "--out", out], {
        RPC_URL: rpcUrl,
        DEPLOYER_PRIVATE_KEY: key,
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`RPC ${chain.url}/…: chain 31337 (unknown)`);
      expect(run.stdout).toContain(`recorded in ${join(out, "31337.json")}`);
      expect(run.stdout).toContain("is defaultAdmin() already: nothing to accept. Admin delay 172800 s (2 days)");
      expect(readRecord(join(out, "31337.json")).adminDelay).toBe(DEFAULT_ADMIN_DELAY);
      for (const secret of ["s3cr3t", "0123456789", key.slice(2)]) expect(run.stdout).not.toContain(secret);

      const verified = await spawnScript("verify.ts", [join(out, "31337.json")], { RPC_URL: rpcUrl });
      expect(verified).toMatchObject({ status: 0, stderr: "" });
      expect(verified.stdout).toContain("✓ admin: defaultAdminDelay() is 172800 s (2 days), as recorded");
      expect(verified.stdout).toContain("on chain 31337: verified");
    });

    it("exits 1 with one line on a chain id mismatch, as a child process", async () => {
      const run = await spawnScript("deploy.ts", [...args().slice(0, 5), "1"], {
        RPC_URL: `${chain.url}/secret-path`,
        DEPLOYER_PRIVATE_KEY: chain.privateKey(8),
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe("deploy: the RPC serves chain 31337 (unknown), not the expected 1: nothing sent\n");
    });

    it("exits 2 when DEPLOYER_PRIVATE_KEY is missing or is not a key", async () => {
      const missing = await runMain(deployMain, args(), { RPC_URL: chain.url });
      expect(missing).toEqual({ status: 2, stdout: "", stderr: "deploy: DEPLOYER_PRIVATE_KEY is not set\n" });
      const bad = await runMain(deployMain, args(), { RPC_URL: chain.url, DEPLOYER_PRIVATE_KEY: "0xnot-a-key" });
      expect(bad.stderr).toBe("deploy: DEPLOYER_PRIVATE_KEY is not a 32-byte hex private key\n");
    });

    it("exits 2 on a bad or zero address, before connecting", async () => {
      const env = { RPC_URL: chain.url, DEPLOYER_PRIVATE_KEY: chain.privateKey(8) };
      const bad = await runMain(deployMain, ["--admin", "0x1234", "--accreditor", accreditor], env);
      expect(bad).toEqual({ status: 2, stdout: "", stderr: "deploy: --admin is not an address: 0x1234\n" });
      const zero = await runMain(deployMain, ["--admin", admin, "--accreditor", `0x${"0".repeat(40)}`], env);
      expect(zero.stderr).toBe("deploy: --accreditor is the zero address\n");
      const none = await runMain(deployMain, ["--admin", admin], env);
      expect(none.status).toBe(2);
      expect(none.stderr).toContain("required option '--accreditor <address>' not specified");
    });

    it("deploys with --admin-delay and records it", async () => {
      const out = tempOut();
      const env = { RPC_URL: chain.url, DEPLOYER_PRIVATE_KEY: chain.privateKey(8) };
      const run = await runMain(deployMain, [...args(), "--admin-delay", "0", "--out", out], env);
      expect(run).toMatchObject({ status: 0, stderr: "" });
      expect(run.stdout).toContain("Admin delay 0 s (none)");
      const record = readRecord(join(out, "31337.json"));
      expect(record.adminDelay).toBe(0);
      expect(await registryAt(record.address, connection.provider).defaultAdminDelay()).toBe(0n);
    });

    it("says plainly that the multisig must accept the admin role when the deployer is named admin", async () => {
      const key = chain.privateKey(8);
      const own = new Wallet(key).address;
      const run = await runMain(deployMain, ["--admin", own, ...args().slice(2), "--out", tempOut()], {
        RPC_URL: chain.url,
        DEPLOYER_PRIVATE_KEY: key,
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(
        `the deployer ${own} is the admin: to give the role to a multisig, the deployer calls beginDefaultAdminTransfer(multisig), ` +
          "then the multisig must call acceptDefaultAdminTransfer() after 172800 s (2 days)",
      );
      expect(run.stdout).not.toContain("nothing to accept");
    });

    it("exits 2 on an admin delay that is not 0 to 30 days in whole seconds, before connecting", async () => {
      for (const value of ["172800000", "2592001", "1.5", "2d", ""]) {
        const run = await runMain(deployMain, [...args(), "--admin-delay", value], { RPC_URL: "http://127.0.0.1:1" });
        expect(run).toEqual({
          status: 2,
          stdout: "",
          stderr:
            `error: option '--admin-delay <seconds>' argument '${value}' is invalid. ` +
            "must be a whole number from 0 to 2592000\n(add --help for usage)\n",
        });
      }
    });

    it("exits 2 naming the RPC by scheme and host only when it does not answer", async () => {
      const run = await runMain(deployMain, args(), {
        RPC_URL: "http://127.0.0.1:1/v3/s3cr3t",
        DEPLOYER_PRIVATE_KEY: chain.privateKey(8),
      });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^deploy: no chain id from the RPC at http:\/\/127\.0\.0\.1:1\/…: .*\n$/);
      expect(run.stderr).not.toContain("s3cr3t");
    });

    it("prints the cost in a dry run, sends nothing, and exits 0", async () => {
      const key = chain.privateKey(9);
      const before = await connection.provider.getTransactionCount(new Wallet(key).address, "pending");
      const run = await runMain(deployMain, [...args(), "--dry-run", "--out", tempOut()], {
        RPC_URL: chain.url,
        DEPLOYER_PRIVATE_KEY: key,
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/deploying costs [\d,]+ gas ≈ [\d.]+ ETH at [\d.]+ gwei/);
      expect(run.stdout).toContain("dry run: nothing was signed or sent");
      expect(await connection.provider.getTransactionCount(new Wallet(key).address, "pending")).toBe(before);
    });

    it("lists its options with --help", async () => {
      const run = await runMain(deployMain, ["--help"], {});
      expect(run.status).toBe(0);
      for (const option of ["--admin", "--accreditor", "--expect-chain-id", "--confirmations", "--dry-run", "--out"]) {
        expect(run.stdout).toContain(option);
      }
      expect(run.stdout).toMatch(/--admin-delay <seconds> +seconds a later new admin waits [^]*\(default: 172800\)/);
      expect(run.stdout).toContain("acceptDefaultAdminTransfer()");
      expect(run.stdout).toContain("DEPLOYER_PRIVATE_KEY");
    });
  });

  describe("deploy/commands/verify.ts", () => {
    it("exits 1 with one line when the recorded address holds other code", async () => {
      const outDir = tempOut();
      const { file, record } = await deployRegistryVerified(deployer, connection, options({ outDir }));
      const tampered = join(outDir, "tampered.json");
      writeFileSync(tampered, JSON.stringify({ ...record, address: admin }));
      const run = await runMain(verifyMain, [tampered], { RPC_URL: chain.url });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `verify-deployment: ${admin} on chain 31337: code check failed: no code at the address (an externally owned account, or nothing deployed)\n`,
      );
      expect((await runMain(verifyMain, [file!], { RPC_URL: chain.url })).status).toBe(0);
    });

    it("exits 2 on a file that is not a deployment record", async () => {
      const run = await runMain(verifyMain, [join(ROOT, "package.json")], { RPC_URL: chain.url });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("is not a credroot deployment record (version 2)");
      expect(existsSync(join(ROOT, "package.json"))).toBe(true);
    });

    it("exits 2 on a version 1 record (a format v1 registry), saying why", async () => {
      const run = await runMain(verifyMain, [V1_RECORD], { RPC_URL: chain.url });
      expect(run).toEqual({
        status: 2,
        stdout: "",
        stderr:
          `verify-deployment: ${V1_RECORD} is a version 1 record, of a format v1 registry (constructor (admin, accreditor)): ` +
          "this credroot checks version 2 records (format v2, constructor (adminDelay, admin, accreditor)) only\n",
      });
    });

    it("exits 2 on a record without a whole adminDelay", async () => {
      const file = join(tempOut(), "31337.json");
      const { adminDelay: _, ...rest } = (await deployRegistryVerified(deployer, connection, options())).record!;
      for (const adminDelay of [undefined, "172800", -1, 1.5]) {
        writeFileSync(file, JSON.stringify({ ...rest, adminDelay }));
        const run = await runMain(verifyMain, [file], { RPC_URL: chain.url });
        expect(run.status).toBe(2);
        expect(run.stderr).toBe(`verify-deployment: ${file}: adminDelay is missing or not a whole number of seconds\n`);
      }
    });
  });
});

describe("describeDelay", () => {
  it("gives the seconds and their days, hours, minutes and seconds", () => {
    expect(describeDelay(0)).toBe("0 s (none)");
    expect(describeDelay(DEFAULT_ADMIN_DELAY)).toBe("172800 s (2 days)");
    expect(describeDelay(90_061)).toBe("90061 s (1 day 1 hour 1 minute 1 second)");
  });
});

/** Calls of grantRole/revokeRole in `source` whose role argument is the admin role. */
function adminRoleGrants(source: string): string[] {
  const calls = source.matchAll(/\b(?:grant|revoke)Role\b["'`]?\)?\s*\(\s*([^,)]*)/g);
  return [...calls]
    .filter(([, role]) => /DEFAULT_ADMIN_ROLE|ZeroHash|0x0{64}|admin/i.test(role ?? ""))
    .map(([call]) => call);
}

/** Every .ts file under `folder` (of the repository). */
function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file) && !file.includes("node_modules") && !file.includes("dist"))
    .map((file) => join(folder, file));
}

describe("the admin role under AccessControlDefaultAdminRules", () => {
  it("finds a grant of the admin role however it is written", () => {
    expect(adminRoleGrants("await registry.grantRole(DEFAULT_ADMIN_ROLE, multisig);")).toHaveLength(1);
    expect(adminRoleGrants('await registry.getFunction("grantRole")(ZeroHash, multisig);')).toHaveLength(1);
    expect(adminRoleGrants("registry.revokeRole(await registry.DEFAULT_ADMIN_ROLE(), deployer)")).toHaveLength(1);
    expect(adminRoleGrants("registry.grantRole(accreditorRole, account)")).toEqual([]);
  });

  it("is granted and revoked nowhere in the code (it reverts: beginDefaultAdminTransfer / acceptDefaultAdminTransfer)", () => {
    const found = ["server", "scripts", "src", "cli", "deploy", "harness", "bench", "web/src"]
      .filter((folder) => existsSync(join(ROOT, folder)))
      .flatMap(sources)
      .flatMap((file) => adminRoleGrants(readFileSync(join(ROOT, file), "utf8")).map((call) => `${file}: ${call}`));
    expect(found).toEqual([]);
  });
});

describe("compareCode", () => {
  const artifact = registryArtifact();
  const code = artifact.deployedBytecode;

  it("accepts the artifact's own runtime code, metadata included", () => {
    expect(compareCode(code, { ...artifact })).toMatchObject({ ok: true, codeHash: keccak256(code) });
  });

  it("names a difference only in the CBOR metadata (another build of the sources)", () => {
    // The last 53 bytes are the metadata (a2 64 "ipfs" 58 22 <34-byte hash> 64 "solc" 43 000818, 0033):
    // one hex digit 40 bytes from the end lies in the IPFS hash of the metadata JSON.
    const at = code.length - 80;
    const changed = `${code.slice(0, at)}${code[at] === "0" ? "1" : "0"}${code.slice(at + 1)}`;
    const result = compareCode(changed, artifact);
    expect(result.ok).toBe(false);
    expect(result.message).toContain("only in its CBOR metadata");
  });

  it("masks immutables at their references, and only there", () => {
    const start = 100;
    const zeroed = `${code.slice(0, 2 + start * 2)}${"00".repeat(32)}${code.slice(2 + (start + 32) * 2)}`;
    const withImmutable = { deployedBytecode: zeroed, immutableReferences: { "7": [{ start, length: 32 }] } };
    expect(compareCode(code, withImmutable).message).toContain("1 immutable(s) masked");
    expect(compareCode(code, { ...withImmutable, immutableReferences: {} }).ok).toBe(false);
  });
});
