import type { JsonRpcProvider } from "ethers";
import { bytes16ToBatchId, parseRegistryEvent, registryInterface } from "../../src";
import { LOG_WINDOW } from "../outbox/adoption";

/** What the chain has revoked of one issuer: credential digests (lowercase hex) and batch ids (UUIDs). */
export interface IssuerRevocations {
  digests: Set<string>;
  batchIds: Set<string>;
}

const TOPICS = [
  [registryInterface.getEvent("CredentialRevoked")!.topicHash, registryInterface.getEvent("BatchRevoked")!.topicHash],
];

/**
 * Every revocation the registry has recorded, per issuer, read from its `CredentialRevoked` and
 * `BatchRevoked` events: whoever sent them (this service, `credroot revoke --rpc`, a direct
 * contract call). Each {@link refresh} reads only the blocks it has not read yet, in windows of
 * {@link LOG_WINDOW}, from the registry's deployment block on. A revocation is final in the
 * contract, so what was read is kept; the one risk is a reorganised block, whose revocation stays
 * counted until a restart (an over-revocation, never a missed one).
 */
export class RevocationScanner {
  /** The last block read (`fromBlock - 1` before the first refresh). */
  #scanned: number;
  readonly #byIssuer = new Map<number, IssuerRevocations>();
  /** How many revocations of each issuer were read: a list whose count is unchanged needs no rebuild. */
  readonly #versions = new Map<number, number>();

  constructor(
    private readonly provider: Pick<JsonRpcProvider, "getBlockNumber" | "getLogs">,
    private readonly registry: string,
    fromBlock = 0,
  ) {
    this.#scanned = fromBlock - 1;
  }

  /** The last block read, -1 (or `fromBlock - 1`) before the first refresh. */
  get scannedBlock(): number {
    return this.#scanned;
  }

  /**
   * Reads the events of the blocks up to the latest; returns the issuers that got new revocations.
   * @throws whatever the provider throws (the blocks read so far stay read).
   */
  async refresh(): Promise<Set<number>> {
    const latest = await this.provider.getBlockNumber();
    const changed = new Set<number>();
    while (this.#scanned < latest) {
      const from = this.#scanned + 1;
      const to = Math.min(latest, from + LOG_WINDOW - 1);
      const logs = await this.provider.getLogs({
        address: this.registry,
        topics: TOPICS,
        fromBlock: from,
        toBlock: to,
      });
      for (const log of logs) {
        if (log.address.toLowerCase() !== this.registry.toLowerCase()) continue;
        const issuer = this.#record(log);
        if (issuer !== null) changed.add(issuer);
      }
      this.#scanned = to;
    }
    return changed;
  }

  /** How many revocation events of `issuerId` were read so far. */
  version(issuerId: number): number {
    return this.#versions.get(issuerId) ?? 0;
  }

  /** What the chain revoked of `issuerId` so far (empty sets for none). */
  of(issuerId: number): IssuerRevocations {
    return this.#byIssuer.get(issuerId) ?? { digests: new Set(), batchIds: new Set() };
  }

  #record(log: { topics: readonly string[]; data: string }): number | null {
    const credential = parseRegistryEvent(log, "CredentialRevoked");
    if (credential) {
      const issuer = Number(credential.issuerId);
      this.#issuer(issuer).digests.add(credential.digest.toLowerCase());
      return issuer;
    }
    const batch = parseRegistryEvent(log, "BatchRevoked");
    if (batch) {
      const issuer = Number(batch.issuerId);
      this.#issuer(issuer).batchIds.add(bytes16ToBatchId(batch.batchId));
      return issuer;
    }
    return null;
  }

  #issuer(issuerId: number): IssuerRevocations {
    this.#versions.set(issuerId, this.version(issuerId) + 1);
    let found = this.#byIssuer.get(issuerId);
    if (!found) {
      found = { digests: new Set(), batchIds: new Set() };
      this.#byIssuer.set(issuerId, found);
    }
    return found;
  }
}
