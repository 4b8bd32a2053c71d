import { inspect } from "node:util";
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  AbiCoder,
  Interface,
  getBytes,
  hexlify,
  isError,
  keccak256,
  randomBytes,
  type AddressLike,
  type BaseContract,
  type BaseContractMethod,
  type BigNumberish,
  type BytesLike,
  type ContractRunner,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
  type Result,
} from "ethers";
import keccak256Buffer from "keccak256";
import { MerkleTree } from "merkletreejs";
import { expect } from "vitest";

// ---------------------------------------------------------------- typed contract

type Send<A extends unknown[], R = void> = BaseContractMethod<A, R, ContractTransactionResponse>;
type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;
type Bytes32 = BytesLike;

/**
 * The registry as ethers v6 sees it, typed by hand (the project has no TypeChain). Struct returns
 * stay `Result`s: read them through `toVerification`, `toBatch` and `toIssuer`.
 */
export interface CredentialRegistry extends BaseContract {
  connect(runner: ContractRunner | null): CredentialRegistry;

  DEFAULT_ADMIN_ROLE: View<[], string>;
  ACCREDITOR_ROLE: View<[], string>;
  hasRole: View<[role: Bytes32, account: AddressLike], boolean>;
  grantRole: Send<[role: Bytes32, account: AddressLike]>;

  registerIssuer: Send<[name: string, uri: string, signer: AddressLike], bigint>;
  updateIssuer: Send<[issuerId: BigNumberish, name: string, uri: string]>;
  setIssuerActive: Send<[issuerId: BigNumberish, active: boolean]>;
  withdrawAccreditation: Send<[issuerId: BigNumberish, effectiveFrom: BigNumberish, reason: string]>;
  addSigner: Send<[issuerId: BigNumberish, signer: AddressLike]>;
  removeSigner: Send<[issuerId: BigNumberish, signer: AddressLike]>;
  anchor: Send<[root: Bytes32, count: BigNumberish, uri: string]>;
  revokeBatch: Send<[root: Bytes32, reason: string]>;
  revokeCredential: Send<[root: Bytes32, leaf: Bytes32, reason: string]>;

  verify: View<[root: Bytes32, leaf: Bytes32, proof: Bytes32[]], Result>;
  verifyCredential: View<[root: Bytes32, digest: Bytes32, proof: Bytes32[]], Result>;
  verifyWithIssuer: View<[root: Bytes32, leaf: Bytes32, proof: Bytes32[]], Result>;
  verifyMany: View<[requests: VerifyRequest[]], Result>;
  leafOf: View<[digest: Bytes32], string>;
  getBatch: View<[root: Bytes32], Result>;
  credentialRevokedAt: View<[root: Bytes32, leaf: Bytes32], bigint>;
  getIssuer: View<[issuerId: BigNumberish], Result>;
  issuerOf: View<[account: AddressLike], bigint>;
  issuerCount: View<[], bigint>;
}

/** The registry's ABI (its own errors and events plus OpenZeppelin AccessControl's). */
export const registryInterface = new Interface(hre.artifacts.readArtifactSync("CredentialRegistry").abi);

export const MAX_UINT64 = 2n ** 64n - 1n;

/** `ICredentialRegistry.Status`, by enum index. */
export const Status = {
  Valid: 0,
  NotAnchored: 1,
  BadProof: 2,
  BatchRevoked: 3,
  CredentialRevoked: 4,
  IssuerNotAccredited: 5,
} as const;

export interface Verification {
  status: number;
  issuerId: bigint;
  anchoredAt: bigint;
  batchRevokedAt: bigint;
  credentialRevokedAt: bigint;
  accreditedUntil: bigint;
}

/** `ICredentialRegistry.VerifyRequest`: one credential to check in `verifyMany`. */
export interface VerifyRequest {
  root: Bytes32;
  leaf: Bytes32;
  proof: Bytes32[];
}

export interface Batch {
  issuerId: bigint;
  anchoredAt: bigint;
  revokedAt: bigint;
}

export interface Issuer {
  accreditedUntil: bigint;
  active: boolean;
  name: string;
  uri: string;
}

function field(result: Result, name: string): unknown {
  return result.getValue(name) as unknown;
}

function bigintField(result: Result, name: string): bigint {
  const value = field(result, name);
  if (typeof value !== "bigint") throw new TypeError(`${name} is not a bigint: ${String(value)}`);
  return value;
}

function stringField(result: Result, name: string): string {
  const value = field(result, name);
  if (typeof value !== "string") throw new TypeError(`${name} is not a string: ${String(value)}`);
  return value;
}

// Structural, not `instanceof`: Hardhat require()s the CommonJS build of ethers while vitest may load
// another copy, so a `Result` from a contract call need not come from this module's `Result` class.
function isResult(value: unknown): value is Result {
  return Array.isArray(value) && "getValue" in value && typeof value.getValue === "function";
}

function resultField(result: Result, index: number): Result {
  const value: unknown = result[index];
  if (!isResult(value)) throw new TypeError(`element ${index} is not a struct`);
  return value;
}

export function toVerification(result: Result): Verification {
  return {
    status: Number(bigintField(result, "status")),
    issuerId: bigintField(result, "issuerId"),
    anchoredAt: bigintField(result, "anchoredAt"),
    batchRevokedAt: bigintField(result, "batchRevokedAt"),
    credentialRevokedAt: bigintField(result, "credentialRevokedAt"),
    accreditedUntil: bigintField(result, "accreditedUntil"),
  };
}

export function toBatch(result: Result): Batch {
  return {
    issuerId: bigintField(result, "issuerId"),
    anchoredAt: bigintField(result, "anchoredAt"),
    revokedAt: bigintField(result, "revokedAt"),
  };
}

export function toIssuer(result: Result): Issuer {
  const active = field(result, "active");
  if (typeof active !== "boolean") throw new TypeError(`active is not a boolean: ${String(active)}`);
  return {
    accreditedUntil: bigintField(result, "accreditedUntil"),
    active,
    name: stringField(result, "name"),
    uri: stringField(result, "uri"),
  };
}

/** `verifyWithIssuer` returns two structs: the verification and the issuer record. */
export function toVerificationWithIssuer(result: Result): { verification: Verification; issuer: Issuer } {
  return { verification: toVerification(resultField(result, 0)), issuer: toIssuer(resultField(result, 1)) };
}

/** `verifyMany` returns two arrays of structs: the verifications and the issuer records. */
export function toVerificationsWithIssuers(result: Result): { verification: Verification; issuer: Issuer }[] {
  const verifications = resultField(result, 0);
  const issuers = resultField(result, 1);
  return Array.from(verifications, (_, i) => ({
    verification: toVerification(resultField(verifications, i)),
    issuer: toIssuer(resultField(issuers, i)),
  }));
}

// ---------------------------------------------------------------- fixture

export interface Fixture {
  registry: CredentialRegistry;
  admin: HardhatEthersSigner;
  accreditor: HardhatEthersSigner;
  /** First signer of issuer A (id 1). */
  signerA: HardhatEthersSigner;
  /** First signer of issuer B (id 2). */
  signerB: HardhatEthersSigner;
  /** An account assigned to no issuer, free to be added as a signer. */
  spare: HardhatEthersSigner;
  /** An account with no role and no issuer. */
  outsider: HardhatEthersSigner;
  issuerA: bigint;
  issuerB: bigint;
}

export const ISSUER_A = { name: "Open University of Somewhere", uri: "https://ou.example" } as const;
export const ISSUER_B = { name: "Bootcamp Ltd", uri: "did:web:bootcamp.example" } as const;

/** Deploys a registry with no issuers. */
export async function deployRegistry(admin: AddressLike, accreditor: AddressLike): Promise<CredentialRegistry> {
  const factory = await hre.ethers.getContractFactory("CredentialRegistry");
  const contract = await factory.deploy(admin, accreditor);
  await contract.waitForDeployment();
  // No TypeChain: the deployed contract carries the ABI above, the interface only names it.
  return contract as unknown as CredentialRegistry;
}

/** A registry with two accredited issuers, A (id 1) and B (id 2), with one signer each. */
export async function deployFixture(): Promise<Fixture> {
  const [admin, accreditor, signerA, signerB, spare, outsider] = await hre.ethers.getSigners();
  if (!admin || !accreditor || !signerA || !signerB || !spare || !outsider) {
    throw new Error("the Hardhat network needs at least six accounts");
  }
  const registry = await deployRegistry(admin, accreditor);
  const asAccreditor = registry.connect(accreditor);
  await mined(asAccreditor.registerIssuer(ISSUER_A.name, ISSUER_A.uri, signerA));
  await mined(asAccreditor.registerIssuer(ISSUER_B.name, ISSUER_B.uri, signerB));
  return { registry, admin, accreditor, signerA, signerB, spare, outsider, issuerA: 1n, issuerB: 2n };
}

// ---------------------------------------------------------------- chain

/** Waits for a transaction and returns its receipt. */
export async function mined(tx: Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  const receipt = await (await tx).wait();
  if (receipt === null) throw new Error("transaction was not mined");
  return receipt;
}

export async function blockTimestamp(receipt: ContractTransactionReceipt): Promise<bigint> {
  return BigInt((await receipt.getBlock()).timestamp);
}

export async function latestTimestamp(): Promise<bigint> {
  const block = await hre.ethers.provider.getBlock("latest");
  if (block === null) throw new Error("no latest block");
  return BigInt(block.timestamp);
}

/** The next mined block gets `timestamp`. */
export async function setNextBlockTimestamp(timestamp: bigint): Promise<void> {
  await hre.network.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
}

/** Moves time on by `seconds` and mines a block there. */
export async function increaseTime(seconds: number): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [seconds]);
  await hre.network.provider.send("evm_mine", []);
}

export async function takeSnapshot(): Promise<string> {
  const id: unknown = await hre.network.provider.send("evm_snapshot", []);
  if (typeof id !== "string") throw new TypeError("evm_snapshot returned no id");
  return id;
}

export async function revertTo(id: string): Promise<void> {
  const ok: unknown = await hre.network.provider.send("evm_revert", [id]);
  if (ok !== true) throw new Error(`evm_revert(${id}) failed`);
}

// ---------------------------------------------------------------- errors and events

export interface DecodedRevert {
  name: string;
  args: unknown[];
}

/**
 * The registry custom error behind a failed call, or null. Plain ethers providers attach it as
 * `e.revert`; Hardhat's provider throws its own error with the raw revert bytes in `e.data`.
 */
export function decodeRevert(error: unknown): DecodedRevert | null {
  if (isError(error, "CALL_EXCEPTION") && error.revert !== null) {
    return { name: error.revert.name, args: [...(error.revert.args as unknown[])] };
  }
  if (typeof error !== "object" || error === null || !("data" in error)) return null;
  const data: unknown = error.data;
  if (typeof data !== "string" || !data.startsWith("0x")) return null;
  const parsed = registryInterface.parseError(data);
  return parsed === null ? null : { name: parsed.name, args: parsed.args.toArray() };
}

/** Asserts that `promise` rejects with the registry's custom error `name` carrying exactly `args`. */
export async function expectRevert(promise: Promise<unknown>, name: string, args: readonly unknown[]): Promise<void> {
  const outcome = await promise.then(
    () => ({ rejected: false as const }),
    (error: unknown) => ({ rejected: true as const, error }),
  );
  if (!outcome.rejected) expect.fail(`expected a revert with ${name}, but the call succeeded`);
  const decoded = decodeRevert(outcome.error);
  if (decoded === null) {
    expect.fail(`expected a revert with ${name}, got an undecodable error: ${inspect(outcome.error)}`);
  }
  expect(decoded, `revert of ${name}`).toEqual({ name, args: [...args] });
}

export interface DecodedEvent {
  name: string;
  args: unknown[];
}

/** The registry events of a receipt, in emission order. */
export async function eventsOf(
  registry: CredentialRegistry,
  receipt: ContractTransactionReceipt,
): Promise<DecodedEvent[]> {
  const address = await registry.getAddress();
  return receipt.logs
    .filter((log) => log.address === address)
    .map((log) => {
      const parsed = registry.interface.parseLog({ topics: [...log.topics], data: log.data });
      if (parsed === null) throw new Error(`unknown log topic ${String(log.topics[0])}`);
      return { name: parsed.name, args: parsed.args.toArray() };
    });
}

// ---------------------------------------------------------------- Merkle batches

const coder = AbiCoder.defaultAbiCoder();

/** `keccak256(bytes.concat(keccak256(abi.encode(digest))))`, as `leafOf` computes it. */
export function leafOf(digest: string): string {
  return keccak256(keccak256(coder.encode(["bytes32"], [digest])));
}

/** OpenZeppelin `Hashes.commutativeKeccak256`: hash of the sorted pair. */
export function hashPair(a: string, b: string): string {
  return BigInt(a) < BigInt(b) ? keccak256(concat32(a, b)) : keccak256(concat32(b, a));
}

function concat32(a: string, b: string): Uint8Array {
  const out = new Uint8Array(64);
  out.set(getBytes(a), 0);
  out.set(getBytes(b), 32);
  return out;
}

/** The root a proof leads to from `leaf`, as `MerkleProof.processProof` computes it. */
export function processProof(leaf: string, proof: readonly string[]): string {
  return proof.reduce((node, sibling) => hashPair(node, sibling), leaf);
}

export function randomBytes32(): string {
  return hexlify(randomBytes(32));
}

export interface MerkleBatch {
  root: string;
  digests: string[];
  leaves: string[];
  tree: MerkleTree;
  /** Proof of the credential at `index`. */
  proof(index: number): string[];
  digest(index: number): string;
  leaf(index: number): string;
}

function toBuffer(hex: string): Buffer {
  return Buffer.from(getBytes(hex));
}

/** A batch of `size` random credential digests in a merkletreejs tree with sorted pairs. */
export function buildBatch(size: number): MerkleBatch {
  const digests = Array.from({ length: size }, randomBytes32);
  const leaves = digests.map(leafOf);
  const tree = new MerkleTree(leaves.map(toBuffer), keccak256Buffer, { sortPairs: true });
  const at = (list: string[], index: number): string => {
    const value = list[index];
    if (value === undefined) throw new RangeError(`no credential ${index} in a batch of ${size}`);
    return value;
  };
  return {
    root: tree.getHexRoot(),
    digests,
    leaves,
    tree,
    proof: (index) => tree.getHexProof(toBuffer(at(leaves, index)), index),
    digest: (index) => at(digests, index),
    leaf: (index) => at(leaves, index),
  };
}
