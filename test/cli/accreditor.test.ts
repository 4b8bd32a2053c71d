import { getBytes, hexlify, Wallet } from "ethers";
import { fromBase64url } from "../../src/encoding";
import { IssuerKey } from "../../src/standard";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../../harness/net";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { cli } from "./harness";

describe("credroot accreditor … --rpc (sending with ACCREDITOR_PRIVATE_KEY)", () => {
  let fx: RegistryFixture;
  let env: Record<string, string>;
  const rpc = () => ["--rpc", fx.chain.url, "--registry", fx.registry];
  const address = (index: number) => new Wallet(fx.chain.privateKey(index)).address;
  const accreditor = (command: string, ...args: string[]) => cli(["accreditor", command, ...args, ...rpc()], env);

  beforeAll(async () => {
    fx = await startRegistry();
    env = { ACCREDITOR_PRIVATE_KEY: fx.chain.privateKey(0) };
  });
  afterAll(async () => {
    await fx.chain.close();
  });

  describe("register-issuer", () => {
    it("registers the issuer with its signer and prints the transaction and its event", async () => {
      const signer = address(4);
      const run = await accreditor(
        "register-issuer",
        "--name",
        "Hogeschool Vier",
        "--uri",
        "https://hs4.test",
        "--signer",
        signer,
      );
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(
        /^register issuer "Hogeschool Vier" \(https:\/\/hs4\.test\) with signer 0x[0-9a-fA-F]{40}: done\n/,
      );
      expect(run.stdout).toMatch(/^ {2}tx {5}0x[0-9a-f]{64}$/m);
      expect(run.stdout).toMatch(/^ {2}block {2}\d+$/m);
      expect(run.stdout).toContain(
        `  event  IssuerRegistered(issuerId=2, name=Hogeschool Vier, uri=https://hs4.test, signer=${signer})\n`,
      );
      expect(run.stdout).toContain(`  event  SignerAdded(issuerId=2, signer=${signer}, by=${address(0)})\n`);
      expect(await fx.accreditor.getIssuer(2)).toMatchObject({
        name: "Hogeschool Vier",
        uri: "https://hs4.test",
        active: true,
      });
      expect(await fx.accreditor.getSigners(2)).toEqual([signer]);
    });

    it("prints the receipt as JSON with --json", async () => {
      const run = await accreditor("register-issuer", "--name", "Vijf", "--uri", "", "--signer", address(5), "--json");
      expect(run.status).toBe(0);
      const result = JSON.parse(run.stdout) as { txHash: string; blockNumber: number; events: { name: string }[] };
      const receipt = await fx.chain.provider.getTransactionReceipt(result.txHash);
      expect(receipt?.blockNumber).toBe(result.blockNumber);
      expect(result.events.map((e) => e.name)).toEqual(["IssuerRegistered", "SignerAdded"]);
      expect(await fx.accreditor.getIssuer(3)).toMatchObject({ name: "Vijf", uri: "" });
    });
  });

  it("update-issuer changes the name and URI read back from the chain", async () => {
    const run = await accreditor(
      "update-issuer",
      "--issuer",
      "2",
      "--name",
      "Hogeschool 4",
      "--uri",
      "did:web:hs4.test",
    );
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("  event  IssuerUpdated(issuerId=2, name=Hogeschool 4, uri=did:web:hs4.test)\n");
    expect(await fx.accreditor.getIssuer(2)).toMatchObject({ name: "Hogeschool 4", uri: "did:web:hs4.test" });
  });

  it("add-signer and remove-signer change the issuer's signers", async () => {
    const extra = address(6);
    expect((await accreditor("add-signer", "--issuer", "2", "--signer", extra)).status).toBe(0);
    expect(await fx.accreditor.getSigners(2)).toEqual([address(4), extra]);
    const removed = await accreditor("remove-signer", "--issuer", "2", "--signer", extra);
    expect(removed.status).toBe(0);
    expect(removed.stdout).toContain(`  event  SignerRemoved(issuerId=2, signer=${extra}, by=${address(0)})\n`);
    expect(await fx.accreditor.getSigners(2)).toEqual([address(4)]);
    expect(await fx.accreditor.signerRecord(extra)).toEqual({ issuerId: 2, active: false });
  });

  it("deactivate and reactivate flip the issuer's active flag; doing it twice is refused in words", async () => {
    expect((await accreditor("deactivate", "--issuer", "3")).stdout).toContain(
      "IssuerActiveSet(issuerId=3, active=false)",
    );
    expect((await fx.accreditor.getIssuer(3)).active).toBe(false);
    const twice = await accreditor("deactivate", "--issuer", "3");
    expect(twice.stderr).toBe("credroot: issuer 3 is already deactivated: nothing was changed\n");
    expect(twice).toMatchObject({ status: 1, stdout: "" });
    expect(twice.stderr).toBe("credroot: issuer 3 is already deactivated: nothing was changed\n");
    expect((await accreditor("reactivate", "--issuer", "3")).status).toBe(0);
    expect((await fx.accreditor.getIssuer(3)).active).toBe(true);
  });

  describe("withdraw", () => {
    it("withdraws accreditation from a date, and refuses to move it later", async () => {
      const run = await accreditor("withdraw", "--issuer", "3", "--from", "2026-11-01", "--reason", "audit failed");
      expect(run.status).toBe(0);
      const from = Date.parse("2026-11-01T00:00:00Z") / 1000;
      expect(run.stdout).toMatch(
        /^withdraw the accreditation of issuer 3 from 2026-11-01T00:00:00\.000Z: audit failed: done\n/,
      );
      expect(run.stdout).toContain(`AccreditationWithdrawn(issuerId=3, effectiveFrom=${from}, reason=audit failed)`);
      expect((await fx.accreditor.getIssuer(3)).accreditedUntil).toBe(from);
      const later = await accreditor(
        "withdraw",
        "--issuer",
        "3",
        "--from",
        "2026-12-01T09:30:00+01:00",
        "--reason",
        "x",
      );
      expect(later.status).toBe(1);
      expect(later.stderr).toBe(
        "credroot: issuer 3's accreditation already ends at 2026-11-01T00:00:00.000Z: a withdrawal may only move it " +
          "earlier (asked 2026-12-01T08:30:00.000Z): nothing was changed\n",
      );
    });

    it("takes --from now as the chain's latest block time", async () => {
      const before = (await fx.chain.provider.getBlock("latest"))!.timestamp;
      const run = await accreditor("withdraw", "--issuer", "2", "--from", "now", "--reason", "closed");
      expect(run.status).toBe(0);
      expect((await fx.accreditor.getIssuer(2)).accreditedUntil).toBe(before);
    });
  });

  describe("add-key and retire-key", () => {
    let key: IssuerKey;
    /** The raw key, as @digitalbazaar/ed25519-multikey derives it from the seed: the did:key parser is not ours alone. */
    let raw: string;
    beforeAll(async () => {
      key = await IssuerKey.fromSeed(`0x${"42".repeat(32)}`);
      raw = hexlify(fromBase64url(key.publicJwk.x));
    });

    it("records the did:key's public key for the issuer", async () => {
      const run = await accreditor("add-key", "--issuer", "1", "--did", key.did);
      expect(run.stderr).toBe("");
      expect(run.stdout).toMatch(new RegExp(`^record key ${key.did} for issuer 1: done\n`));
      expect(run.stdout).toContain(`  event  IssuerKeyAdded(issuerId=1, publicKey=${raw})\n`);
      expect([...(await fx.accreditor.contract.getIssuerKeys(1))]).toEqual([raw]);
      const record = await fx.accreditor.contract.getIssuerKey(1, raw);
      expect(record.addedAt).toBeGreaterThan(0n);
      expect(record.retiredAt).toBe(2n ** 64n - 1n);
    });

    it("refuses the same key for another issuer, in words naming the did:key", async () => {
      const run = await accreditor("add-key", "--issuer", "2", "--did", key.did);
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `credroot: ${key.did} is or was a key of issuer 1: a key serves one issuer, ever: nothing was changed\n`,
      );
    });

    it("retires the key, then marks it compromised, then refuses a third time", async () => {
      const retired = await accreditor("retire-key", "--issuer", "1", "--did", key.did);
      expect(retired.status).toBe(0);
      expect(retired.stdout).toContain(`IssuerKeyRetired(issuerId=1, publicKey=${raw}, compromised=false)`);
      const at = (await fx.accreditor.contract.getIssuerKey(1, raw)).retiredAt;
      expect(at).toBeLessThan(2n ** 64n - 1n);
      const compromised = await accreditor("retire-key", "--issuer", "1", "--did", key.did, "--compromised");
      expect(compromised.stdout).toMatch(/^retire key did:key:z6Mk\S+ of issuer 1 as compromised: done\n/);
      const record = await fx.accreditor.contract.getIssuerKey(1, raw);
      expect([record.retiredAt, record.compromised]).toEqual([at, true]);
      const again = await accreditor("retire-key", "--issuer", "1", "--did", key.did);
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(new RegExp(`^credroot: ${key.did} of issuer 1 was already retired at \\d{4}-`));
    });

    it("refuses to retire a key the issuer does not have", async () => {
      const other = await IssuerKey.fromSeed(`0x${"43".repeat(32)}`);
      const run = await accreditor("retire-key", "--issuer", "1", "--did", other.did);
      expect(run.stderr).toBe(`credroot: ${other.did} is not a key of issuer 1: nothing was changed\n`);
    });

    it.each([
      "did:web:uni.test",
      "did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc", // X25519, not Ed25519
      "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do", // one character short
      "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk",
    ])("refuses %s as a usage error", async (did) => {
      const run = await accreditor("add-key", "--issuer", "1", "--did", did);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain("expected an Ed25519 did:key (did:key:z6Mk…)");
    });

    it("reads a did:key as the multikey library does", async () => {
      const { didKey, didKeyOf } = await import("../../cli/accreditor/inputs");
      expect(didKey(key.did)).toBe(raw);
      expect(didKeyOf(raw)).toBe(key.did);
      expect(getBytes(didKey("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"))).toHaveLength(32);
    });
  });

  describe("refusals, before anything is sent", () => {
    it("refuses a key without the accreditor role, and sends nothing", async () => {
      const stranger = new Wallet(fx.chain.privateKey(7));
      const nonce = await fx.chain.provider.getTransactionCount(stranger.address);
      const run = await cli(["accreditor", "deactivate", "--issuer", "1", ...rpc()], {
        ACCREDITOR_PRIVATE_KEY: stranger.privateKey,
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `credroot: ${stranger.address} (from ACCREDITOR_PRIVATE_KEY) does not hold the accreditor role in registry ` +
          `${fx.registry}: nothing was sent\n`,
      );
      expect(await fx.chain.provider.getTransactionCount(stranger.address)).toBe(nonce);
      expect((await fx.accreditor.getIssuer(1)).active).toBe(true);
    });

    it("lets an issuer's own signer add a signer, but not act for another issuer", async () => {
      const own = { ACCREDITOR_PRIVATE_KEY: fx.chain.privateKey(1) }; // the signer of issuer 1
      const added = await cli(["accreditor", "add-signer", "--issuer", "1", "--signer", address(8), ...rpc()], own);
      expect(added.status).toBe(0);
      expect(await fx.accreditor.getSigners(1)).toContain(address(8));
      const other = await cli(["accreditor", "add-signer", "--issuer", "2", "--signer", address(9), ...rpc()], own);
      expect(other.status).toBe(1);
      expect(other.stderr).toContain("does not hold the accreditor role nor signs for issuer 2");
    });

    it("refuses an unknown issuer", async () => {
      const run = await accreditor("deactivate", "--issuer", "99");
      expect(run).toMatchObject({ status: 1, stdout: "" });
      expect(run.stderr).toBe(
        `credroot: issuer 99 is not registered in registry ${fx.registry} (it has 3 issuers): nothing was sent\n`,
      );
    });

    it("decodes the registry's custom errors into sentences", async () => {
      const run = await accreditor("add-signer", "--issuer", "3", "--signer", address(4));
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `credroot: ${address(4)} is or was a signer of issuer 2: an address serves one issuer, ever: nothing was changed\n`,
      );
      const notThere = await accreditor("remove-signer", "--issuer", "3", "--signer", address(10));
      expect(notThere.stderr).toBe(
        `credroot: ${address(10)} is not an active signer of issuer 3: nothing was changed\n`,
      );
    });

    it("refuses a registry address with no contract", async () => {
      const run = await cli(
        ["accreditor", "deactivate", "--issuer", "1", "--rpc", fx.chain.url, "--registry", address(11)],
        env,
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toBe(
        `credroot: there is no contract at ${address(11)} on chain ${fx.chain.chainId} (--registry)\n`,
      );
    });

    it("exits 2 when no key is set, or the key is not one", async () => {
      const none = await cli(["accreditor", "deactivate", "--issuer", "1", ...rpc()], {});
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/^credroot: set ACCREDITOR_PRIVATE_KEY to the accreditor's private key/);
      const bad = await cli(["accreditor", "deactivate", "--issuer", "1", ...rpc()], {
        ACCREDITOR_PRIVATE_KEY: "0x12",
      });
      expect(bad.stderr).toBe("credroot: ACCREDITOR_PRIVATE_KEY is not a private key (0x and 64 hex digits)\n");
    });

    it("exits 2 when the endpoint does not answer, or serves another chain", async () => {
      const down = await cli(
        [
          "accreditor",
          "deactivate",
          "--issuer",
          "1",
          "--rpc",
          `http://127.0.0.1:${await closedPort()}`,
          "--registry",
          fx.registry,
        ],
        env,
      );
      expect(down.status).toBe(2);
      expect(down.stderr).toMatch(/^credroot: chain call failed/);
      const other = await accreditor("deactivate", "--issuer", "1", "--chain-id", "5");
      expect(other.status).toBe(2);
      expect(other.stderr).toContain(`serves chain ${fx.chain.chainId}, not chain 5`);
    });

    it.each([
      [["deactivate", "--issuer", "0"], "expected an issuer id"],
      [["deactivate", "--issuer", "1.5"], "expected an issuer id"],
      [
        ["add-signer", "--issuer", "1", "--signer", "0x8ba1f109551bD432803012645Ac136ddd64dBA72"],
        "expected a 0x-prefixed 20-byte address",
      ],
      [["withdraw", "--issuer", "1", "--from", "2026-02-30", "--reason", "x"], "expected now, a date"],
      [["withdraw", "--issuer", "1", "--from", "2026-11-01T09:30", "--reason", "x"], "expected now, a date"],
      [["withdraw", "--issuer", "1", "--from", "now", "--reason", " "], "must not be blank"],
      [
        [
          "register-issuer",
          "--name",
          "A\u001b[2K",
          "--uri",
          "u",
          "--signer",
          "0x8ba1f109551bD432803012645Ac136ddd64DBA72",
        ],
        "one line of text",
      ],
      [["update-issuer", "--issuer", "1", "--name", "A"], "required option '--uri <uri>' not specified"],
    ])("refuses %j as a usage error (exit 2)", async (args, message) => {
      const before = await fx.chain.provider.getBlockNumber();
      const run = await cli(["accreditor", ...args, ...rpc()], env);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(message);
      expect(await fx.chain.provider.getBlockNumber()).toBe(before);
    });
  });
});
