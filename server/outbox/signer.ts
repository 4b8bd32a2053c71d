/**
 * Whether the outbox's key may still send for an op's issuer. The registry binds a signer address
 * to one issuer for ever; a key that was removed, or serves another issuer, must send nothing.
 */
import type { CredrootError, RegistryClient } from "../../src";
import type { BatchRecord } from "../store/types";

/** What the registry records of an address: the issuer it serves or served, and whether it still may. */
export interface SignerStanding {
  issuerId: number;
  active: boolean;
}

/**
 * Why `signer` may not send for issuer `issuerId`, given its {@link SignerStanding}; null when it
 * may. The registry would refuse (a removed signer) or, worse, file the transaction under the
 * issuer the signer serves, so nothing is signed then.
 * @example
 * signerRefusal("0xab…", { issuerId: 2, active: true }, 1)
 * // "signer 0xab… no longer signs for issuer 1 (it is bound to issuer 2)"
 */
export function signerRefusal(signer: string, standing: SignerStanding, issuerId: number): string | null {
  if (standing.active && standing.issuerId === issuerId) return null;
  const why =
    standing.issuerId === 0
      ? "it is no issuer's signer"
      : standing.issuerId === issuerId
        ? "it was removed"
        : `it is bound to issuer ${standing.issuerId}${standing.active ? "" : ", and was removed"}`;
  return `signer ${signer} no longer signs for issuer ${issuerId} (${why})`;
}

/** The key's standing, asked of the registry at most once per pass (and again after a failed ask). */
export class SignerStandingCache {
  private standing: Promise<SignerStanding> | null = null;

  constructor(
    private readonly registry: RegistryClient,
    /** The key's address. */
    readonly address: string,
  ) {}

  /** Forgets the answer: the next {@link get} asks the registry (each pass asks afresh). */
  reset(): void {
    this.standing = null;
  }

  /** What the registry says of the key, asked once per pass. */
  get(): Promise<SignerStanding> {
    this.standing ??= this.registry.signerRecord(this.address).catch((error: unknown) => {
      this.standing = null; // not kept: the next op asks again
      throw error;
    });
    return this.standing;
  }

  /** Why the key may not send for `issuerId` ({@link signerRefusal}), or null when it may. */
  async refusal(issuerId: number): Promise<string | null> {
    return signerRefusal(this.address, await this.get(), issuerId);
  }

  /**
   * The error to record for a revert: the revert itself, or, when the registry no longer takes this
   * key (`NotASigner`), why, in words (asked afresh: the key's standing changed meanwhile).
   */
  async failureOf(reason: CredrootError, batch: BatchRecord): Promise<CredrootError | string> {
    if (reason.revert?.name !== "NotASigner") return reason;
    this.reset();
    return (await this.refusal(batch.issuerId)) ?? reason;
  }
}
