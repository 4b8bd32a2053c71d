import { hexlify, randomBytes, ZeroHash } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { anchorBatch, verifyOf } from "./calls";
import {
  MAX_UINT64,
  blockTimestamp,
  deployFixture,
  eventsOf,
  expectRevert,
  mined,
  snapshots,
  type Fixture,
} from "./helpers";

/**
 * Issuer keys: the accreditor records the did:key Ed25519 keys that sign an issuer's W3C credentials,
 * retires them (compromised or not), and every key stays in the history, bound to its issuer for good.
 */

let f: Fixture;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const randomKey = () => hexlify(randomBytes(32));
const asAccreditor = () => f.registry.connect(f.accreditor);
const keyOf = async (issuerId: bigint, key: string) => {
  const record = await f.registry.getIssuerKey(issuerId, key);
  return { addedAt: record.addedAt, retiredAt: record.retiredAt, compromised: record.compromised };
};
const NO_KEY = { addedAt: 0n, retiredAt: 0n, compromised: false };

describe("addIssuerKey", () => {
  it("records the key for the issuer, in use, with an IssuerKeyAdded event", async () => {
    const key = randomKey();
    const receipt = await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    expect(await eventsOf(f.registry, receipt)).toEqual([{ name: "IssuerKeyAdded", args: [f.issuerA, key] }]);
    expect(await keyOf(f.issuerA, key)).toEqual({
      addedAt: await blockTimestamp(receipt),
      retiredAt: MAX_UINT64,
      compromised: false,
    });
    expect(await f.registry.issuerOfKey(key)).toBe(f.issuerA);
    expect(await f.registry.getIssuerKeys(f.issuerA)).toEqual([key]);
  });

  it("is refused to anyone without ACCREDITOR_ROLE: the issuer's own signer, the admin, an outsider", async () => {
    // Read before the calls: awaited inside expectRevert's arguments, the call's rejection went unhandled meanwhile.
    const role = await f.registry.ACCREDITOR_ROLE();
    for (const who of [f.signerA, f.admin, f.outsider]) {
      await expectRevert(
        f.registry.connect(who).addIssuerKey(f.issuerA, randomKey()),
        "AccessControlUnauthorizedAccount",
        [who.address, role],
      );
    }
    expect(await f.registry.getIssuerKeys(f.issuerA)).toEqual([]);
  });

  it("reverts ZeroPublicKey for the zero key and UnknownIssuer for issuer 0 or one never registered", async () => {
    await expectRevert(asAccreditor().addIssuerKey(f.issuerA, ZeroHash), "ZeroPublicKey", []);
    await expectRevert(asAccreditor().addIssuerKey(0n, randomKey()), "UnknownIssuer", [0n]);
    await expectRevert(asAccreditor().addIssuerKey(4n, randomKey()), "UnknownIssuer", [4n]);
  });

  it("never records a key twice: not for the same issuer, not for another, not even once retired", async () => {
    const key = randomKey();
    await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    await expectRevert(asAccreditor().addIssuerKey(f.issuerA, key), "IssuerKeyAlreadyUsed", [key, f.issuerA]);
    await expectRevert(asAccreditor().addIssuerKey(f.issuerB, key), "IssuerKeyAlreadyUsed", [key, f.issuerA]);
    await mined(asAccreditor().retireIssuerKey(f.issuerA, key, false));
    await expectRevert(asAccreditor().addIssuerKey(f.issuerB, key), "IssuerKeyAlreadyUsed", [key, f.issuerA]);
    expect(await keyOf(f.issuerB, key)).toEqual(NO_KEY);
    expect(await f.registry.getIssuerKeys(f.issuerB)).toEqual([]);
  });

  it("caps an issuer at MAX_ISSUER_KEYS (32) keys, retired ones included; other issuers are not affected", async () => {
    const max = await f.registry.MAX_ISSUER_KEYS();
    expect(max).toBe(32n);
    const keys = Array.from({ length: Number(max) }, randomKey);
    for (const key of keys) await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    await mined(asAccreditor().retireIssuerKey(f.issuerA, keys[0]!, false));
    await expectRevert(asAccreditor().addIssuerKey(f.issuerA, randomKey()), "TooManyIssuerKeys", [f.issuerA, max]);
    expect(await f.registry.getIssuerKeys(f.issuerA)).toEqual(keys);
    await mined(asAccreditor().addIssuerKey(f.issuerB, randomKey()));
  });
});

describe("retireIssuerKey", () => {
  it("retires a key from now on, keeps it in the history, and emits IssuerKeyRetired", async () => {
    const [old, next] = [randomKey(), randomKey()];
    const added = await mined(asAccreditor().addIssuerKey(f.issuerA, old));
    await mined(asAccreditor().addIssuerKey(f.issuerA, next));
    const retired = await mined(asAccreditor().retireIssuerKey(f.issuerA, old, false));
    expect(await eventsOf(f.registry, retired)).toEqual([{ name: "IssuerKeyRetired", args: [f.issuerA, old, false] }]);
    expect(await keyOf(f.issuerA, old)).toEqual({
      addedAt: await blockTimestamp(added),
      retiredAt: await blockTimestamp(retired),
      compromised: false,
    });
    expect((await keyOf(f.issuerA, next)).retiredAt).toBe(MAX_UINT64);
    expect(await f.registry.getIssuerKeys(f.issuerA)).toEqual([old, next]);
    expect(await f.registry.issuerOfKey(old)).toBe(f.issuerA);
  });

  it("marks a key compromised at once, or later after a plain retirement, keeping the first retiredAt", async () => {
    const [a, b] = [randomKey(), randomKey()];
    await mined(asAccreditor().addIssuerKey(f.issuerA, a));
    await mined(asAccreditor().addIssuerKey(f.issuerA, b));
    const atOnce = await mined(asAccreditor().retireIssuerKey(f.issuerA, a, true));
    expect(await eventsOf(f.registry, atOnce)).toEqual([{ name: "IssuerKeyRetired", args: [f.issuerA, a, true] }]);
    expect(await keyOf(f.issuerA, a)).toMatchObject({ retiredAt: await blockTimestamp(atOnce), compromised: true });

    const plain = await mined(asAccreditor().retireIssuerKey(f.issuerA, b, false));
    const later = await mined(asAccreditor().retireIssuerKey(f.issuerA, b, true));
    expect(await eventsOf(f.registry, later)).toEqual([{ name: "IssuerKeyRetired", args: [f.issuerA, b, true] }]);
    expect(await keyOf(f.issuerA, b)).toMatchObject({ retiredAt: await blockTimestamp(plain), compromised: true });
  });

  it("reverts IssuerKeyAlreadyRetired when retired again, unless the second call marks it compromised", async () => {
    const key = randomKey();
    await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    const retired = await mined(asAccreditor().retireIssuerKey(f.issuerA, key, false));
    const at = await blockTimestamp(retired);
    await expectRevert(asAccreditor().retireIssuerKey(f.issuerA, key, false), "IssuerKeyAlreadyRetired", [
      f.issuerA,
      key,
      at,
    ]);
    await mined(asAccreditor().retireIssuerKey(f.issuerA, key, true));
    for (const compromised of [false, true]) {
      await expectRevert(asAccreditor().retireIssuerKey(f.issuerA, key, compromised), "IssuerKeyAlreadyRetired", [
        f.issuerA,
        key,
        at,
      ]);
    }
  });

  it("reverts IssuerKeyNotOfIssuer for a key of another issuer or one never added, UnknownIssuer for no issuer", async () => {
    const key = randomKey();
    await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    await expectRevert(asAccreditor().retireIssuerKey(f.issuerB, key, true), "IssuerKeyNotOfIssuer", [f.issuerB, key]);
    const never = randomKey();
    await expectRevert(asAccreditor().retireIssuerKey(f.issuerA, never, false), "IssuerKeyNotOfIssuer", [
      f.issuerA,
      never,
    ]);
    await expectRevert(asAccreditor().retireIssuerKey(f.issuerA, ZeroHash, false), "IssuerKeyNotOfIssuer", [
      f.issuerA,
      ZeroHash,
    ]);
    await expectRevert(asAccreditor().retireIssuerKey(9n, key, false), "UnknownIssuer", [9n]);
    expect((await keyOf(f.issuerA, key)).retiredAt).toBe(MAX_UINT64);
  });

  it("is refused to anyone without ACCREDITOR_ROLE, the issuer's signer included", async () => {
    const key = randomKey();
    await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    const role = await f.registry.ACCREDITOR_ROLE();
    for (const who of [f.signerA, f.admin, f.outsider]) {
      await expectRevert(
        f.registry.connect(who).retireIssuerKey(f.issuerA, key, true),
        "AccessControlUnauthorizedAccount",
        [who.address, role],
      );
    }
    expect((await keyOf(f.issuerA, key)).retiredAt).toBe(MAX_UINT64);
  });
});

describe("views", () => {
  it("getIssuerKey is all zero for a key recorded for another issuer, one never added, and issuer 0", async () => {
    const key = randomKey();
    await mined(asAccreditor().addIssuerKey(f.issuerA, key));
    expect(await keyOf(f.issuerB, key)).toEqual(NO_KEY);
    expect(await keyOf(0n, key)).toEqual(NO_KEY);
    expect(await keyOf(f.issuerA, randomKey())).toEqual(NO_KEY);
    expect(await keyOf(0n, ZeroHash)).toEqual(NO_KEY);
    expect(await f.registry.issuerOfKey(randomKey())).toBe(0n);
  });

  it("getIssuerKeys lists every key in the order added, and reverts UnknownIssuer for no issuer", async () => {
    const keys = [randomKey(), randomKey(), randomKey()];
    for (const key of keys) await mined(asAccreditor().addIssuerKey(f.issuerB, key));
    await mined(asAccreditor().retireIssuerKey(f.issuerB, keys[1]!, true));
    expect(await f.registry.getIssuerKeys(f.issuerB)).toEqual(keys);
    expect(await f.registry.getIssuerKeys(f.issuerA)).toEqual([]);
    await expectRevert(f.registry.getIssuerKeys(0n), "UnknownIssuer", [0n]);
    await expectRevert(f.registry.getIssuerKeys(4n), "UnknownIssuer", [4n]);
  });
});

describe("gas", () => {
  it("costs bounded gas per call, and leaves anchor and verify untouched whatever the keys", async () => {
    const key = randomKey();
    const add = (await mined(asAccreditor().addIssuerKey(f.issuerA, key))).gasUsed;
    const retire = (await mined(asAccreditor().retireIssuerKey(f.issuerA, key, false))).gasUsed;
    const compromise = (await mined(asAccreditor().retireIssuerKey(f.issuerA, key, true))).gasUsed;
    const getKey = await f.registry.getIssuerKey.estimateGas(f.issuerA, key);
    const ofKey = await f.registry.issuerOfKey.estimateGas(key);

    // Anchoring and verifying cost the same before and after issuer A holds 32 keys (same calldata
    // weight: no zero bytes in the batch ids and root).
    const root = `0x${"ab".repeat(32)}`;
    const anchorGas = async (batchId: string) =>
      (await mined(f.registry.connect(f.signerA).anchor(batchId, root, 8, ""))).gasUsed;
    const { batch } = await anchorBatch(f, f.signerA, f.issuerA, { size: 8 });
    const request = batch.request(3);
    const verifyGas = async () => {
      expect((await verifyOf(f.registry, request)).status).toBe("valid");
      return f.registry.verify.estimateGas(
        request.issuerId,
        request.batchId,
        request.root,
        request.digest,
        request.proof,
      );
    };
    const [anchorBefore, verifyBefore] = [await anchorGas(`0x${"11".repeat(16)}`), await verifyGas()];
    for (let i = 1; i < 32; i++) await mined(asAccreditor().addIssuerKey(f.issuerA, randomKey()));
    const getKeys32 = await f.registry.getIssuerKeys.estimateGas(f.issuerA);
    const [anchorAfter, verifyAfter] = [await anchorGas(`0x${"12".repeat(16)}`), await verifyGas()];

    console.log(
      `gas | addIssuerKey ${add} | retireIssuerKey ${retire} | mark compromised ${compromise}` +
        ` | getIssuerKey ${getKey} | issuerOfKey ${ofKey} | getIssuerKeys (32 keys) ${getKeys32}` +
        ` | anchor 0/32 keys ${anchorBefore}/${anchorAfter} | verify 0/32 keys ${verifyBefore}/${verifyAfter}`,
    );
    expect(add).toBeLessThan(100_000n);
    expect(retire).toBeLessThan(40_000n);
    expect(compromise).toBeLessThan(40_000n);
    expect(getKey).toBeLessThan(30_000n);
    expect(getKeys32).toBeLessThan(120_000n);
    expect(anchorAfter).toBe(anchorBefore);
    expect(verifyAfter).toBe(verifyBefore);
  });
});
