import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { ContractTransactionReceipt } from "ethers";
import { expect } from "vitest";
import { buildBatch, type BatchOptions, type CredentialBatch } from "./batches";
import {
  blockTimestamp,
  mined,
  toVerification,
  toVerificationWithIssuer,
  toVerificationsWithIssuers,
  toBatch,
  type Batch,
  type CredentialRegistry,
  type Fixture,
  type Issuer,
  type Verification,
  type VerifyRequest,
  type RegistryStatus,
} from "./helpers";

/** Registry calls the tests make again and again, read as plain objects. */

/** `verify`. */
export async function verifyOf(registry: CredentialRegistry, request: VerifyRequest): Promise<Verification> {
  const { issuerId, batchId, root, digest, proof } = request;
  return toVerification(await registry.verify(issuerId, batchId, root, digest, proof));
}

/** `getBatch`: when `issuerId` anchored `root` under `batchId`, and when it revoked `batchId`. */
export async function batchOf(
  registry: CredentialRegistry,
  issuerId: bigint,
  batchId: string,
  root: string,
): Promise<Batch> {
  return toBatch(await registry.getBatch(issuerId, batchId, root));
}

/** `verifyWithIssuer`. */
export async function verifyWithIssuerOf(
  registry: CredentialRegistry,
  request: VerifyRequest,
): Promise<{ verification: Verification; issuer: Issuer }> {
  const { issuerId, batchId, root, digest, proof } = request;
  return toVerificationWithIssuer(await registry.verifyWithIssuer(issuerId, batchId, root, digest, proof));
}

/** `verifyMany`. */
export async function verifyManyOf(
  registry: CredentialRegistry,
  requests: readonly VerifyRequest[],
): Promise<{ verification: Verification; issuer: Issuer }[]> {
  return toVerificationsWithIssuers(await registry.verifyMany([...requests]));
}

/**
 * The verification of `request` by all three views, which must agree with each other (the
 * `verifyMany` answer is for the request alone in its array).
 */
export async function verifyEverywhere(registry: CredentialRegistry, request: VerifyRequest): Promise<Verification> {
  const one = await verifyOf(registry, request);
  const withIssuer = await verifyWithIssuerOf(registry, request);
  const [many] = await verifyManyOf(registry, [request]);
  expect(withIssuer.verification, "verifyWithIssuer agrees with verify").toEqual(one);
  expect(many, "verifyMany agrees with verifyWithIssuer").toEqual(withIssuer);
  return one;
}

/** The status `verify`, `verifyWithIssuer` and `verifyMany` all give `request`. */
export async function statusEverywhere(registry: CredentialRegistry, request: VerifyRequest): Promise<RegistryStatus> {
  return (await verifyEverywhere(registry, request)).status;
}

export interface Anchored {
  batch: CredentialBatch;
  anchoredAt: bigint;
  receipt: ContractTransactionReceipt;
}

/**
 * Builds a batch of `signer`'s issuer (`issuerId`: the leaves are derived for it) and has `signer`
 * anchor it with the batch's own id and root.
 */
export async function anchorBatch(
  f: Fixture,
  signer: HardhatEthersSigner,
  issuerId: bigint,
  options: BatchOptions & { uri?: string } = {},
): Promise<Anchored> {
  const batch = buildBatch(f.context, issuerId, options);
  const receipt = await mined(
    f.registry.connect(signer).anchor(batch.batchId, batch.root, batch.digests.length, options.uri ?? ""),
  );
  return { batch, anchoredAt: await blockTimestamp(receipt), receipt };
}

/** The verification of a valid credential of `batch`, anchored at `anchoredAt`, while accredited. */
export function validOf(
  batch: CredentialBatch,
  index: number,
  anchoredAt: bigint,
  accreditedUntil: bigint,
): Verification {
  return {
    status: "valid",
    leaf: batch.leaf(index),
    anchoredAt,
    batchRevokedAt: 0n,
    credentialRevokedAt: 0n,
    accreditedUntil,
  };
}

/**
 * What every view answers for a proof that does not lead from the derived leaf to the root
 * (`BadProof`, checked first) or for a root the issuer never anchored under the batch id
 * (`NotAnchored`): the leaf alone, no record.
 */
export function failureOf(status: "bad-proof" | "not-anchored", leaf: string): Verification {
  return { status, leaf, anchoredAt: 0n, batchRevokedAt: 0n, credentialRevokedAt: 0n, accreditedUntil: 0n };
}
