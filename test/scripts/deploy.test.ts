import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Contract, ContractFactory, type ContractTransactionResponse, Wallet, ZeroHash, keccak256 } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as deployMain } from "../../scripts/deploy";
import type { ScriptIo } from "../../scripts/lib/script-io";
import { main as verifyMain } from "../../scripts/verify-deployment";
import { loadArtifact, registryArtifact } from "../../server/chain/artifact";
import { compareCode } from "../../server/chain/bytecode";
import { type DeployOptions, deployRegistryVerified, verifyRecordedDeployment } from "../../server/chain/deployment";
import type { DeploymentError } from "../../server/chain/deployment-error";
import { type DeploymentRecord, readRecord } from "../../server/chain/deployment-record";
import { type LocalChain, startLocalChain } from "../../server/chain/local";
import { type Connection, connect } from "../../server/chain/rpc";

const ROOT = resolve(__dirname, "../..");
const artifact = registryArtifact();

/** A fresh temporary deployments folder. */
const tempOut = () => mkdtempSync(join(tmpdir(), "credroot-deploy-"));

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
  const child = spawn(process.execPath, ["--import", "tsx", `scripts/${name}`, ...argv], {
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
      const result = await deployRegistryVerified(deployer, connection, options({ outDir, confirmations: 2 }));
      record = result.record!;
      expect(result.file).toBe(join(outDir, `${chain.chainId}.json`));
      expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
        ["code", true],
        ["creation", true],
        ["roles", true],
      ]);
    });

    it("hands the roles to the given addresses and leaves the deployer none", async () => {
      const registry = new Contract(record.address, artifact.abi as never[], connection.provider);
      const role = String(await registry.getFunction("ACCREDITOR_ROLE")());
      const hasRole = async (r: string, account: string) => Boolean(await registry.getFunction("hasRole")(r, account));
      expect(await hasRole(ZeroHash, admin)).toBe(true);
      expect(await hasRole(role, accreditor)).toBe(true);
      expect(await hasRole(ZeroHash, deployer.address)).toBe(false);
      expect(await hasRole(role, deployer.address)).toBe(false);
      expect(await hasRole(role, admin)).toBe(false);
    });

    it("records chain, address, transaction, roles, compiler, hashes and cost in <chainId>.json", async () => {
      const onFile = JSON.parse(readFileSync(join(outDir, `${chain.chainId}.json`), "utf8")) as DeploymentRecord;
      expect(onFile).toEqual(record);
      const receipt = (await connection.provider.getTransactionReceipt(record.txHash))!;
      const code = await connection.provider.getCode(record.address);
      expect(record).toMatchObject({
        type: "credroot/deployment",
        version: 1,
        contract: "CredentialRegistry",
        chainId: 31337,
        network: "unknown",
        address: receipt.contractAddress,
        blockNumber: receipt.blockNumber,
        deployer: deployer.address,
        admin,
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

    it("estimates gas and cost in a dry run and sends nothing", async () => {
      const outDir = tempOut();
      const before = await nonce();
      const lines: string[] = [];
      const result = await deployRegistryVerified(
        deployer,
        connection,
        options({ outDir, dryRun: true, expectChainId: undefined, log: (line) => lines.push(line) }),
      );
      expect(result.record).toBeNull();
      expect(result.plan.gas).toBe(BigInt(record.gasUsed)); // the same creation, estimated
      expect(result.plan.costWei).toBe(result.plan.gas * result.plan.gasPrice);
      expect(result.plan.maxCostWei).toBeGreaterThanOrEqual(result.plan.costWei);
      expect(lines[0]).toMatch(/^deploying costs [\d,]+ gas ≈ [\d.]+ ETH at [\d.]+ gwei/);
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

  describe("verifyRecordedDeployment", () => {
    let record: DeploymentRecord;

    beforeAll(async () => {
      record = (await deployRegistryVerified(deployer, connection, options())).record!;
    });

    it("re-checks code, creation and roles of a recorded deployment", async () => {
      const checks = await verifyRecordedDeployment(connection, record);
      expect(checks.map((c) => [c.name, c.ok])).toEqual([
        ["code", true],
        ["creation", true],
        ["roles", true],
      ]);
      expect(checks[0]!.message).toBe(
        `runtime code equals the artifact's deployedBytecode (${(artifact.deployedBytecode.length - 2) / 2} bytes, metadata included, no immutables)`,
      );
    });

    it("fails when the address holds another contract (MinimalAnchor)", async () => {
      const mock = loadArtifact("contracts/mocks/MinimalAnchor.sol", "MinimalAnchor");
      const other = await new ContractFactory(mock.abi as never[], mock.bytecode, deployer).deploy(admin);
      await other.waitForDeployment();
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

    it("fails when a role has moved since", async () => {
      const fresh = (await deployRegistryVerified(deployer, connection, options())).record!;
      const registry = new Contract(fresh.address, artifact.abi as never[], await chain.signer(6));
      const role = String(await registry.getFunction("ACCREDITOR_ROLE")());
      const granted = (await registry.getFunction("grantRole")(role, deployer.address)) as ContractTransactionResponse;
      await granted.wait();
      const error = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(error.code).toBe("roles-mismatch");
      expect(error.message).toContain(`the deployer ${deployer.address} still holds the accreditor role`);
    });

    it("refuses an RPC serving another chain than the record's", async () => {
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, chainId: 10 }));
      expect(error.code).toBe("chain-id-mismatch");
    });
  });

  describe("scripts/deploy.ts", () => {
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
      for (const secret of ["s3cr3t", "0123456789", key.slice(2)]) expect(run.stdout).not.toContain(secret);

      const verified = await spawnScript("verify-deployment.ts", [join(out, "31337.json")], { RPC_URL: rpcUrl });
      expect(verified).toMatchObject({ status: 0, stderr: "" });
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
      expect(run.stdout).toContain("DEPLOYER_PRIVATE_KEY");
    });
  });

  describe("scripts/verify-deployment.ts", () => {
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
      expect(run.stderr).toContain("is not a credroot deployment record (version 1)");
      expect(existsSync(join(ROOT, "package.json"))).toBe(true);
    });
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
