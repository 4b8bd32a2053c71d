import { Contract, type ContractRunner, type ContractTransactionReceipt, Interface, type Log } from "ethers";
import { credentialRegistryAbi } from "./abi";
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
  issuerId: number;
  anchoredAt: number;
  batchRevokedAt: number;
  credentialRevokedAt: number;
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

/** Calldata of `verifyWithIssuer(root, leaf, proof)`. */
export function encodeVerifyCall(root: Hex32, leaf: Hex32, proof: readonly Hex32[]): string {
  return registryInterface.encodeFunctionData("verifyWithIssuer", [root, leaf, proof]);
}

/**
 * Decodes the return data of `verifyWithIssuer`.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is empty or not a registry answer
 * (no contract at the address, a node that answers nonsense): never mistaken for a verdict.
 */
export function decodeVerifyResult(data: string): ChainVerification {
  let decoded;
  try {
    decoded = registryInterface.decodeFunctionResult("verifyWithIssuer", data);
  } catch (cause) {
    const what = data === "0x" ? "no registry contract answered at that address" : "unreadable registry answer";
    throw new CredrootError("CHAIN_UNAVAILABLE", what, { cause });
  }
  const [result, issuer] = decoded as unknown as [readonly bigint[], readonly unknown[]];
  return chainVerificationOf(result, issuer);
}

/** A request of `verifyMany`: the arguments of one `verifyWithIssuer`. */
export interface VerifyRequest {
  root: Hex32;
  leaf: Hex32;
  proof: readonly Hex32[];
}

/** Calldata of `verifyMany(requests)`. */
export function encodeVerifyManyCall(requests: readonly VerifyRequest[]): string {
  return registryInterface.encodeFunctionData("verifyMany", [
    requests.map(({ root, leaf, proof }) => [root, leaf, [...proof]]),
  ]);
}

/**
 * Decodes the return data of `verifyMany` asked with `count` requests: one answer per request,
 * in order, each as {@link decodeVerifyResult} gives it.
 * @throws CredrootError `CHAIN_UNAVAILABLE` when the data is not a registry answer to that many
 * requests.
 */
export function decodeVerifyManyResult(data: string, count: number): ChainVerification[] {
  let decoded;
  try {
    decoded = registryInterface.decodeFunctionResult("verifyMany", data);
  } catch (cause) {
    const what = data === "0x" ? "no registry contract answered at that address" : "unreadable registry answer";
    throw new CredrootError("CHAIN_UNAVAILABLE", what, { cause });
  }
  const [results, issuers] = decoded as unknown as [readonly (readonly bigint[])[], readonly (readonly unknown[])[]];
  if (results.length !== count || issuers.length !== count) {
    throw new CredrootError(
      "CHAIN_UNAVAILABLE",
      `the registry answered ${results.length} results to ${count} requests`,
    );
  }
  return results.map((result, i) => chainVerificationOf(result, issuers[i]!));
}

function chainVerificationOf(result: readonly bigint[], issuer: readonly unknown[]): ChainVerification {
  const [status, issuerId, anchoredAt, batchRevokedAt, credentialRevokedAt] = result.map(Number);
  const name = REGISTRY_STATUS[status ?? -1];
  if (name === undefined) throw new CredrootError("CHAIN_UNAVAILABLE", `unknown registry status ${status}`);
  return {
    status: name,
    issuerId: issuerId ?? 0,
    anchoredAt: anchoredAt ?? 0,
    batchRevokedAt: batchRevokedAt ?? 0,
    credentialRevokedAt: credentialRevokedAt ?? 0,
    issuer: issuerId ? issuerFromResult(issuerId, issuer) : null,
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
 * const { txHash } = await registry.anchor(root, 1000, "");
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

  /** Anchors a batch root for the caller's issuer. */
  anchor(root: Hex32, count: number, uri = ""): Promise<WriteReceipt> {
    return this.write("anchor", [root, count, uri]);
  }

  revokeBatch(root: Hex32, reason: string): Promise<WriteReceipt> {
    return this.write("revokeBatch", [root, reason]);
  }

  revokeCredential(root: Hex32, leaf: Hex32, reason: string): Promise<WriteReceipt> {
    return this.write("revokeCredential", [root, leaf, reason]);
  }

  /** The issuer record, or a `CONTRACT_REVERT` `UnknownIssuer` error. */
  async getIssuer(issuerId: number): Promise<IssuerRecord> {
    return issuerFromResult(issuerId, await this.read<readonly unknown[]>("getIssuer", [issuerId]));
  }

  async issuerCount(): Promise<number> {
    return Number(await this.read<bigint>("issuerCount", []));
  }

  /** The batch record; `issuerId` 0 when the root was never anchored. */
  async getBatch(root: Hex32): Promise<{ issuerId: number; anchoredAt: number; revokedAt: number }> {
    const [issuerId, anchoredAt, revokedAt] = (await this.read<readonly bigint[]>("getBatch", [root])).map(Number);
    return { issuerId: issuerId ?? 0, anchoredAt: anchoredAt ?? 0, revokedAt: revokedAt ?? 0 };
  }
}
