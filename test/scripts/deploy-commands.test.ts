import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { describe, expect, it } from "vitest";
import { main as deployMain } from "../../deploy/commands/deploy";
import { main as verifyMain } from "../../deploy/commands/verify";
import { DEFAULT_ADMIN_DELAY, deployRegistryVerified } from "../../deploy/deployment";
import { readRecord } from "../../deploy/deployment-record";
import {
  accreditor,
  admin,
  chain,
  connection,
  deployer,
  options,
  registryAt,
  ROOT,
  runMain,
  spawnScript,
  tempOut,
  useDeployChain,
  V1_RECORD,
} from "./deploy-fixture";

describe("deploying the registry", () => {
  useDeployChain();

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
      expect(await registryAt(record.address, connection.provider).getFunction("defaultAdminDelay")()).toBe(0n);
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
