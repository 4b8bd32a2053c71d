import { inspect } from "node:util";
import hre from "hardhat";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import {
  isError,
  type AddressLike,
  type BigNumberish,
  type ContractTransactionReceipt,
  type ContractTransactionResponse,
} from "ethers";
import { expect } from "vitest";
import { type CredentialRegistry, CredentialRegistry__factory } from "../../src/contracts";
import type { ICredentialRegistry } from "../../src/contracts/CredentialRegistry";
import { credentialRegistryInterface } from "../../src/registry-interface";
import { type RegistryStatus, registryStatusOf } from "../../src/registry-status";

export type { CredentialRegistry, RegistryStatus };

/** Where a leaf is bound: the chain and the registry it is anchored on. */
export interface LeafContext {
  chainId: bigint;
  registry: string;
}

// ---------------------------------------------------------------- answers as plain objects

export const MAX_UINT64 = 2n ** 64n - 1n;
/** Seconds a new default admin waits before accepting the role, in every test deployment. */
export const ADMIN_DELAY = 3n * 24n * 3600n;

/** `ICredentialRegistry.Verification`, its status named (`ICredentialRegistry.Status`, as the library names it). */
export interface Verification {
  status: RegistryStatus;
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

// Struct answers are ethers `Result`s (arrays with named fields): tests compare plain objects.

export function toVerification(result: ICredentialRegistry.VerificationStructOutput): Verification {
  const status = registryStatusOf(result.status);
  if (status === undefined) throw new TypeError(`no ICredentialRegistry.Status ${result.status}`);
  return {
    status,
    leaf: result.leaf,
    anchoredAt: result.anchoredAt,
    batchRevokedAt: result.batchRevokedAt,
    credentialRevokedAt: result.credentialRevokedAt,
    accreditedUntil: result.accreditedUntil,
  };
}

export function toBatch(result: ICredentialRegistry.BatchStructOutput): Batch {
  return { anchoredAt: result.anchoredAt, revokedAt: result.revokedAt };
}

export function toIssuer(result: ICredentialRegistry.IssuerStructOutput): Issuer {
  return { accreditedUntil: result.accreditedUntil, active: result.active, name: result.name, uri: result.uri };
}

/** `signerRecord` returns (issuerId, active). */
export function toSignerRecord([issuerId, active]: [bigint, boolean]): { issuerId: bigint; active: boolean } {
  return { issuerId, active };
}

/** `verifyWithIssuer` returns two structs: the verification and the issuer record. */
export function toVerificationWithIssuer([result, issuer]: [
  ICredentialRegistry.VerificationStructOutput,
  ICredentialRegistry.IssuerStructOutput,
]): { verification: Verification; issuer: Issuer } {
  return { verification: toVerification(result), issuer: toIssuer(issuer) };
}

/** `verifyMany` returns two arrays of structs: the verifications and the issuer records. */
export function toVerificationsWithIssuers([results, issuers]: [
  ICredentialRegistry.VerificationStructOutput[],
  ICredentialRegistry.IssuerStructOutput[],
]): { verification: Verification; issuer: Issuer }[] {
  return results.map((result, i) => ({ verification: toVerification(result), issuer: toIssuer(issuers[i]!) }));
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
  // Deployed from Hardhat's artifact, typed by the library's bindings of the same contract.
  return CredentialRegistry__factory.connect(await contract.getAddress(), contract.runner);
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
  const parsed = credentialRegistryInterface.parseError(data);
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
