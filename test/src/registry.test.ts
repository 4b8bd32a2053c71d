import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  credentialRegistryAbi,
  CredrootError,
  decodeRegistryError,
  decodeVerifyResult,
  prepareBatch,
  registryInterface,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../support/registry";

const ROOT = `0x${"11".repeat(32)}` as const;

describe("credentialRegistryAbi", () => {
  it("is the ABI of the compiled contract (run `npm run build:abi` after changing it)", () => {
    const artifact = join(__dirname, "../../artifacts/contracts/CredentialRegistry.sol/CredentialRegistry.json");
    const { abi } = JSON.parse(readFileSync(artifact, "utf8")) as { abi: unknown };
    expect(credentialRegistryAbi).toEqual(abi);
  });
});

describe("decodeRegistryError", () => {
  it("decodes a custom error found anywhere in an ethers error, by name and arguments", () => {
    const data = registryInterface.encodeErrorResult("BatchAlreadyAnchored", [ROOT, 3, 1_780_000_000]);
    const error = decodeRegistryError({ code: "UNKNOWN_ERROR", info: { error: { code: 3, data } } });
    expect(error).toBeInstanceOf(CredrootError);
    expect(error.code).toBe("CONTRACT_REVERT");
    expect(error.revert).toEqual({ name: "BatchAlreadyAnchored", args: [ROOT, 3n, 1_780_000_000n] });
    expect(error.message).toBe(`registry reverted: BatchAlreadyAnchored(${ROOT}, 3, 1780000000)`);
  });

  it("calls anything that is not a revert chain-unavailable, keeping the first line", () => {
    const error = decodeRegistryError(new Error("socket hang up\n    at stack"));
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
    expect(error.message).toBe("chain call failed: socket hang up");
    expect(decodeRegistryError({ data: "0xdeadbeef" }).code).toBe("CHAIN_UNAVAILABLE");
  });

  // Regression (bundle-fuzz, seed -230809333): a provider rejecting with an object that String()
  // refuses made decodeRegistryError throw a TypeError instead of answering chain-unavailable.
  it.each([
    ["an object without a prototype", Object.create(null) as unknown],
    ["an object whose toString is no function", { toString: 1 }],
  ])("calls %s chain-unavailable instead of throwing", (_what, thrown) => {
    const error = decodeRegistryError(thrown);
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
    expect(error.message).toContain("[object Object]");
  });

  it("passes a CredrootError through unchanged", () => {
    const original = new CredrootError("INVALID_ARGUMENT", "bad");
    expect(decodeRegistryError(original)).toBe(original);
  });
});

describe("decodeVerifyResult", () => {
  it("rejects an empty or unreadable answer as chain-unavailable", () => {
    expect(() => decodeVerifyResult("0x")).toThrow(/no registry contract answered/);
    expect(() => decodeVerifyResult("0x00")).toThrow(/unreadable registry answer/);
  });

  it("rejects a status the library does not know", () => {
    const data = registryInterface.encodeFunctionResult("verifyWithIssuer", [
      [0, 0, 0, 0, 0, 0],
      [0, false, "", ""],
    ]);
    const tooHigh = `0x${"0".repeat(63)}9${data.slice(66)}`;
    expect(() => decodeVerifyResult(tooHigh)).toThrow(CredrootError);
  });
});

describe("RegistryClient (local chain)", () => {
  let fx: RegistryFixture;

  beforeAll(async () => {
    fx = await startRegistry();
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("registers issuers with sequential ids and reads them back", async () => {
    const signer = await fx.chain.signer(5);
    const { issuerId } = await fx.accreditor.registerIssuer("Second College", "did:web:college.test", signer.address);
    expect(issuerId).toBe(fx.issuerId + 1);
    expect(await fx.accreditor.issuerCount()).toBe(issuerId);
    expect(await fx.accreditor.getIssuer(issuerId)).toEqual({
      id: issuerId,
      name: "Second College",
      uri: "did:web:college.test",
      active: true,
      accreditedUntil: null,
    });
  });

  it("anchors a batch and reads its record", async () => {
    const batch = prepareBatch([sampleCredential(0), sampleCredential(1)]);
    const receipt = await fx.issuer.anchor(batch.root, batch.count);
    const block = await fx.chain.provider.getBlock(receipt.blockNumber);
    expect(await fx.issuer.getBatch(batch.root)).toEqual({
      issuerId: fx.issuerId,
      anchoredAt: block!.timestamp,
      revokedAt: 0,
    });
    await expect(fx.issuer.anchor(batch.root, 2)).rejects.toMatchObject({
      code: "CONTRACT_REVERT",
      revert: { name: "BatchAlreadyAnchored", args: [batch.root, BigInt(fx.issuerId), BigInt(block!.timestamp)] },
    });
  });

  it("decodes reverts of reads and writes by name", async () => {
    await expect(fx.accreditor.getIssuer(99)).rejects.toMatchObject({ revert: { name: "UnknownIssuer", args: [99n] } });
    await expect(fx.accreditor.anchor(ROOT, 1)).rejects.toMatchObject({
      revert: { name: "NotASigner", args: [(await fx.chain.signer(0)).address] },
    });
    await expect(fx.issuer.revokeBatch(`0x${"22".repeat(32)}`, "x")).rejects.toMatchObject({
      revert: { name: "BatchNotAnchored" },
    });
  });
});
