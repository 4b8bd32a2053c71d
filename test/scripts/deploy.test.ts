import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { AbiCoder, Wallet, ZeroAddress, ZeroHash, dataSlice, keccak256 } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { deployRegistry } from "../../deploy/deploy";
import { DEFAULT_ADMIN_DELAY, deployRegistryVerified } from "../../deploy/deployment";
import { checkDeployment } from "../../deploy/deployment-checks";
import { type DeploymentRecord, readRecord } from "../../deploy/deployment-record";
import {
  accreditor,
  admin,
  artifact,
  chain,
  connection,
  deployer,
  nonce,
  options,
  registryAt,
  rejection,
  send,
  tempOut,
  useDeployChain,
} from "./deploy-fixture";

describe("deploying the registry", () => {
  useDeployChain();

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
      const call = (name: string, ...args: unknown[]) => registry.getFunction(name)(...args) as Promise<unknown>;
      const role = String(await call("ACCREDITOR_ROLE"));
      expect(await call("defaultAdmin")).toBe(admin);
      expect(await call("defaultAdminDelay")).toBe(BigInt(DEFAULT_ADMIN_DELAY));
      expect([...((await call("pendingDefaultAdmin")) as unknown[])]).toEqual([ZeroAddress, 0n]);
      expect(await call("hasRole", ZeroHash, deployer.address)).toBe(false);
      expect(await call("hasRole", role, accreditor)).toBe(true);
      expect(await call("hasRole", role, deployer.address)).toBe(false);
      expect(await call("hasRole", role, admin)).toBe(false);
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
      expect(await registry.getFunction("defaultAdminDelay")()).toBe(0n);
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
      await send(registry, deployer, "beginDefaultAdminTransfer", next.address);
      await send(registry, next, "acceptDefaultAdminTransfer");
      expect(await registryAt(registry, connection.provider).getFunction("defaultAdmin")()).toBe(next.address);
    });
  });
});
