import type { CredentialRegistry, ICredentialRegistry } from "./contracts/CredentialRegistry";
import { batchIdToBytes16 } from "./encoding";
import { CredrootError } from "./errors";
import { decodeVerifyWithIssuer, encodeVerifyWithIssuer } from "./registry-abi";
import type { Hex32 } from "./hash";
import { credentialRegistryInterface, registryInterface } from "./registry-interface";
import { type RegistryStatus, registryStatusOf } from "./registry-status";

/** An issuer as the registry records it. `accreditedUntil` is `null` while accreditation stands. */
export interface IssuerRecord {
  id: number;
  name: string;
  uri: string;
  active: boolean;
  accreditedUntil: number | null;
}

/** What `verifyWithIssuer` answers, in plain numbers (seconds since the epoch, 0 = never). */
export interface ChainVerification {
  status: RegistryStatus;
  /** The leaf the registry derived from the request. */
  leaf: Hex32;
  /** When the issuer anchored the request's root under its batch id (0: not anchored). */
  anchoredAt: number;
  batchRevokedAt: number;
  credentialRevokedAt: number;
  /** The issuer named by the request, as recorded; null for an id no issuer has. */
  issuer: IssuerRecord | null;
}

/** One credential to check: where it says it is anchored, its digest and its Merkle path. */
export interface VerifyRequest {
  issuerId: number;
  /** The batch id as a lowercase UUID. */
  batchId: string;
  /** The batch's Merkle root, as the bundle names it. */
  root: Hex32;
  digest: Hex32;
  proof: readonly Hex32[];
}

/** `accreditedUntil` of an issuer whose accreditation stands: `type(uint64).max`. */
const NOT_WITHDRAWN = 2n ** 64n - 1n;

/** An issuer record as `getIssuer`, `verifyWithIssuer` and `verifyMany` return it, in plain numbers. */
export function issuerRecordOf(
  id: number,
  issuer: Pick<ICredentialRegistry.IssuerStructOutput, "name" | "uri" | "active" | "accreditedUntil">,
): IssuerRecord {
  return {
    id,
    name: issuer.name,
    uri: issuer.uri,
    active: issuer.active,
    accreditedUntil: issuer.accreditedUntil === NOT_WITHDRAWN ? null : Number(issuer.accreditedUntil),
  };
}

const requestStruct = (request: VerifyRequest): ICredentialRegistry.VerifyRequestStruct => ({
  issuerId: request.issuerId,
  batchId: batchIdToBytes16(request.batchId),
  root: request.root,
  digest: request.digest,
  proof: [...request.proof],
});

/** Calldata of `verifyWithIssuer(issuerId, batchId, root, digest, proof)` (coded by hand: registry-abi.ts). */
export function encodeVerifyCall(request: VerifyRequest): string {
  const { issuerId, batchId, root, digest, proof } = request;
  return encodeVerifyWithIssuer(issuerId, batchIdToBytes16(batchId), root, digest, proof);
}

/** Calldata of `verifyMany(requests)`. */
export function encodeVerifyManyCall(requests: readonly VerifyRequest[]): string {
  return credentialRegistryInterface.encodeFunctionData("verifyMany", [requests.map(requestStruct)]);
}

type View = "verifyWithIssuer" | "verifyMany";

/** What view `M` returns, as its bindings type it. */
type Answer<M extends View> = Awaited<ReturnType<CredentialRegistry[M]["staticCall"]>>;

function decodeAnswer<M extends View>(view: M, data: string): Answer<M> {
  let answer: unknown;
  try {
    answer = registryInterface.decodeFunctionResult(view, data);
  } catch (cause) {
    const what = data === "0x" ? "no registry contract answered at that address" : "unreadable registry answer";
    throw new CredrootError("CHAIN_UNAVAILABLE", what, { cause });
  }
  // ethers decoded it with the view's ABI; the bindings, generated from that ABI, type it.
  return answer as Answer<M>;
}

/**
 * Decodes the return data of `verifyWithIssuer` asked about `issuerId`.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is empty or not a registry answer
 * (no contract at the address, a node that answers nonsense): never mistaken for a verdict.
 */
export function decodeVerifyResult(data: string, issuerId: number): ChainVerification {
  const { status, leaf, anchoredAt, batchRevokedAt, credentialRevokedAt, issuer } = decodeVerifyWithIssuer(data);
  return chainVerificationOf(
    { status: BigInt(status), leaf, anchoredAt, batchRevokedAt, credentialRevokedAt },
    issuerId,
    issuer,
  );
}

/**
 * Decodes the return data of `verifyMany` asked with `requests`: one answer per request, in
 * order, each as {@link decodeVerifyResult} gives it.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is not a registry answer to that many
 * requests.
 */
export function decodeVerifyManyResult(data: string, requests: readonly VerifyRequest[]): ChainVerification[] {
  const [results, issuers] = decodeAnswer("verifyMany", data);
  if (results.length !== requests.length || issuers.length !== requests.length) {
    throw new CredrootError(
      "CHAIN_UNAVAILABLE",
      `the registry answered ${results.length} results to ${requests.length} requests`,
    );
  }
  return results.map((result, i) => chainVerificationOf(result, requests[i]!.issuerId, issuers[i]!));
}

/** The fields of a `Verification` and an `Issuer` that a verdict reads, as ethers or registry-abi.ts decode them. */
type VerificationWords = Pick<
  ICredentialRegistry.VerificationStructOutput,
  "status" | "leaf" | "anchoredAt" | "batchRevokedAt" | "credentialRevokedAt"
>;
type IssuerWords = Pick<ICredentialRegistry.IssuerStructOutput, "name" | "uri" | "active" | "accreditedUntil">;

function chainVerificationOf(result: VerificationWords, issuerId: number, issuer: IssuerWords): ChainVerification {
  const status = registryStatusOf(result.status);
  if (status === undefined) throw new CredrootError("CHAIN_UNAVAILABLE", `unknown registry status ${result.status}`);
  const record = issuerRecordOf(issuerId, issuer);
  return {
    status,
    leaf: result.leaf.toLowerCase() as Hex32,
    anchoredAt: Number(result.anchoredAt),
    batchRevokedAt: Number(result.batchRevokedAt),
    credentialRevokedAt: Number(result.credentialRevokedAt),
    // Registered issuers have a non-empty name; an unknown id answers an all-zero record.
    issuer: record.name === "" ? null : record,
  };
}
