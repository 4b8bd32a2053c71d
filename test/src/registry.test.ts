import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  batchIdToBytes16,
  credentialRegistryAbi,
  CredrootError,
  decodeRegistryError,
  decodeVerifyManyResult,
  decodeVerifyResult,
  encodeVerifyCall,
  encodeVerifyManyCall,
  leafOfDigest,
  newBatchId,
  parseRegistryEvent,
  prepareBatch,
  proofOf,
  RegistryClient,
  credentialRegistryInterface,
  registryInterface,
  type VerifyRequest,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../harness/registry";

const ROOT = `0x${"11".repeat(32)}` as const;
const BATCH = "7f3c2a10-5b6e-4d8f-9a01-23456789abcd";

/** The ABI of the compiled contract. */
function abi(): unknown[] {
  const artifact = join(__dirname, "../../artifacts/contracts/CredentialRegistry.sol/CredentialRegistry.json");
  return (JSON.parse(readFileSync(artifact, "utf8")) as { abi: unknown[] }).abi;
}

describe("credentialRegistryAbi", () => {
  it("is the ABI of the compiled contract (run `npm run build:bindings` after changing it)", () => {
    expect(credentialRegistryAbi).toEqual(abi());
  });

  it("is what registryInterface (untyped, for names chosen at run time) and the typed interface encode with", () => {
    expect(registryInterface).toBe(credentialRegistryInterface);
    expect(credentialRegistryInterface.fragments).toHaveLength(abi().length);
  });
});

describe("parseRegistryEvent", () => {
  const signer = "0x00000000000000000000000000000000000000A1";
  const log = credentialRegistryInterface.encodeEventLog("CredentialRevoked", [7, ROOT, signer, "issued in error"]);

  it("decodes the registry's event by name, its arguments typed by position and by name", () => {
    const event = parseRegistryEvent(log, "CredentialRevoked");
    expect(event?.issuerId).toBe(7n);
    expect(event?.digest).toBe(ROOT);
    expect(event?.signer).toBe(signer);
    expect(event?.reason).toBe("issued in error");
    expect(event?.[3]).toBe("issued in error");
  });

  it("answers null for another event, and for a log whose data does not decode", () => {
    expect(parseRegistryEvent(log, "BatchRevoked")).toBeNull();
    expect(parseRegistryEvent({ topics: [], data: "0x" }, "CredentialRevoked")).toBeNull();
    expect(parseRegistryEvent({ ...log, data: "0x1234" }, "CredentialRevoked")).toBeNull();
  });
});

describe("decodeRegistryError", () => {
  it("decodes a custom error found anywhere in an ethers error, by name and arguments", () => {
    const data = credentialRegistryInterface.encodeErrorResult("BatchAlreadyAnchored", [
      3,
      batchIdToBytes16(BATCH),
      ROOT,
    ]);
    const error = decodeRegistryError({ code: "UNKNOWN_ERROR", info: { error: { code: 3, data } } });
    expect(error).toBeInstanceOf(CredrootError);
    expect(error.code).toBe("CONTRACT_REVERT");
    expect(error.revert).toEqual({ name: "BatchAlreadyAnchored", args: [3n, batchIdToBytes16(BATCH), ROOT] });
    expect(error.message).toBe(`registry reverted: BatchAlreadyAnchored(3, ${batchIdToBytes16(BATCH)}, ${ROOT})`);
  });

  it("calls anything that is not a revert chain-unavailable, keeping the first line", () => {
    const error = decodeRegistryError(new Error("socket hang up\n    at stack"));
    expect(error.code).toBe("CHAIN_UNAVAILABLE");
    expect(error.message).toBe("chain call failed: socket hang up");
    expect(decodeRegistryError({ data: "0xdeadbeef" }).code).toBe("CHAIN_UNAVAILABLE");
  });

  it("hides an RPC URL (which often carries an API key) from the message", () => {
    const error = decodeRegistryError(new Error("request to https://rpc.example/v3/SECRETKEY failed"));
    expect(error.message).toBe("chain call failed: request to <rpc> failed");
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

describe("encodeVerifyCall and decodeVerifyResult", () => {
  const request: VerifyRequest = { issuerId: 4, batchId: BATCH, root: ROOT, digest: ROOT, proof: [ROOT] };

  it("encodes verifyWithIssuer(issuerId, bytes16 batchId, root, digest, proof) and verifyMany of requests", () => {
    const call = credentialRegistryInterface.parseTransaction({ data: encodeVerifyCall(request) });
    expect(call?.name).toBe("verifyWithIssuer");
    expect(call?.args.toArray().slice(0, 4)).toEqual([4n, batchIdToBytes16(BATCH), ROOT, ROOT]);
    const many = credentialRegistryInterface.parseTransaction({ data: encodeVerifyManyCall([request, request]) });
    expect(many?.name).toBe("verifyMany");
  });

  it("rejects an empty or unreadable answer as chain-unavailable", () => {
    expect(() => decodeVerifyResult("0x", 1)).toThrow(/no registry contract answered/);
    expect(() => decodeVerifyResult("0x00", 1)).toThrow(/unreadable registry answer/);
  });

  it("rejects a status the library does not know", () => {
    const data = credentialRegistryInterface.encodeFunctionResult("verifyWithIssuer", [
      [0, ROOT, 0, 0, 0, 0],
      [0, false, "", ""],
    ]);
    const tooHigh = `0x${"0".repeat(63)}9${data.slice(66)}`;
    expect(() => decodeVerifyResult(tooHigh, 1)).toThrow(CredrootError);
  });

  it("rejects a verifyMany answer with another number of results than requests", () => {
    const one = credentialRegistryInterface.encodeFunctionResult("verifyMany", [
      [[0, ROOT, 1, 0, 0, 2n ** 64n - 1n]],
      [[2n ** 64n - 1n, true, "T", ""]],
    ]);
    expect(decodeVerifyManyResult(one, [request])).toHaveLength(1);
    expect(() => decodeVerifyManyResult(one, [request, request])).toThrow(/1 results to 2 requests/);
  });
});

describe("RegistryClient (local chain)", () => {
  let fx: RegistryFixture;
  let second: RegistryClient;
  let secondId: number;

  beforeAll(async () => {
    fx = await startRegistry();
    const signer = await fx.chain.signer(5);
    secondId = (await fx.accreditor.registerIssuer("Second College", "did:web:college.test", signer.address)).issuerId;
    second = new RegistryClient(fx.registry, signer);
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("registers issuers with sequential ids and reads them back", async () => {
    expect(secondId).toBe(fx.issuerId + 1);
    expect(await fx.accreditor.issuerCount()).toBe(secondId);
    expect(await fx.accreditor.getIssuer(secondId)).toEqual({
      id: secondId,
      name: "Second College",
      uri: "did:web:college.test",
      active: true,
      accreditedUntil: null,
    });
  });

  it("derives the same leaf on chain as the library (leafOf)", async () => {
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId: BATCH };
    const [committed] = prepareBatch([sampleCredential(0)], context).credentials;
    const onChain = await fx.issuer.contract.leafOf(fx.issuerId, batchIdToBytes16(BATCH), committed!.digest);
    expect(onChain).toBe(committed!.leaf);
    expect(leafOfDigest(context, committed!.digest)).toBe(committed!.leaf);
  });

  it("anchors a root under the issuer's batch id and reads when; each (batch id, root) once per issuer", async () => {
    const batchId = newBatchId();
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId };
    const batch = prepareBatch([sampleCredential(0), sampleCredential(1)], context);
    const receipt = await fx.issuer.anchor(batchId, batch.root, batch.count, "ipfs://batch");
    const block = await fx.chain.provider.getBlock(receipt.blockNumber);
    expect(await fx.issuer.getBatch(fx.issuerId, batchId, batch.root)).toEqual({
      anchoredAt: block!.timestamp,
      revokedAt: 0,
    });
    await expect(fx.issuer.anchor(batchId, batch.root, 2)).rejects.toMatchObject({
      code: "CONTRACT_REVERT",
      revert: { name: "BatchAlreadyAnchored", args: [BigInt(fx.issuerId), batchIdToBytes16(batchId), batch.root] },
    });
    // Namespaced per issuer: another issuer anchoring the same batch id and root is another record.
    await second.anchor(batchId, batch.root, 2);
    expect((await fx.issuer.getBatch(secondId, batchId, batch.root)).anchoredAt).toBeGreaterThan(block!.timestamp);
    expect((await fx.issuer.getBatch(fx.issuerId, batchId, batch.root)).anchoredAt).toBe(block!.timestamp);
    expect(await fx.issuer.getBatch(fx.issuerId, batchId, ROOT)).toEqual({ anchoredAt: 0, revokedAt: 0 });
    expect(await fx.issuer.getBatch(fx.issuerId, newBatchId(), batch.root)).toEqual({ anchoredAt: 0, revokedAt: 0 });
  });

  it("revokes a batch id (under every root) and a credential of the caller's issuer", async () => {
    const batchId = newBatchId();
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId };
    const batch = prepareBatch([sampleCredential(2), sampleCredential(3)], context);
    await fx.issuer.anchor(batchId, batch.root, batch.count);
    const { blockNumber } = await fx.issuer.revokeBatch(batchId, "issued in error");
    const revokedAt = (await fx.chain.provider.getBlock(blockNumber))!.timestamp;
    expect((await fx.issuer.getBatch(fx.issuerId, batchId, batch.root)).revokedAt).toBe(revokedAt);
    expect((await fx.issuer.getBatch(fx.issuerId, batchId, ROOT)).revokedAt).toBe(revokedAt);
    expect((await fx.issuer.getBatch(secondId, batchId, batch.root)).revokedAt).toBe(0);
    await expect(fx.issuer.revokeBatch(batchId, "again")).rejects.toMatchObject({
      revert: {
        name: "BatchAlreadyRevoked",
        args: [BigInt(fx.issuerId), batchIdToBytes16(batchId), BigInt(revokedAt)],
      },
    });
    const digest = batch.credentials[1]!.digest;
    const revoked = await fx.issuer.revokeCredential(digest, "withdrawn");
    const at = (await fx.chain.provider.getBlock(revoked.blockNumber))!.timestamp;
    expect(await fx.issuer.credentialRevokedAt(fx.issuerId, digest)).toBe(at);
    // Keyed by (issuer, digest): another issuer's credential of the same digest is not revoked.
    expect(await fx.issuer.credentialRevokedAt(secondId, digest)).toBe(0);
    await expect(fx.issuer.revokeCredential(digest, "again")).rejects.toMatchObject({
      revert: { name: "CredentialAlreadyRevoked" },
    });
  });

  it("reads signers: issuerOf, signerRecord and getSigners, and never lets a removed signer serve another issuer", async () => {
    const extra = await fx.chain.signer(6);
    await fx.issuer.addSigner(fx.issuerId, extra.address);
    expect(await fx.issuer.issuerOf(extra.address)).toBe(fx.issuerId);
    expect(await fx.issuer.getSigners(fx.issuerId)).toEqual([fx.issuerSigner.address, extra.address]);
    await fx.issuer.removeSigner(fx.issuerId, extra.address);
    expect(await fx.issuer.issuerOf(extra.address)).toBe(0);
    expect(await fx.issuer.signerRecord(extra.address)).toEqual({ issuerId: fx.issuerId, active: false });
    expect(await fx.issuer.signerRecord((await fx.chain.signer(9)).address)).toEqual({ issuerId: 0, active: false });
    await expect(second.addSigner(secondId, extra.address)).rejects.toMatchObject({
      revert: { name: "SignerAlreadyAssigned", args: [extra.address, BigInt(fx.issuerId)] },
    });
  });

  it("updates an issuer's name, which is what verifiers show", async () => {
    await fx.accreditor.updateIssuer(secondId, "Second College (renamed)", "did:web:college.test");
    expect((await fx.accreditor.getIssuer(secondId)).name).toBe("Second College (renamed)");
  });

  it("decodes reverts of reads and writes by name", async () => {
    await expect(fx.accreditor.getIssuer(99)).rejects.toMatchObject({ revert: { name: "UnknownIssuer", args: [99n] } });
    await expect(fx.accreditor.anchor(BATCH, ROOT, 1)).rejects.toMatchObject({
      revert: { name: "NotASigner", args: [(await fx.chain.signer(0)).address] },
    });
    await expect(fx.accreditor.revokeBatch(BATCH, "x")).rejects.toMatchObject({
      revert: { name: "NotASigner" },
    });
    await expect(fx.issuer.anchor(BATCH, `0x${"00".repeat(32)}`, 1)).rejects.toMatchObject({
      revert: { name: "ZeroRoot" },
    });
  });

  it("refuses a batch id that is not a lowercase UUID before any call", async () => {
    await expect(fx.issuer.anchor(BATCH.toUpperCase(), ROOT, 1)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("gives a verify request that the chain answers with its derived leaf", async () => {
    const batchId = newBatchId();
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId };
    const batch = prepareBatch([sampleCredential(4), sampleCredential(5), sampleCredential(6)], context);
    await fx.issuer.anchor(batchId, batch.root, batch.count);
    const request = {
      issuerId: fx.issuerId,
      batchId,
      root: batch.root,
      digest: batch.credentials[2]!.digest,
      proof: proofOf(batch.tree, 2),
    };
    const answer = decodeVerifyResult(
      await fx.chain.provider.call({ to: fx.registry, data: encodeVerifyCall(request) }),
      fx.issuerId,
    );
    expect(answer).toMatchObject({ status: "valid", leaf: batch.credentials[2]!.leaf });
    expect(answer.issuer?.name).toBe("Test University");
    const many = await fx.chain.provider.call({ to: fx.registry, data: encodeVerifyManyCall([request, request]) });
    expect(decodeVerifyManyResult(many, [request, request]).map((a) => a.status)).toEqual(["valid", "valid"]);
  });
});
