import type { ContractRunner, ContractTransactionResponse, Log } from "ethers";
import { type CredentialRegistry, CredentialRegistry__factory } from "./contracts";
import { batchIdToBytes16 } from "./encoding";
import { CredrootError } from "./errors";
import type { Hex32 } from "./hash";
import { decodeRegistryError } from "./registry-errors";
import { parseRegistryEvent } from "./registry-events";
import { type IssuerRecord, issuerRecordOf } from "./registry-verify";

/** The mined transaction of a registry write. */
export interface WriteReceipt {
  txHash: Hex32;
  blockNumber: number;
  gasUsed: bigint;
  logs: readonly Log[];
}

/**
 * Client of a deployed CredentialRegistry for writes and reads by issuers and accreditors, over
 * its typed bindings (`contract`). Every failure is a {@link CredrootError}; reverts are decoded
 * by name.
 * @example
 * const registry = new RegistryClient(address, wallet);
 * const { txHash } = await registry.anchor(batch.context.batchId, batch.root, batch.count);
 */
export class RegistryClient {
  /** The registry's typed contract, for calls this client does not wrap (errors not decoded). */
  readonly contract: CredentialRegistry;

  constructor(
    readonly address: string,
    runner: ContractRunner,
  ) {
    this.contract = CredentialRegistry__factory.connect(address, runner);
  }

  private async write(
    send: (registry: CredentialRegistry) => Promise<ContractTransactionResponse>,
  ): Promise<WriteReceipt> {
    try {
      const receipt = await (await send(this.contract)).wait();
      if (receipt === null) throw new CredrootError("INVARIANT", "a registry write was not mined");
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

  private async read<T>(call: (registry: CredentialRegistry) => Promise<T>): Promise<T> {
    try {
      return await call(this.contract);
    } catch (error) {
      throw decodeRegistryError(error);
    }
  }

  /** Registers an issuer (accreditor only) and returns its new id. */
  async registerIssuer(name: string, uri: string, signer: string): Promise<{ issuerId: number } & WriteReceipt> {
    const receipt = await this.write((registry) => registry.registerIssuer(name, uri, signer));
    for (const log of receipt.logs) {
      const event = parseRegistryEvent(log, "IssuerRegistered");
      if (event) return { issuerId: Number(event.issuerId), ...receipt };
    }
    throw new CredrootError("INVARIANT", "registerIssuer mined without an IssuerRegistered event");
  }

  addSigner(issuerId: number, signer: string): Promise<WriteReceipt> {
    return this.write((registry) => registry.addSigner(issuerId, signer));
  }

  removeSigner(issuerId: number, signer: string): Promise<WriteReceipt> {
    return this.write((registry) => registry.removeSigner(issuerId, signer));
  }

  setIssuerActive(issuerId: number, active: boolean): Promise<WriteReceipt> {
    return this.write((registry) => registry.setIssuerActive(issuerId, active));
  }

  /** Withdraws accreditation from `effectiveFrom` (seconds since the epoch; may be in the past). */
  withdrawAccreditation(issuerId: number, effectiveFrom: number, reason: string): Promise<WriteReceipt> {
    return this.write((registry) => registry.withdrawAccreditation(issuerId, effectiveFrom, reason));
  }

  updateIssuer(issuerId: number, name: string, uri: string): Promise<WriteReceipt> {
    return this.write((registry) => registry.updateIssuer(issuerId, name, uri));
  }

  /** Anchors batch `batchId` (a lowercase UUID) with `root` for the caller's issuer. */
  anchor(batchId: string, root: Hex32, count: number, uri = ""): Promise<WriteReceipt> {
    // Inside write(): a bad batch id rejects the promise, like every other failure, instead of throwing.
    return this.write((registry) => registry.anchor(batchIdToBytes16(batchId), root, count, uri));
  }

  /** Revokes batch `batchId` of the caller's issuer. */
  revokeBatch(batchId: string, reason: string): Promise<WriteReceipt> {
    return this.write((registry) => registry.revokeBatch(batchIdToBytes16(batchId), reason));
  }

  /** Revokes the caller's issuer's credential with this digest, in every batch. */
  revokeCredential(digest: Hex32, reason: string): Promise<WriteReceipt> {
    return this.write((registry) => registry.revokeCredential(digest, reason));
  }

  /** The issuer record, or a `CONTRACT_REVERT` `UnknownIssuer` error. */
  async getIssuer(issuerId: number): Promise<IssuerRecord> {
    return issuerRecordOf(issuerId, await this.read((registry) => registry.getIssuer(issuerId)));
  }

  async issuerCount(): Promise<number> {
    return Number(await this.read((registry) => registry.issuerCount()));
  }

  /**
   * When the issuer anchored `root` under batch id `batchId` (0 if it did not) and when it revoked
   * the batch (0 if not).
   */
  async getBatch(issuerId: number, batchId: string, root: Hex32): Promise<{ anchoredAt: number; revokedAt: number }> {
    const batch = await this.read((registry) => registry.getBatch(issuerId, batchIdToBytes16(batchId), root));
    return { anchoredAt: Number(batch.anchoredAt), revokedAt: Number(batch.revokedAt) };
  }

  /** When the issuer revoked its credential with this digest (seconds since the epoch), 0 if it did not. */
  async credentialRevokedAt(issuerId: number, digest: Hex32): Promise<number> {
    return Number(await this.read((registry) => registry.credentialRevokedAt(issuerId, digest)));
  }

  /** The issuer `account` actively signs for, 0 if none. */
  async issuerOf(account: string): Promise<number> {
    return Number(await this.read((registry) => registry.issuerOf(account)));
  }

  /** The issuer `account` serves or served, and whether it may still act; issuerId 0 if never. */
  async signerRecord(account: string): Promise<{ issuerId: number; active: boolean }> {
    const [issuerId, active] = await this.read((registry) => registry.signerRecord(account));
    return { issuerId: Number(issuerId), active };
  }

  /** The active signers of an issuer. */
  async getSigners(issuerId: number): Promise<string[]> {
    return [...(await this.read((registry) => registry.getSigners(issuerId)))];
  }
}
