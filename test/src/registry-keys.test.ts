import * as Ed25519Multikey from "@digitalbazaar/ed25519-multikey";
import { AbiCoder, hexlify } from "ethers";
import { describe, expect, it } from "vitest";
import { type CallProvider, credentialRegistryInterface, isCredrootError } from "../../src";
import {
  decodeIssuerKeyResult,
  didKeyOf,
  issuerKeyStatus,
  type IssuerKeyRecord,
  judgeIssuerKey,
  publicKeyOfDidKey,
} from "../../src/registry-keys";
import { IssuerKey } from "../../src/standard";

/** did:key <-> raw Ed25519 key, and the registry's rule for a key at a signing time. */

const MAX = 2n ** 64n - 1n;
/** A `getIssuerKey` answer. */
const answer = (addedAt: bigint, retiredAt: bigint, compromised: boolean) =>
  AbiCoder.defaultAbiCoder().encode(["tuple(uint64,uint64,bool)"], [[addedAt, retiredAt, compromised]]);

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isCredrootError(error) ? error.code : "not a CredrootError";
  }
  return undefined;
}

describe("didKeyOf / publicKeyOfDidKey", () => {
  it("agree with @digitalbazaar/ed25519-multikey on 16 keys, both ways, bytes or hex", async () => {
    for (let i = 1; i <= 16; i++) {
      const key = await IssuerKey.fromSeed(i.toString(16).padStart(2, "0").repeat(32));
      const theirs = await Ed25519Multikey.from({ publicKeyMultibase: key.publicKeyMultibase });
      expect(hexlify(publicKeyOfDidKey(key.did))).toBe(hexlify(theirs.publicKey));
      expect(didKeyOf(theirs.publicKey)).toBe(key.did);
      expect(didKeyOf(hexlify(theirs.publicKey))).toBe(key.did);
      expect(didKeyOf(hexlify(theirs.publicKey).slice(2))).toBe(key.did);
      expect(hexlify(publicKeyOfDidKey(key.verificationMethod))).toBe(hexlify(theirs.publicKey));
    }
  });

  it("round-trips the all-zero and all-ff keys", () => {
    for (const hex of [`0x${"00".repeat(32)}`, `0x${"ff".repeat(32)}`]) {
      const did = didKeyOf(hex);
      expect(did).toMatch(/^did:key:z6Mk/);
      expect(hexlify(publicKeyOfDidKey(did))).toBe(hex);
    }
  });

  it("throws INVALID_ARGUMENT for what is not an Ed25519 did:key", async () => {
    const key = await IssuerKey.fromSeed("07".repeat(32));
    const other = await IssuerKey.fromSeed("08".repeat(32));
    for (const bad of [
      "did:web:uni.test",
      "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", // secp256k1
      `${key.did}#${other.publicKeyMultibase}`, // a fragment that is another key
      key.did.slice(0, -1), // too short
      `${key.did}1`, // too long
      key.did.replace(/.$/, "0"), // 0 is not base58
      "",
    ]) {
      expect(
        codeOf(() => publicKeyOfDidKey(bad)),
        bad,
      ).toBe("INVALID_ARGUMENT");
    }
    for (const bad of ["0x1234", "zz".repeat(32), new Uint8Array(31), new Uint8Array(33)]) {
      expect(codeOf(() => didKeyOf(bad))).toBe("INVALID_ARGUMENT");
    }
  });
});

describe("judgeIssuerKey", () => {
  const key = (addedAt: number, retiredAt: number | null, compromised = false): IssuerKeyRecord => ({
    addedAt,
    retiredAt,
    compromised,
  });
  it.each([
    [key(0, null), 100, "not-recorded", false],
    [key(100, null), 100, "in-use", true],
    [key(100, null), 99, "added-after-signing", false],
    [key(100, 200), 199, "retired-after-signing", true],
    [key(100, 200), 200, "retired-before-signing", false],
    [key(100, 200, true), 150, "compromised", false],
    [key(100, 200, true), 50, "compromised", false],
  ] as const)("%o at %i: %s", (record, at, reason, accepted) => {
    expect(judgeIssuerKey(record, at)).toEqual({ accepted, reason, key: record });
  });
});

describe("issuerKeyStatus", () => {
  const registry = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  const did = didKeyOf(`0x${"ab".repeat(32)}`);

  it("reads getIssuerKey(issuerId, key) with one eth_call and judges it at the signing time", async () => {
    const calls: { to: string; data: string }[] = [];
    const provider: CallProvider = {
      call: (tx) => {
        calls.push(tx);
        return Promise.resolve(answer(1_700_000_000n, MAX, false));
      },
    };
    const status = await issuerKeyStatus({ provider, registry }, 3, did, new Date(1_700_000_000_500));
    expect(status).toEqual({
      accepted: true,
      reason: "in-use",
      key: { addedAt: 1_700_000_000, retiredAt: null, compromised: false },
    });
    expect(calls).toHaveLength(1);
    const parsed = credentialRegistryInterface.parseTransaction({ data: calls[0]!.data });
    expect(parsed?.name).toBe("getIssuerKey");
    expect(parsed?.args.toArray()).toEqual([3n, `0x${"ab".repeat(32)}`]);
    const before = await issuerKeyStatus({ provider, registry }, 3, did, new Date(1_699_999_999_000));
    expect(before.reason).toBe("added-after-signing");
  });

  it("throws CHAIN_UNAVAILABLE for an empty or unreadable answer, INVALID_ARGUMENT for a bad key or time", async () => {
    expect(codeOf(() => decodeIssuerKeyResult("0x"))).toBe("CHAIN_UNAVAILABLE");
    expect(codeOf(() => decodeIssuerKeyResult("0x1234"))).toBe("CHAIN_UNAVAILABLE");
    const provider: CallProvider = { call: () => Promise.resolve("0x") };
    await expect(issuerKeyStatus({ provider, registry }, 1, did, new Date())).rejects.toMatchObject({
      code: "CHAIN_UNAVAILABLE",
    });
    await expect(issuerKeyStatus({ provider, registry }, 1, "did:web:x", new Date())).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(issuerKeyStatus({ provider, registry }, 1, did, new Date(NaN))).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
