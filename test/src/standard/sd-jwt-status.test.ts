import { decodeProtectedHeader } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  IssuerKey,
  issueSdJwtVc,
  tokenStatusListJwt,
  STATUS_LIST_JWT_TYPE,
  verifySdJwtVc,
} from "../../../src/standard";
import { ISSUER, issuerKey, NOW, richBundle } from "./helpers";
import { sdJwtVcVerify } from "./sd-jwt-third-party";

const URI = "https://credentials.example.edu/v1/status-lists/1/token";
const IDX = 4242;

describe("an SD-JWT VC's status in a Token Status List", () => {
  let key: IssuerKey;
  let sdJwt: string;
  const listOf = (revoked: number[]) => tokenStatusListJwt({ uri: URI, length: 131_072, revoked, now: NOW }, key);
  const serving = (list: string) => (uri: string) =>
    uri === URI ? Promise.resolve(list) : Promise.reject(new Error(`unexpected ${uri}`));

  beforeAll(async () => {
    key = await issuerKey();
    sdJwt = await issueSdJwtVc(richBundle, ISSUER, key, { now: NOW, status: { uri: URI, idx: IDX } });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("names the list and the index, and @sd-jwt/sd-jwt-vc reads the list: valid, then revoked once the bit is set", async () => {
    const { payload } = await sdJwtVcVerify(sdJwt, key.did, NOW, serving(await listOf([1, IDX + 1])));
    expect(payload.status).toEqual({ status_list: { uri: URI, idx: IDX } });
    await expect(sdJwtVcVerify(sdJwt, key.did, NOW, serving(await listOf([IDX])))).rejects.toThrow(
      /Status is not valid/,
    );
  });

  it("signs the list with the issuer's key as a statuslist+jwt", async () => {
    const list = await listOf([IDX]);
    expect(decodeProtectedHeader(list)).toEqual({
      alg: "EdDSA",
      typ: STATUS_LIST_JWT_TYPE,
      kid: key.verificationMethod,
    });
    const forged = await tokenStatusListJwt(
      { uri: URI, length: 131_072, revoked: [] },
      await IssuerKey.fromSeed("0a".repeat(32)),
    );
    await expect(sdJwtVcVerify(sdJwt, key.did, NOW, serving(forged))).rejects.toThrow(
      /Status List JWT verification failed/,
    );
  });

  it("verifySdJwtVc reports revoked with a fetcher, and fetches nothing without one", async () => {
    const revoked = await verifySdJwtVc(sdJwt, { now: NOW, statusList: serving(await listOf([IDX])) });
    expect(revoked).toMatchObject({ verified: false, errors: ["revoked (status list)"] });
    expect((await verifySdJwtVc(sdJwt, { now: NOW, statusList: serving(await listOf([])) })).verified).toBe(true);
    const fetch = vi.spyOn(globalThis, "fetch");
    expect((await verifySdJwtVc(sdJwt, { now: NOW })).verified).toBe(true);
    expect(fetch).not.toHaveBeenCalled();
  });

  it("refuses an index outside the list", async () => {
    await expect(tokenStatusListJwt({ uri: URI, length: 8, revoked: [8] }, key)).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
    await expect(issueSdJwtVc(richBundle, ISSUER, key, { status: { uri: URI, idx: -1 } })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
    });
  });
});
