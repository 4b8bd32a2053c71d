import { Contract, type ContractRunner, type ContractTransactionReceipt, Interface, type Log } from "ethers";
import { credentialRegistryAbi } from "./abi";
import { batchIdToBytes16 } from "./encoding";
import { CredrootError } from "./errors";
import type { Hex32 } from "./hash";

/** The registry's ABI as an ethers Interface: encodes calls, decodes results, events and reverts. */
export const registryInterface = new Interface(credentialRegistryAbi);

/** `ICredentialRegistry.Status`, by index. */
export const REGISTRY_STATUS = [
  "valid",
  "not-anchored",
  "bad-proof",
  "batch-revoked",
  "credential-revoked",
  "issuer-not-accredited",
] as const;
export type RegistryStatus = (typeof REGISTRY_STATUS)[number];

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

const NOT_WITHDRAWN = 2n ** 64n - 1n;

function issuerFromResult(id: number, raw: readonly unknown[]): IssuerRecord {
  const [accreditedUntil, active, name, uri] = raw as [bigint, boolean, string, string];
  return {
    id,
    name,
    uri,
    active,
    accreditedUntil: accreditedUntil === NOT_WITHDRAWN ? null : Number(accreditedUntil),
  };
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

const requestArgs = ({ issuerId, batchId, root, digest, proof }: VerifyRequest) =>
  [issuerId, batchIdToBytes16(batchId), root, digest, [...proof]] as const;

/** Calldata of `verifyWithIssuer(issuerId, batchId, root, digest, proof)`. */
export function encodeVerifyCall(request: VerifyRequest): string {
  return registryInterface.encodeFunctionData("verifyWithIssuer", requestArgs(request));
}

function decodeResult(method: "verifyWithIssuer" | "verifyMany", data: string) {
  try {
    return registryInterface.decodeFunctionResult(method, data);
  } catch (cause) {
    const what = data === "0x" ? "no registry contract answered at that address" : "unreadable registry answer";
    throw new CredrootError("CHAIN_UNAVAILABLE", what, { cause });
  }
}

/**
 * Decodes the return data of `verifyWithIssuer` asked about `issuerId`.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is empty or not a registry answer
 * (no contract at the address, a node that answers nonsense): never mistaken for a verdict.
 */
export function decodeVerifyResult(data: string, issuerId: number): ChainVerification {
  const [result, issuer] = decodeResult("verifyWithIssuer", data) as unknown as [
    readonly unknown[],
    readonly unknown[],
  ];
  return chainVerificationOf(result, issuerId, issuer);
}

/** Calldata of `verifyMany(requests)`. */
export function encodeVerifyManyCall(requests: readonly VerifyRequest[]): string {
  return registryInterface.encodeFunctionData("verifyMany", [requests.map(requestArgs)]);
}

/**
 * Decodes the return data of `verifyMany` asked with `requests`: one answer per request, in
 * order, each as {@link decodeVerifyResult} gives it.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is not a registry answer to that many
 * requests.
 */
export function decodeVerifyManyResult(data: string, requests: readonly VerifyRequest[]): ChainVerification[] {
  const [results, issuers] = decodeResult("verifyMany", data) as unknown as [
    readonly (readonly unknown[])[],
    readonly (readonly unknown[])[],
  ];
  if (results.length !== requests.length || issuers.length !== requests.length) {
    throw new CredrootError(
      "CHAIN_UNAVAILABLE",
      `the registry answered ${results.length} results to ${requests.length} requests`,
    );
  }
  return results.map((result, i) => chainVerificationOf(result, requests[i]!.issuerId, issuers[i]!));
}

function chainVerificationOf(
  result: readonly unknown[],
  issuerId: number,
  issuer: readonly unknown[],
): ChainVerification {
  const [status, leaf, anchoredAt, batchRevokedAt, credentialRevokedAt] = result as [
    bigint,
    string,
    bigint,
    bigint,
    bigint,
  ];
  const name = REGISTRY_STATUS[Number(status)];
  if (name === undefined) throw new CredrootError("CHAIN_UNAVAILABLE", `unknown registry status ${status}`);
  const record = issuerFromResult(issuerId, issuer);
  return {
    status: name,
    leaf: leaf.toLowerCase() as Hex32,
    anchoredAt: Number(anchoredAt),
    batchRevokedAt: Number(batchRevokedAt),
    credentialRevokedAt: Number(credentialRevokedAt),
    // Registered issuers have a non-empty name; an unknown id answers an all-zero record.
    issuer: record.name === "" ? null : record,
  };
}

function findRevertData(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
  for (const key of ["error", "info", "cause", "data"]) {
    const found = findRevertData(record[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A one-line reason safe to show anyone: ethers' short message without its `info` payload, and no
 * URL (an RPC URL often carries an API key).
 */
function publicMessage(error: unknown): string {
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage;
  const text = typeof short === "string" ? short : error instanceof Error ? error.message : safeString(error);
  return (text.split("\n")[0] ?? "")
    .replace(/\s*\((info|error|request|payload|code)=.*$/, "")
    .replace(/\b(https?|wss?):\/\/\S+/g, "<rpc>");
}

/** `String(value)`, except for values that refuse it (`Object.create(null)`, a `toString` that is no function). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Turns whatever a contract call threw into a {@link CredrootError}: a registry revert becomes
 * `CONTRACT_REVERT` with the custom error's name and arguments (`BatchAlreadyAnchored(root, …)`);
 * arguments ethers refuses to encode become `INVALID_ARGUMENT`; anything else (network, timeout)
 * becomes `CHAIN_UNAVAILABLE`.
 */
export function decodeRegistryError(error: unknown): CredrootError {
  if (error instanceof CredrootError) return error;
  const data = findRevertData(error);
  const parsed = data ? registryInterface.parseError(data) : null;
  if (parsed) {
    const args = parsed.args.toArray();
    const shown = args.map((a) => String(a)).join(", ");
    return new CredrootError("CONTRACT_REVERT", `registry reverted: ${parsed.name}(${shown})`, {
      cause: error,
      revert: { name: parsed.name, args },
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "INVALID_ARGUMENT" || code === "NUMERIC_FAULT") {
    // ethers refused the arguments before any call: the caller's mistake, not an outage.
    return new CredrootError("INVALID_ARGUMENT", `invalid call argument: ${publicMessage(error)}`, { cause: error });
  }
  return new CredrootError("CHAIN_UNAVAILABLE", `chain call failed: ${publicMessage(error)}`, { cause: error });
}

/** The mined transaction of a registry write. */
export interface WriteReceipt {
  txHash: Hex32;
  blockNumber: number;
  gasUsed: bigint;
  logs: readonly Log[];
}

/**
 * Typed client of a deployed CredentialRegistry for writes and reads by issuers and accreditors.
 * Every failure is a {@link CredrootError}; reverts are decoded by name.
 * @example
 * const registry = new RegistryClient(address, wallet);
 * const { txHash } = await registry.anchor(batch.context.batchId, batch.root, batch.count);
 */
export class RegistryClient {
  readonly contract: Contract;

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = new Contract(address, registryInterface, runner);
  }

  private async write(method: string, args: readonly unknown[]): Promise<WriteReceipt> {
    try {
      const tx = await this.contract.getFunction(method).send(...args);
      const receipt = (await tx.wait()) as ContractTransactionReceipt;
      return {
        txHash: receipt.hash as Hex32,
        blockNumber: receipt.blockNumber,
        gasUsed: receipt.gasUsed,
        logs: receipt.logs,
      };
    } catch (error) {
      throw decodeRegistryError(error);
    }
  }

  private async read<T>(method: string, args: readonly unknown[]): Promise<T> {
    try {
      return (await this.contract.getFunction(method).staticCall(...args)) as T;
    } catch (error) {
      throw decodeRegistryError(error);
    }
  }

  /** Registers an issuer (accreditor only) and returns its new id. */
  async registerIssuer(name: string, uri: string, signer: string): Promise<{ issuerId: number } & WriteReceipt> {
    const receipt = await this.write("registerIssuer", [name, uri, signer]);
    for (const log of receipt.logs) {
      const event = registryInterface.parseLog(log);
      if (event?.name === "IssuerRegistered") return { issuerId: Number(event.args[0]), ...receipt };
    }
    throw new CredrootError("INVARIANT", "registerIssuer mined without an IssuerRegistered event");
  }

  addSigner(issuerId: number, signer: string): Promise<WriteReceipt> {
    return this.write("addSigner", [issuerId, signer]);
  }

  removeSigner(issuerId: number, signer: string): Promise<WriteReceipt> {
    return this.write("removeSigner", [issuerId, signer]);
  }

  setIssuerActive(issuerId: number, active: boolean): Promise<WriteReceipt> {
    return this.write("setIssuerActive", [issuerId, active]);
  }

  /** Withdraws accreditation from `effectiveFrom` (seconds since the epoch; may be in the past). */
  withdrawAccreditation(issuerId: number, effectiveFrom: number, reason: string): Promise<WriteReceipt> {
    return this.write("withdrawAccreditation", [issuerId, effectiveFrom, reason]);
  }

  updateIssuer(issuerId: number, name: string, uri: string): Promise<WriteReceipt> {
    return this.write("updateIssuer", [issuerId, name, uri]);
  }

  /** Anchors batch `batchId` (a lowercase UUID) with `root` for the caller's issuer. */
  async anchor(batchId: string, root: Hex32, count: number, uri = ""): Promise<WriteReceipt> {
    // async: a bad batch id rejects the promise, like every other failure, instead of throwing.
    return this.write("anchor", [batchIdToBytes16(batchId), root, count, uri]);
  }

  /** Revokes batch `batchId` of the caller's issuer. */
  async revokeBatch(batchId: string, reason: string): Promise<WriteReceipt> {
    return this.write("revokeBatch", [batchIdToBytes16(batchId), reason]);
  }

  /** Revokes the caller's issuer's credential with this digest, in every batch. */
  revokeCredential(digest: Hex32, reason: string): Promise<WriteReceipt> {
    return this.write("revokeCredential", [digest, reason]);
  }

  /** The issuer record, or a `CONTRACT_REVERT` `UnknownIssuer` error. */
  async getIssuer(issuerId: number): Promise<IssuerRecord> {
    return issuerFromResult(issuerId, await this.read<readonly unknown[]>("getIssuer", [issuerId]));
  }

  async issuerCount(): Promise<number> {
    return Number(await this.read<bigint>("issuerCount", []));
  }

  /**
   * When the issuer anchored `root` under batch id `batchId` (0 if it did not) and when it revoked
   * the batch (0 if not).
   */
  async getBatch(issuerId: number, batchId: string, root: Hex32): Promise<{ anchoredAt: number; revokedAt: number }> {
    const [anchoredAt, revokedAt] = await this.read<readonly [bigint, bigint]>("getBatch", [
      issuerId,
      batchIdToBytes16(batchId),
      root,
    ]);
    return { anchoredAt: Number(anchoredAt), revokedAt: Number(revokedAt) };
  }

  /** The issuer `account` actively signs for, 0 if none. */
  async issuerOf(account: string): Promise<number> {
    return Number(await this.read<bigint>("issuerOf", [account]));
  }

  /** The issuer `account` serves or served, and whether it may still act; issuerId 0 if never. */
  async signerRecord(account: string): Promise<{ issuerId: number; active: boolean }> {
    const [issuerId, active] = await this.read<readonly [bigint, boolean]>("signerRecord", [account]);
    return { issuerId: Number(issuerId), active };
  }

  /** The active signers of an issuer. */
  async getSigners(issuerId: number): Promise<string[]> {
    return [...(await this.read<readonly string[]>("getSigners", [issuerId]))];
  }
}
