import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContractFactory, type Signer, ZeroAddress, ZeroHash, keccak256 } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { main as verifyMain } from "../../deploy/commands/verify";
import { loadArtifact, registryArtifact } from "../../deploy/artifact";
import { compareCode } from "../../deploy/bytecode";
import { DEFAULT_ADMIN_DELAY, deployRegistryVerified, verifyRecordedDeployment } from "../../deploy/deployment";
import { describeDelay } from "../../deploy/deployment-checks";
import type { DeploymentError } from "../../deploy/deployment-error";
import type { DeploymentRecord } from "../../deploy/deployment-record";
import {
  admin,
  artifact,
  chain,
  connection,
  deployer,
  options,
  registryAt,
  rejection,
  ROOT,
  runMain,
  send,
  tempOut,
  useDeployChain,
  wait,
} from "./deploy-fixture";

describe("deploying the registry", () => {
  useDeployChain();

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

    it("fails when the record's admin delay is not the one the registry was created with", async () => {
      const error = await rejection(verifyRecordedDeployment(connection, { ...record, adminDelay: 3600 }));
      expect(error.code).toBe("code-mismatch");
      expect(error.message).toContain(
        "creation check failed: the creation input is not the artifact's creation code with (adminDelay 3600, admin, accreditor)",
      );
    });

    it("fails when the accreditor role has moved since", async () => {
      const fresh = (await deployRegistryVerified(deployer, connection, options())).record!;
      const role = String(await registryAt(fresh.address, connection.provider).getFunction("ACCREDITOR_ROLE")());
      await send(fresh.address, await chain.signer(6), "grantRole", role, deployer.address);
      const error = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(error.code).toBe("roles-mismatch");
      expect(error.message).toContain(`the deployer ${deployer.address} still holds the accreditor role`);
    });

    it("cannot be fooled by a second admin: grantRole(DEFAULT_ADMIN_ROLE) reverts, defaultAdmin() is the one holder", async () => {
      const registry = registryAt(record.address, await chain.signer(6));
      const revert = await registry
        .getFunction("grantRole")(ZeroHash, deployer.address)
        .then(
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
        const begunAt = await send(
          fresh.address,
          await chain.signer(6),
          "beginDefaultAdminTransfer",
          await next.getAddress(),
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
        await send(fresh.address, next, "acceptDefaultAdminTransfer");
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
      await send(fresh.address, await chain.signer(6), "beginDefaultAdminTransfer", ZeroAddress);
      const error = await rejection(verifyRecordedDeployment(connection, fresh));
      expect(error.code).toBe("admin-mismatch");
      expect(error.message).toContain("admin check failed: the admin has scheduled renouncing the admin role: since ");
    });

    it("fails while a change of the admin delay is pending, and once it took effect", async () => {
      const fresh = (await deployRegistryVerified(deployer, connection, options({ adminDelay: 3600 }))).record!;
      const changedAt = await send(fresh.address, await chain.signer(6), "changeDefaultAdminDelay", 60);
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
