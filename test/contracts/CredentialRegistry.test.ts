import { ZeroAddress, ZeroHash } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { leafOf, randomBatchId, randomBytes32 } from "./batches";
import {
  ADMIN_DELAY,
  ISSUER_A,
  ISSUER_B,
  ISSUER_C,
  MAX_UINT64,
  blockTimestamp,
  deployFixture,
  deployRegistry,
  eventsOf,
  expectRevert,
  increaseTime,
  leafContext,
  mined,
  setNextBlockTimestamp,
  snapshots,
  toIssuer,
  type Fixture,
} from "./helpers";

/** The deployment, roles and default-admin rules, and the views that read no batch. */

let f: Fixture;
let accreditorRole: string;
let adminRole: string;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  accreditorRole = await f.registry.ACCREDITOR_ROLE();
  adminRole = await f.registry.DEFAULT_ADMIN_ROLE();
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

describe("expectRevert (test helper)", () => {
  const unknownIssuer = (): Promise<unknown> => f.registry.getIssuer(7);

  it("passes when the error name and arguments match", async () => {
    await expectRevert(unknownIssuer(), "UnknownIssuer", [7n]);
  });

  it("fails when the error name differs", async () => {
    await expect(expectRevert(unknownIssuer(), "ZeroRoot", [7n])).rejects.toThrow(/revert of ZeroRoot/);
  });

  it("fails when an argument differs or is missing", async () => {
    await expect(expectRevert(unknownIssuer(), "UnknownIssuer", [8n])).rejects.toThrow(/revert of UnknownIssuer/);
    await expect(expectRevert(unknownIssuer(), "UnknownIssuer", [])).rejects.toThrow(/revert of UnknownIssuer/);
  });

  it("fails when the call succeeds", async () => {
    await expect(expectRevert(f.registry.getIssuer(1), "UnknownIssuer", [1n])).rejects.toThrow(/succeeded/);
  });

  it("fails when the rejection is not a registry error", async () => {
    await expect(expectRevert(Promise.reject(new Error("network down")), "UnknownIssuer", [1n])).rejects.toThrow(
      /undecodable/,
    );
  });
});

describe("constructor", () => {
  it("makes the admin the one default admin, with the delay, and the accreditor the only accreditor", async () => {
    const { registry, admin, accreditor } = f;
    expect(await registry.defaultAdmin()).toBe(admin.address);
    expect(await registry.defaultAdminDelay()).toBe(ADMIN_DELAY);
    expect(await registry.hasRole(adminRole, admin)).toBe(true);
    expect(await registry.hasRole(accreditorRole, accreditor)).toBe(true);
    expect(await registry.hasRole(accreditorRole, admin)).toBe(false);
    expect(await registry.hasRole(adminRole, accreditor)).toBe(false);
  });

  it("caps active signers per issuer at 20", async () => {
    expect(await f.registry.MAX_SIGNERS()).toBe(20n);
  });

  it("starts with no issuers", async () => {
    const registry = await deployRegistry(f.admin, f.accreditor);
    expect(await registry.issuerCount()).toBe(0n);
    await expectRevert(registry.getIssuer(1), "UnknownIssuer", [1n]);
  });

  it("reverts AccessControlInvalidDefaultAdmin when the admin is the zero address", async () => {
    await expectRevert(deployRegistry(ZeroAddress, f.accreditor), "AccessControlInvalidDefaultAdmin", [ZeroAddress]);
  });

  it("reverts ZeroAddress when the accreditor is the zero address", async () => {
    await expectRevert(deployRegistry(f.admin, ZeroAddress), "ZeroAddress", []);
  });
});

describe("default admin (AccessControlDefaultAdminRules)", () => {
  /** Schedules the transfer of the admin role to `outsider` and returns when it may be accepted. */
  async function beginTransfer(): Promise<bigint> {
    const receipt = await mined(f.registry.connect(f.admin).beginDefaultAdminTransfer(f.outsider));
    const schedule = (await blockTimestamp(receipt)) + ADMIN_DELAY;
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "DefaultAdminTransferScheduled", args: [f.outsider.address, schedule] },
    ]);
    expect([...(await f.registry.pendingDefaultAdmin())]).toEqual([f.outsider.address, schedule]);
    return schedule;
  }

  it("hands the role over in two steps: accepted by the new admin only once the delay has passed", async () => {
    const schedule = await beginTransfer();
    const asNewAdmin = f.registry.connect(f.outsider);
    await expectRevert(asNewAdmin.acceptDefaultAdminTransfer(), "AccessControlEnforcedDefaultAdminDelay", [schedule]);
    await increaseTime(ADMIN_DELAY - 60n);
    await expectRevert(asNewAdmin.acceptDefaultAdminTransfer(), "AccessControlEnforcedDefaultAdminDelay", [schedule]);
    // The schedule must have passed: a block at exactly `schedule` is still too early.
    await setNextBlockTimestamp(schedule);
    await expectRevert(asNewAdmin.acceptDefaultAdminTransfer(), "AccessControlEnforcedDefaultAdminDelay", [schedule]);
    await setNextBlockTimestamp(schedule + 1n);
    const receipt = await mined(asNewAdmin.acceptDefaultAdminTransfer());
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "RoleRevoked", args: [adminRole, f.admin.address, f.outsider.address] },
      { name: "RoleGranted", args: [adminRole, f.outsider.address, f.outsider.address] },
    ]);
    expect(await f.registry.defaultAdmin()).toBe(f.outsider.address);
    expect(await f.registry.hasRole(adminRole, f.admin)).toBe(false);
    expect([...(await f.registry.pendingDefaultAdmin())]).toEqual([ZeroAddress, 0n]);
  });

  it("leaves the old admin powerless and the new one in charge of roles after the handover", async () => {
    await beginTransfer();
    await increaseTime(ADMIN_DELAY + 1n);
    await mined(f.registry.connect(f.outsider).acceptDefaultAdminTransfer());
    await expectRevert(
      f.registry.connect(f.admin).grantRole(accreditorRole, f.admin),
      "AccessControlUnauthorizedAccount",
      [f.admin.address, adminRole],
    );
    await mined(f.registry.connect(f.outsider).grantRole(accreditorRole, f.spare));
    expect(await f.registry.hasRole(accreditorRole, f.spare)).toBe(true);
  });

  it("reverts AccessControlInvalidDefaultAdmin when anyone but the pending admin accepts", async () => {
    await beginTransfer();
    await increaseTime(ADMIN_DELAY + 1n);
    for (const account of [f.admin, f.accreditor, f.spare]) {
      await expectRevert(f.registry.connect(account).acceptDefaultAdminTransfer(), "AccessControlInvalidDefaultAdmin", [
        account.address,
      ]);
    }
  });

  it("lets the admin cancel a pending transfer, which can then not be accepted", async () => {
    await beginTransfer();
    const receipt = await mined(f.registry.connect(f.admin).cancelDefaultAdminTransfer());
    expect(await eventsOf(f.registry, receipt)).toEqual([{ name: "DefaultAdminTransferCanceled", args: [] }]);
    await increaseTime(ADMIN_DELAY + 1n);
    await expectRevert(
      f.registry.connect(f.outsider).acceptDefaultAdminTransfer(),
      "AccessControlInvalidDefaultAdmin",
      [f.outsider.address],
    );
    expect(await f.registry.defaultAdmin()).toBe(f.admin.address);
  });

  it("reverts AccessControlEnforcedDefaultAdminRules when the admin grants or revokes the admin role directly", async () => {
    const asAdmin = f.registry.connect(f.admin);
    await expectRevert(asAdmin.grantRole(adminRole, f.outsider), "AccessControlEnforcedDefaultAdminRules", []);
    await expectRevert(asAdmin.revokeRole(adminRole, f.admin), "AccessControlEnforcedDefaultAdminRules", []);
    expect(await f.registry.hasRole(adminRole, f.outsider)).toBe(false);
  });

  it("reverts AccessControlUnauthorizedAccount when the accreditor or a signer begins a transfer", async () => {
    for (const account of [f.accreditor, f.signerA]) {
      await expectRevert(
        f.registry.connect(account).beginDefaultAdminTransfer(account),
        "AccessControlUnauthorizedAccount",
        [account.address, adminRole],
      );
    }
  });

  it("lets the admin grant the accreditor role, and no one else", async () => {
    await mined(f.registry.connect(f.admin).grantRole(accreditorRole, f.outsider));
    await mined(f.registry.connect(f.outsider).registerIssuer("Late College", "", f.spare));
    expect(await f.registry.issuerOf(f.spare)).toBe(4n);
    await expectRevert(
      f.registry.connect(f.accreditor).grantRole(accreditorRole, f.signerA),
      "AccessControlUnauthorizedAccount",
      [f.accreditor.address, adminRole],
    );
  });
});

describe("leafOf", () => {
  it("matches the double keccak of abi.encode(chainId, registry, issuerId, batchId, digest) computed off chain", async () => {
    const batchIds = [randomBatchId(), `0x${"ff".repeat(16)}`, `0x${"00".repeat(15)}01`];
    for (const digest of [ZeroHash, `0x${"ff".repeat(32)}`, randomBytes32()]) {
      for (const issuerId of [0n, f.issuerA, MAX_UINT64]) {
        for (const batchId of batchIds) {
          expect(await f.registry.leafOf(issuerId, batchId, digest)).toBe(leafOf(f.context, issuerId, batchId, digest));
        }
      }
    }
  });

  it("gives another leaf for another issuer, batch, registry or chain", async () => {
    const [batchId, digest] = [randomBatchId(), randomBytes32()];
    const leaf = leafOf(f.context, f.issuerA, batchId, digest);
    const other = await deployRegistry(f.admin, f.accreditor);
    const others = [
      await f.registry.leafOf(f.issuerB, batchId, digest),
      await f.registry.leafOf(f.issuerA, randomBatchId(), digest),
      await other.leafOf(f.issuerA, batchId, digest),
      leafOf({ ...(await leafContext(f.registry)), chainId: 1n }, f.issuerA, batchId, digest),
    ];
    expect(new Set([leaf, ...others]).size).toBe(5);
    expect(await f.registry.leafOf(f.issuerA, batchId, digest)).toBe(leaf);
  });
});

describe("getIssuer", () => {
  it("returns each registered issuer, active and accredited until uint64 max", async () => {
    for (const [id, issuer] of [ISSUER_A, ISSUER_B, ISSUER_C].entries()) {
      expect(toIssuer(await f.registry.getIssuer(id + 1))).toEqual({
        accreditedUntil: MAX_UINT64,
        active: true,
        ...issuer,
      });
    }
  });

  it("reverts UnknownIssuer for issuer 0 and for an id past issuerCount", async () => {
    await expectRevert(f.registry.getIssuer(0), "UnknownIssuer", [0n]);
    await expectRevert(f.registry.getIssuer(4), "UnknownIssuer", [4n]);
  });
});

describe("issuerCount", () => {
  it("counts the registered issuers", async () => {
    expect(await f.registry.issuerCount()).toBe(3n);
    await mined(f.registry.connect(f.accreditor).registerIssuer("Fourth", "", f.spare));
    expect(await f.registry.issuerCount()).toBe(4n);
  });
});
