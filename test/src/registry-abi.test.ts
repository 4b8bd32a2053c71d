import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CredrootError, credentialRegistryInterface } from "../../src";
import type { ICredentialRegistry } from "../../src/contracts/CredentialRegistry";
import {
  decodeVerifyWithIssuer,
  encodeVerifyManyOfRequests,
  encodeVerifyWithIssuer,
  splitVerifyManyAnswer,
  VERIFY_MANY_SELECTOR,
  VERIFY_WITH_ISSUER_SELECTOR,
  verifyRequestOfCall,
} from "../../src/registry-abi";
import { registryInterface } from "../../src/registry-interface";

const hex = (bytes: number) =>
  fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => `0x${Buffer.from(b).toString("hex")}`);
const uint64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const request = fc.record({
  issuerId: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  batchId: hex(16),
  root: hex(32),
  digest: hex(32),
  proof: fc.array(hex(32), { maxLength: 24 }),
});
const answer = fc.record({
  status: fc.integer({ min: 0, max: 255 }),
  leaf: hex(32),
  anchoredAt: uint64,
  batchRevokedAt: uint64,
  credentialRevokedAt: uint64,
  verificationAccreditedUntil: uint64,
  issuer: fc.record({
    accreditedUntil: uint64,
    active: fc.boolean(),
    name: fc.string({ unit: "grapheme" }),
    uri: fc.string(),
  }),
});

/** ethers' own encoding of an answer, as a node running the registry would return it. */
function ethersAnswer(a: typeof answer extends fc.Arbitrary<infer T> ? T : never): string {
  const { issuer } = a;
  return credentialRegistryInterface.encodeFunctionResult("verifyWithIssuer", [
    [a.status, a.leaf, a.anchoredAt, a.batchRevokedAt, a.credentialRevokedAt, a.verificationAccreditedUntil],
    [issuer.accreditedUntil, issuer.active, issuer.name, issuer.uri],
  ]);
}

describe("encodeVerifyWithIssuer", () => {
  it("uses the selector of the registry's ABI", () => {
    expect(`0x${VERIFY_WITH_ISSUER_SELECTOR}`).toBe(
      credentialRegistryInterface.getFunction("verifyWithIssuer").selector,
    );
  });

  it("gives byte for byte the calldata ethers encodes, for any request", () => {
    fc.assert(
      fc.property(request, ({ issuerId, batchId, root, digest, proof }) => {
        const ours = encodeVerifyWithIssuer(issuerId, batchId, root.toUpperCase().replace("0X", "0x"), digest, proof);
        const theirs = credentialRegistryInterface.encodeFunctionData("verifyWithIssuer", [
          issuerId,
          batchId,
          root,
          digest,
          proof,
        ]);
        expect(ours).toBe(theirs);
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ["a negative issuer id", -1, `0x${"00".repeat(16)}`, `0x${"11".repeat(32)}`],
    ["a fractional issuer id", 1.5, `0x${"00".repeat(16)}`, `0x${"11".repeat(32)}`],
    ["a batch id of 15 bytes", 1, `0x${"00".repeat(15)}`, `0x${"11".repeat(32)}`],
    ["a root of 31 bytes", 1, `0x${"00".repeat(16)}`, `0x${"11".repeat(31)}`],
    ["a root without 0x", 1, `0x${"00".repeat(16)}`, "11".repeat(33)],
    ["a root that is not hex", 1, `0x${"00".repeat(16)}`, `0x${"zz".repeat(32)}`],
  ])("refuses %s", (_what, issuerId, batchId, root) => {
    expect(() => encodeVerifyWithIssuer(issuerId, batchId, root, root, [])).toThrow(CredrootError);
  });
});

describe("decodeVerifyWithIssuer", () => {
  it("reads every answer ethers encodes as ethers decodes it", () => {
    fc.assert(
      fc.property(answer, (a) => {
        const data = ethersAnswer(a);
        const decoded: unknown = credentialRegistryInterface.decodeFunctionResult("verifyWithIssuer", data);
        const [result, issuer] = decoded as [
          ICredentialRegistry.VerificationStructOutput,
          ICredentialRegistry.IssuerStructOutput,
        ];
        const ours = decodeVerifyWithIssuer(data);
        expect(ours).toEqual({
          status: Number(result.status),
          leaf: result.leaf,
          anchoredAt: result.anchoredAt,
          batchRevokedAt: result.batchRevokedAt,
          credentialRevokedAt: result.credentialRevokedAt,
          issuer: {
            accreditedUntil: issuer.accreditedUntil,
            active: issuer.active,
            name: issuer.name,
            uri: issuer.uri,
          },
        });
        expect(decodeVerifyWithIssuer(data.toUpperCase().replace("0X", "0x"))).toEqual(ours);
      }),
      { numRuns: 300 },
    );
  });

  const valid = ethersAnswer({
    status: 0,
    leaf: `0x${"22".repeat(32)}`,
    anchoredAt: 5n,
    batchRevokedAt: 0n,
    credentialRevokedAt: 0n,
    verificationAccreditedUntil: 2n ** 64n - 1n,
    issuer: { accreditedUntil: 2n ** 64n - 1n, active: true, name: "Test University", uri: "https://example.org" },
  });
  const wordAt = (data: string, index: number, value: string) =>
    `${data.slice(0, 2 + 64 * index)}${value}${data.slice(2 + 64 * (index + 1))}`;

  it("says no contract answered for empty data", () => {
    expect(() => decodeVerifyWithIssuer("0x")).toThrow(/no registry contract answered/);
  });

  it.each([
    ["odd hex", `${valid}0`],
    ["no 0x", valid.slice(2)],
    ["not hex", `${valid.slice(0, -2)}zz`],
    ["cut short", valid.slice(0, -64)],
    ["a status word above uint8", wordAt(valid, 0, `${"0".repeat(61)}100`)],
    ["a time above uint64", wordAt(valid, 2, `1${"0".repeat(63)}`)],
    ["an issuer offset past the end", wordAt(valid, 6, "f".repeat(64))],
    ["an issuer offset inside a word", wordAt(valid, 6, `${"0".repeat(62)}e1`)],
    ["a bool of 2", wordAt(valid, 8, `${"0".repeat(63)}2`)],
    ["a name longer than the data", wordAt(valid, 11, `${"0".repeat(60)}ffff`)],
    ["a name that is not UTF-8", wordAt(valid, 12, `ff${"0".repeat(62)}`)],
  ])("refuses an answer with %s as unreadable, never as a verdict", (_what, data) => {
    expect(() => decodeVerifyWithIssuer(data)).toThrow(expect.objectContaining({ code: "CHAIN_UNAVAILABLE" }) as Error);
    expect(() => decodeVerifyWithIssuer(data)).toThrow(/unreadable registry answer/);
  });
});

type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never;

/** ethers' own encoding of `verifyMany`'s answer to as many requests as `answers`. */
function ethersManyAnswer(answers: readonly Answer[]): string {
  return registryInterface.encodeFunctionResult("verifyMany", [
    answers.map((a) => [
      a.status,
      a.leaf,
      a.anchoredAt,
      a.batchRevokedAt,
      a.credentialRevokedAt,
      a.verificationAccreditedUntil,
    ]),
    answers.map(({ issuer }) => [issuer.accreditedUntil, issuer.active, issuer.name, issuer.uri]),
  ]);
}

describe("verifyMany calldata from verifyWithIssuer calls", () => {
  it("uses the selector of the registry's ABI", () => {
    expect(`0x${VERIFY_MANY_SELECTOR}`).toBe(credentialRegistryInterface.getFunction("verifyMany").selector);
  });

  it("gives byte for byte the calldata ethers encodes for the same requests", () => {
    fc.assert(
      fc.property(fc.array(request, { maxLength: 6 }), (requests) => {
        const calls = requests.map((r) => encodeVerifyWithIssuer(r.issuerId, r.batchId, r.root, r.digest, r.proof));
        const ours = encodeVerifyManyOfRequests(calls.map((call) => verifyRequestOfCall(call)!));
        const theirs = credentialRegistryInterface.encodeFunctionData("verifyMany", [requests]);
        expect(ours).toBe(theirs);
      }),
      { numRuns: 200 },
    );
  });

  const call = encodeVerifyWithIssuer(1, `0x${"00".repeat(16)}`, `0x${"11".repeat(32)}`, `0x${"22".repeat(32)}`, [
    `0x${"33".repeat(32)}`,
  ]);
  const wordAt = (data: string, index: number, value: string) =>
    `${data.slice(0, 10 + 64 * index)}${value}${data.slice(10 + 64 * (index + 1))}`;

  it.each([
    ["another function's calldata", registryInterface.encodeFunctionData("issuerCount", [])],
    ["verifyMany calldata", encodeVerifyManyOfRequests([verifyRequestOfCall(call)!])],
    ["a proof at another offset", wordAt(call, 4, `${"0".repeat(62)}c0`)],
    ["a proof length that is not the rest", wordAt(call, 5, `${"0".repeat(63)}2`)],
    ["a word cut short", call.slice(0, -2)],
    ["uppercase hex", call.toUpperCase().replace("0X", "0x")],
  ])("leaves %s alone (not coalesced)", (_what, data) => {
    expect(verifyRequestOfCall(data)).toBeUndefined();
  });
});

describe("splitVerifyManyAnswer", () => {
  it("gives each request the answer ethers encodes for verifyWithIssuer, byte for byte", () => {
    fc.assert(
      fc.property(fc.array(answer, { minLength: 1, maxLength: 6 }), (answers) => {
        expect(splitVerifyManyAnswer(ethersManyAnswer(answers), answers.length)).toEqual(answers.map(ethersAnswer));
      }),
      { numRuns: 200 },
    );
  });

  const two = ethersManyAnswer(
    [0, 1].map((i) => ({
      status: i,
      leaf: `0x${"22".repeat(32)}`,
      anchoredAt: 5n,
      batchRevokedAt: 0n,
      credentialRevokedAt: 0n,
      verificationAccreditedUntil: 7n,
      issuer: { accreditedUntil: 7n, active: true, name: "Test University", uri: "https://example.org" },
    })),
  );

  it.each([
    ["empty data", "0x", 2],
    ["fewer answers than requests", two, 3],
    ["more answers than requests", two, 1],
    ["data cut short", two.slice(0, -64), 2],
    ["not hex", `${two.slice(0, -2)}zz`, 2],
    ["an offset past the end", `0x${"f".repeat(64)}${two.slice(66)}`, 2],
  ])("refuses %s as unreadable, never as answers", (_what, data, count) => {
    expect(() => splitVerifyManyAnswer(data, count)).toThrow(
      expect.objectContaining({ code: "CHAIN_UNAVAILABLE" }) as Error,
    );
  });
});
