import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";
import { beforeAll, describe, expect, it } from "vitest";
import { fromVerifiableCredential, toVerifiableCredential } from "../../../src/export";
import {
  buildStatusList,
  type IssuerKey,
  readStatusListEntry,
  signCredential,
  signStatusList,
  STATUS_LIST_MIN_BITS,
  statusListEntry,
  statusListLength,
  verifyDataIntegrity,
} from "../../../src/standard";
import { ISSUER, issuerKey, richBundle } from "./helpers";
import { revokedBit } from "./status-list-third-party";
import { digitalbazaarVerify } from "./third-party";

const URL_ = "https://issuer.test/v1/status-lists/1";
let key: IssuerKey;
beforeAll(async () => {
  key = await issuerKey();
});

const signedList = async (revoked: number[], length = STATUS_LIST_MIN_BITS) =>
  JSON.parse(
    JSON.stringify(
      await signStatusList(await buildStatusList({ url: URL_, issuerDid: key.did, length, revoked }), key),
    ),
  ) as object;

describe("statusListLength", () => {
  it("is at least 131,072 bits and grows in whole steps of that size", () => {
    expect(statusListLength(0)).toBe(131_072);
    expect(statusListLength(131_072)).toBe(131_072);
    expect(statusListLength(131_073)).toBe(262_144);
    expect(statusListLength(1_000_000)).toBe(8 * 131_072);
  });
});

describe("statusListEntry / readStatusListEntry", () => {
  it("writes a BitstringStatusListEntry for revocation, the index as decimal text", () => {
    expect(statusListEntry(URL_, 7)).toEqual({
      id: `${URL_}#7`,
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: "7",
      statusListCredential: URL_,
    });
    expect(() => statusListEntry(URL_, -1)).toThrow(/non-negative integer/);
  });

  it("reads back exactly such an entry, and nothing else", () => {
    const entry = statusListEntry(URL_, 42);
    expect(readStatusListEntry(JSON.parse(JSON.stringify(entry)))).toEqual(entry);
    expect(readStatusListEntry({ ...entry, extra: 1 })).toBeNull();
    expect(readStatusListEntry({ ...entry, id: `${URL_}#41` })).toBeNull();
    expect(readStatusListEntry({ ...entry, statusListIndex: "042", id: `${URL_}#042` })).toBeNull();
    expect(readStatusListEntry({ ...entry, statusPurpose: "suspension" })).toBeNull();
    expect(readStatusListEntry([entry])).toBeNull();
  });
});

describe("buildStatusList / signStatusList", () => {
  it("signs a list that @digitalbazaar/vc verifies, whose bits the library decodes as set", async () => {
    const list = (await signedList([3, 131_071])) as { credentialSubject: { encodedList: string }; issuer: string };
    expect(list).toMatchObject({
      type: ["VerifiableCredential", "BitstringStatusListCredential"],
      issuer: key.did,
      credentialSubject: { type: "BitstringStatusList", statusPurpose: "revocation" },
      proof: [{ type: "DataIntegrityProof", cryptosuite: "eddsa-rdfc-2022" }],
    });
    const verified = await digitalbazaarVerify(list);
    expect(verified.verified, verified.error?.message).toBe(true);
    const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
    expect(bits.length).toBe(STATUS_LIST_MIN_BITS);
    expect([0, 3, 4, 131_071].map((i) => bits.getStatus(i))).toEqual([false, true, false, true]);
    expect(
      (await digitalbazaarVerify({ ...list, issuer: "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK" }))
        .verified,
    ).toBe(false);
  });

  it("refuses a length under the minimum, an index outside the list, or another issuer's key", async () => {
    await expect(buildStatusList({ url: URL_, issuerDid: key.did, length: 1024, revoked: [] })).rejects.toThrow(
      /at least/,
    );
    await expect(
      buildStatusList({ url: URL_, issuerDid: key.did, length: STATUS_LIST_MIN_BITS, revoked: [STATUS_LIST_MIN_BITS] }),
    ).rejects.toThrow(/outside/);
    const list = await buildStatusList({
      url: URL_,
      issuerDid: "did:key:z6Mkother",
      length: STATUS_LIST_MIN_BITS,
      revoked: [],
    });
    await expect(signStatusList(list, key)).rejects.toThrow(/not the key's/);
  });
});

describe("a signed credential with a status entry", () => {
  const withStatus = (format: "ob3" | "vc", index: number) =>
    toVerifiableCredential(richBundle, ISSUER, {
      format,
      issuerDid: key.did,
      credentialStatus: statusListEntry(URL_, index),
    });

  it.each(["ob3", "vc"] as const)("signs a %s credential whose status entry every context defines", async (format) => {
    const signed = JSON.parse(JSON.stringify(await signCredential(withStatus(format, 3), key))) as object;
    expect(signed).toMatchObject({ credentialStatus: { statusListIndex: "3" } });
    expect((await digitalbazaarVerify(signed)).verified).toBe(true);
    expect((await verifyDataIntegrity(signed)).verified).toBe(true);
    // Its status entry is signed too: pointing it at another bit breaks the proof.
    const moved = { ...signed, credentialStatus: statusListEntry(URL_, 4) };
    expect((await digitalbazaarVerify(moved)).verified).toBe(false);
  });

  it("reads as revoked or not with @digitalbazaar/vc-bitstring-status-list, per its bit", async () => {
    const list = await signedList([3]);
    const fetchList = (url: string) => (url === URL_ ? Promise.resolve(list) : Promise.reject(new Error(url)));
    const revoked = await signCredential(withStatus("ob3", 3), key);
    const valid = await signCredential(withStatus("ob3", 4), key);
    expect(await revokedBit(revoked, fetchList)).toBe(true);
    expect(await revokedBit(valid, fetchList)).toBe(false);
  });

  it("imports back to its bundle; an edited status entry is refused", async () => {
    const signed = await signCredential(withStatus("ob3", 3), key);
    expect(fromVerifiableCredential(JSON.stringify(signed))).toEqual(richBundle);
    const edited = { ...signed, credentialStatus: { ...signed.credentialStatus, note: "x" } };
    expect(() => fromVerifiableCredential(edited)).toThrow(/\/credentialStatus disagrees/);
  });
});
