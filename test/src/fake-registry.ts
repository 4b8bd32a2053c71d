import type { ICredentialRegistry } from "../../src/contracts/CredentialRegistry";
import { bytes16ToBatchId } from "../../src/encoding";
import type { Hex32 } from "../../src/hash";
import { processProof } from "../../src/merkle";
import { leafOfDigest } from "../../src/commit";
import { credentialRegistryInterface as registry } from "../../src/registry-interface";
import { type RegistryStatus, registryStatusCode as status } from "../../src/registry-status";
import type { CallProvider } from "../../src/verdict";

/*
 * An in-memory CredentialRegistry (format v2) for verifier tests that need no chain: it answers
 * `verifyWithIssuer` and `verifyMany` the way the contract's `_verify` does (leaf derived from the
 * request, the path checked first, anchorings per issuer, batch id and root, batch revocations per
 * issuer and batch id, credential revocations per issuer and digest), so a test sets up state, not
 * answers.
 */

export const NOT_WITHDRAWN = 2n ** 64n - 1n;

export interface FakeIssuer {
  name: string;
  uri?: string;
  active?: boolean;
  /** First second no longer accredited; {@link NOT_WITHDRAWN} by default. */
  accreditedUntil?: bigint;
}

/** The anchoring of one root under a batch id. */
export interface FakeAnchor {
  anchoredAt?: number;
}

/**
 * The registry's state: issuers by id; anchorings by `issuerId:batchId:root`; batch revocations
 * by `issuerId:batchId` (every root of the batch id); credential revocations by `issuerId:digest`.
 */
export interface FakeRegistryState {
  chainId: number;
  /** The registry address (any case). */
  address: string;
  issuers: Map<number, FakeIssuer>;
  anchors: Map<string, FakeAnchor>;
  batchRevoked: Map<string, number>;
  revoked: Map<string, number>;
  /** A look-alike contract: it claims to have anchored every root it is asked about. */
  anchorsEverything?: boolean;
}

export const anchorKey = (issuerId: number, batchId: string, root: string) =>
  `${issuerId}:${batchId}:${root.toLowerCase()}`;
export const batchKey = (issuerId: number, batchId: string) => `${issuerId}:${batchId}`;
export const revocationKey = (issuerId: number, digest: string) => `${issuerId}:${digest.toLowerCase()}`;

export const DEFAULT_ANCHORED_AT = 1_780_000_000;

/** A state with one issuer ("Test University", id 1) and no batch. */
export function fakeState(chainId: number, address: string): FakeRegistryState {
  return {
    chainId,
    address,
    issuers: new Map([[1, { name: "Test University", uri: "https://uni.test" }]]),
    anchors: new Map(),
    batchRevoked: new Map(),
    revoked: new Map(),
  };
}

/** A `VerifyRequest` as decoded from calldata (`ICredentialRegistry.VerifyRequestStructOutput` has these fields). */
export interface DecodedRequest {
  issuerId: bigint;
  batchId: string;
  root: string;
  digest: string;
  proof: readonly string[];
}

/** What the contract's `_verify` returns for `request`. */
function verification(
  state: FakeRegistryState,
  { issuerId, batchId, root, digest, proof }: DecodedRequest,
): ICredentialRegistry.VerificationStruct {
  const id = Number(issuerId);
  const batchUuid = bytes16ToBatchId(batchId);
  const leaf = leafOfDigest(
    { chainId: state.chainId, registry: state.address, issuerId: id, batchId: batchUuid },
    digest.toLowerCase() as Hex32,
  );
  if (
    processProof(
      leaf,
      proof.map((p) => p.toLowerCase() as Hex32),
    ) !== root.toLowerCase()
  ) {
    return failure("bad-proof", leaf);
  }
  const anchor = state.anchorsEverything ? {} : state.anchors.get(anchorKey(id, batchUuid, root));
  if (!anchor) return failure("not-anchored", leaf);
  const anchoredAt = anchor.anchoredAt ?? DEFAULT_ANCHORED_AT;
  const batchRevokedAt = state.batchRevoked.get(batchKey(id, batchUuid)) ?? 0;
  const credentialRevokedAt = state.revoked.get(revocationKey(id, digest)) ?? 0;
  const until = state.issuers.get(id)?.accreditedUntil ?? NOT_WITHDRAWN;
  const verdict: RegistryStatus =
    batchRevokedAt !== 0
      ? "batch-revoked"
      : credentialRevokedAt !== 0
        ? "credential-revoked"
        : BigInt(anchoredAt) >= until
          ? "issuer-not-accredited"
          : "valid";
  return { status: status(verdict), leaf, anchoredAt, batchRevokedAt, credentialRevokedAt, accreditedUntil: until };
}

/** What `_verify` answers for a path that fails or a root never anchored: the leaf alone. */
function failure(verdict: RegistryStatus, leaf: string): ICredentialRegistry.VerificationStruct {
  return {
    status: status(verdict),
    leaf,
    anchoredAt: 0,
    batchRevokedAt: 0,
    credentialRevokedAt: 0,
    accreditedUntil: 0,
  };
}

function issuerRecord(state: FakeRegistryState, issuerId: bigint): ICredentialRegistry.IssuerStruct {
  const issuer = state.issuers.get(Number(issuerId));
  if (!issuer) return { accreditedUntil: 0n, active: false, name: "", uri: "" };
  return {
    accreditedUntil: issuer.accreditedUntil ?? NOT_WITHDRAWN,
    active: issuer.active ?? true,
    name: issuer.name,
    uri: issuer.uri ?? "",
  };
}

/** `verifyWithIssuer`'s arguments, decoded: the fields of a `VerifyRequest`, in order. */
type VerifyArgs = [issuerId: bigint, batchId: string, root: string, digest: string, proof: string[]];

/** What `verifyWithIssuer` or `verifyMany` would return for `data`, as return data. */
export function answerCall(state: FakeRegistryState, data: string): string {
  // Fragments looked up once: Interface.parseTransaction scans the whole ABI (≈ 10 ms a call).
  const selector = data.slice(0, 10);
  if (selector === VERIFY_WITH_ISSUER.selector) {
    const request = verifyWithIssuerRequest(data);
    return verifyWithIssuerAnswer(verification(state, request), issuerRecord(state, request.issuerId));
  }
  if (selector === VERIFY_MANY.selector) {
    const args: unknown = registry.decodeFunctionData(VERIFY_MANY, data);
    const [requests] = args as [ICredentialRegistry.VerifyRequestStructOutput[]];
    const results = requests.map((request) => verification(state, request));
    const issuers = requests.map((request) => issuerRecord(state, request.issuerId));
    return registry.encodeFunctionResult(VERIFY_MANY, [results, issuers]);
  }
  throw new Error(`the fake registry does not answer ${selector}`);
}

const VERIFY_WITH_ISSUER = registry.getFunction("verifyWithIssuer");
const VERIFY_MANY = registry.getFunction("verifyMany");

/** The request of a `verifyWithIssuer` call, decoded from its calldata. */
export function verifyWithIssuerRequest(data: string): DecodedRequest {
  const args: unknown = registry.decodeFunctionData(VERIFY_WITH_ISSUER, data);
  const [issuerId, batchId, root, digest, proof] = args as VerifyArgs;
  return { issuerId, batchId, root, digest, proof };
}

/** Return data of `verifyWithIssuer`: the verification and the issuer record. */
export function verifyWithIssuerAnswer(
  verification: ICredentialRegistry.VerificationStruct,
  issuer: ICredentialRegistry.IssuerStruct,
): string {
  return registry.encodeFunctionResult(VERIFY_WITH_ISSUER, [verification, issuer]);
}

/** Return data of `verifyWithIssuer`, decoded. */
export function decodeVerifyWithIssuerAnswer(
  data: string,
): [ICredentialRegistry.VerificationStructOutput, ICredentialRegistry.IssuerStructOutput] {
  const answer: unknown = registry.decodeFunctionResult("verifyWithIssuer", data);
  return answer as [ICredentialRegistry.VerificationStructOutput, ICredentialRegistry.IssuerStructOutput];
}

/** A provider serving `states` (one per registry address); any other address has no contract ("0x"). */
export function fakeChain(...states: FakeRegistryState[]): CallProvider & { calls: { to: string; data: string }[] } {
  const calls: { to: string; data: string }[] = [];
  return {
    calls,
    call(tx) {
      calls.push(tx);
      const state = states.find((s) => s.address.toLowerCase() === tx.to.toLowerCase());
      if (!state) return Promise.resolve("0x");
      try {
        return Promise.resolve(answerCall(state, tx.data));
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}
