import { inspect } from "node:util";
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  Interface,
  isError,
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
import { expect } from "vitest";

/** Where a leaf is bound: the chain and the registry it is anchored on. */
export interface LeafContext {
  chainId: bigint;
  registry: string;
}

// ---------------------------------------------------------------- typed contract

type Send<A extends unknown[], R = void> = BaseContractMethod<A, R, ContractTransactionResponse>;
type View<A extends unknown[], R> = BaseContractMethod<A, R, R>;
type Bytes32 = BytesLike;
type Bytes16 = BytesLike;

/**
 * The registry (format v2) as ethers v6 sees it, typed by hand (the project has no TypeChain).
 * Struct returns stay `Result`s: read them through `toVerification`, `toBatch` and `toIssuer`.
 */
export interface CredentialRegistry extends BaseContract {
  connect(runner: ContractRunner | null): CredentialRegistry;

  DEFAULT_ADMIN_ROLE: View<[], string>;
  ACCREDITOR_ROLE: View<[], string>;
  MAX_SIGNERS: View<[], bigint>;
  hasRole: View<[role: Bytes32, account: AddressLike], boolean>;
  grantRole: Send<[role: Bytes32, account: AddressLike]>;
  revokeRole: Send<[role: Bytes32, account: AddressLike]>;
  defaultAdmin: View<[], string>;
  defaultAdminDelay: View<[], bigint>;
  pendingDefaultAdmin: View<[], Result>;
  beginDefaultAdminTransfer: Send<[newAdmin: AddressLike]>;
  cancelDefaultAdminTransfer: Send<[]>;
  acceptDefaultAdminTransfer: Send<[]>;

  registerIssuer: Send<[name: string, uri: string, signer: AddressLike], bigint>;
  updateIssuer: Send<[issuerId: BigNumberish, name: string, uri: string]>;
  setIssuerActive: Send<[issuerId: BigNumberish, active: boolean]>;
  withdrawAccreditation: Send<[issuerId: BigNumberish, effectiveFrom: BigNumberish, reason: string]>;
  addSigner: Send<[issuerId: BigNumberish, signer: AddressLike]>;
  removeSigner: Send<[issuerId: BigNumberish, signer: AddressLike]>;
  anchor: Send<[batchId: Bytes16, root: Bytes32, count: BigNumberish, uri: string]>;
  revokeBatch: Send<[batchId: Bytes16, reason: string]>;
  revokeCredential: Send<[digest: Bytes32, reason: string]>;

  verify: View<[issuerId: BigNumberish, batchId: Bytes16, root: Bytes32, digest: Bytes32, proof: Bytes32[]], Result>;
  verifyWithIssuer: View<
    [issuerId: BigNumberish, batchId: Bytes16, root: Bytes32, digest: Bytes32, proof: Bytes32[]],
    Result
  >;
  verifyMany: View<[requests: VerifyRequest[]], Result>;
  leafOf: View<[issuerId: BigNumberish, batchId: Bytes16, digest: Bytes32], string>;
  getBatch: View<[issuerId: BigNumberish, batchId: Bytes16, root: Bytes32], Result>;
  credentialRevokedAt: View<[issuerId: BigNumberish, digest: Bytes32], bigint>;
  getIssuer: View<[issuerId: BigNumberish], Result>;
  issuerOf: View<[account: AddressLike], bigint>;
  signerRecord: View<[account: AddressLike], Result>;
  getSigners: View<[issuerId: BigNumberish], string[]>;
  issuerCount: View<[], bigint>;
}

/** The registry's ABI (its own errors and events plus OpenZeppelin's access-control ones). */
export const registryInterface = new Interface(hre.artifacts.readArtifactSync("CredentialRegistry").abi);

export const MAX_UINT64 = 2n ** 64n - 1n;
/** Seconds a new default admin waits before accepting the role, in every test deployment. */
export const ADMIN_DELAY = 3n * 24n * 3600n;

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
  leaf: string;
  anchoredAt: bigint;
  batchRevokedAt: bigint;
  credentialRevokedAt: bigint;
  accreditedUntil: bigint;
}

/** `ICredentialRegistry.VerifyRequest`: one credential to check. */
export interface VerifyRequest {
  issuerId: bigint;
  batchId: string;
  root: string;
  digest: string;
  proof: string[];
}

/** What `getBatch(issuerId, batchId, root)` records: the anchoring of that root, the revocation of the batch id. */
export interface Batch {
  anchoredAt: bigint;
  revokedAt: bigint;
}

export interface Issuer {
  accreditedUntil: bigint;
  active: boolean;
  name: string;
  uri: string;
}

/** The all-zero issuer record `verifyWithIssuer` and `verifyMany` return for an unknown issuer. */
export const NO_ISSUER: Issuer = { accreditedUntil: 0n, active: false, name: "", uri: "" };

/** The all-zero record `getBatch` returns for a root never anchored under an unrevoked batch id. */
export const NO_BATCH: Batch = { anchoredAt: 0n, revokedAt: 0n };

function field(result: Result, name: string): unknown {
  return result.getValue(name) as unknown;
}

/** The JavaScript type of each Solidity value this file reads. */
interface FieldTypes {
  bigint: bigint;
  string: string;
  boolean: boolean;
}

function typedField<K extends keyof FieldTypes>(result: Result, name: string, type: K): FieldTypes[K] {
  const value = field(result, name);
  if (typeof value !== type) throw new TypeError(`${name} is not a ${type}: ${String(value)}`);
  return value as FieldTypes[K];
}

const bigintField = (result: Result, name: string) => typedField(result, name, "bigint");
const stringField = (result: Result, name: string) => typedField(result, name, "string");

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
    leaf: stringField(result, "leaf"),
    anchoredAt: bigintField(result, "anchoredAt"),
    batchRevokedAt: bigintField(result, "batchRevokedAt"),
    credentialRevokedAt: bigintField(result, "credentialRevokedAt"),
    accreditedUntil: bigintField(result, "accreditedUntil"),
  };
}

export function toBatch(result: Result): Batch {
  return {
    anchoredAt: bigintField(result, "anchoredAt"),
    revokedAt: bigintField(result, "revokedAt"),
  };
}

export function toIssuer(result: Result): Issuer {
  return {
    accreditedUntil: bigintField(result, "accreditedUntil"),
    active: typedField(result, "active", "boolean"),
    name: stringField(result, "name"),
    uri: stringField(result, "uri"),
  };
}

/** `signerRecord` returns (issuerId, active). */
export function toSignerRecord(result: Result): { issuerId: bigint; active: boolean } {
  return {
    issuerId: bigintField(result, "issuerId"),
    active: typedField(result, "active", "boolean"),
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
  /** Where leaves are bound: this chain and this registry. */
  context: LeafContext;
  admin: HardhatEthersSigner;
  accreditor: HardhatEthersSigner;
  /** First signer of issuer A (id 1). */
  signerA: HardhatEthersSigner;
  /** First signer of issuer B (id 2). */
  signerB: HardhatEthersSigner;
  /** First signer of issuer C (id 3), the attacker of the attack tests. */
  signerC: HardhatEthersSigner;
  /** An account that never served an issuer, free to be added as a signer. */
  spare: HardhatEthersSigner;
  /** An account with no role and no issuer. */
  outsider: HardhatEthersSigner;
  issuerA: bigint;
  issuerB: bigint;
  issuerC: bigint;
}

export const ISSUER_A = { name: "Open University of Somewhere", uri: "https://ou.example" } as const;
export const ISSUER_B = { name: "Bootcamp Ltd", uri: "did:web:bootcamp.example" } as const;
export const ISSUER_C = { name: "Diploma Mill", uri: "https://mill.example" } as const;

/** Deploys a registry with no issuers. */
export async function deployRegistry(
  admin: AddressLike,
  accreditor: AddressLike,
  adminDelay: BigNumberish = ADMIN_DELAY,
): Promise<CredentialRegistry> {
  const factory = await hre.ethers.getContractFactory("CredentialRegistry");
  const contract = await factory.deploy(adminDelay, admin, accreditor);
  await contract.waitForDeployment();
  // No TypeChain: the deployed contract carries the ABI above, the interface only names it.
  return contract as unknown as CredentialRegistry;
}

/** The chain id and address that the leaves of `registry` commit to. */
export async function leafContext(registry: CredentialRegistry): Promise<LeafContext> {
  const { chainId } = await hre.ethers.provider.getNetwork();
  return { chainId, registry: await registry.getAddress() };
}

/** A registry with three accredited issuers, A (id 1), B (id 2) and C (id 3), one signer each. */
export async function deployFixture(): Promise<Fixture> {
  const [admin, accreditor, signerA, signerB, signerC, spare, outsider] = await hre.ethers.getSigners();
  if (!admin || !accreditor || !signerA || !signerB || !signerC || !spare || !outsider) {
    throw new Error("the Hardhat network needs at least seven accounts");
  }
  const registry = await deployRegistry(admin, accreditor);
  const asAccreditor = registry.connect(accreditor);
  await mined(asAccreditor.registerIssuer(ISSUER_A.name, ISSUER_A.uri, signerA));
  await mined(asAccreditor.registerIssuer(ISSUER_B.name, ISSUER_B.uri, signerB));
  await mined(asAccreditor.registerIssuer(ISSUER_C.name, ISSUER_C.uri, signerC));
  return {
    registry,
    context: await leafContext(registry),
    admin,
    accreditor,
    signerA,
    signerB,
    signerC,
    spare,
    outsider,
    issuerA: 1n,
    issuerB: 2n,
    issuerC: 3n,
  };
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

/** Moves time on by `seconds` and mines a block there (hardhat-network-helpers is not installed). */
export async function increaseTime(seconds: number | bigint): Promise<void> {
  await hre.network.provider.send("evm_increaseTime", [Number(seconds)]);
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

/**
 * Restores the chain before every test to the state saved once set up: call `save()` at the end
 * of `beforeAll` and `restore()` from a `beforeEach`. evm_revert consumes its snapshot, so each
 * restore takes the next one.
 */
export function snapshots(): { save(): Promise<void>; restore(): Promise<void> } {
  let id: string | undefined;
  return {
    async save() {
      id = await takeSnapshot();
    },
    async restore() {
      if (id === undefined) throw new Error("no snapshot saved");
      await revertTo(id);
      id = await takeSnapshot();
    },
  };
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
