import { createHash } from "node:crypto";
import type { Hex32, IssuerRecord } from "../../src";
import { buildStatusList, type IssuerKey, signStatusList, statusListLength } from "../../src/standard";
import type { Store } from "../store/types";
import type { RevocationScanner } from "./revocations";

/** The key that signs issuer `issuerId`'s credentials and list, or null when the service has none. */
export type IssuerKeyFor = (issuerId: number) => Promise<IssuerKey | null>;

/** What the registry is asked, beside the events the scanner reads. */
export interface StatusRegistry {
  getIssuer(issuerId: number): Promise<Pick<IssuerRecord, "accreditedUntil">>;
  getBatch(issuerId: number, batchId: string, root: Hex32): Promise<{ anchoredAt: number }>;
}

export interface StatusListsOptions {
  store: Store;
  scanner: RevocationScanner;
  registry: StatusRegistry;
  keyFor: IssuerKeyFor;
  /** A list is never served from chain reads older than this (the service's block poll, ms). */
  pollMs: number;
  now?: () => number;
}

/** An issuer's signed list as served: the JSON text and its strong ETag. */
export interface PublishedList {
  body: string;
  etag: string;
  /** The indexes set, ascending (for tests and the command's summary). */
  revoked: number[];
}

const BATCHES_PER_PAGE = 500;

/**
 * Each issuer's Bitstring Status List, derived from the registry: a credential's bit is set when the
 * chain revoked it (`CredentialRevoked` of its issuer and digest), revoked its batch
 * (`BatchRevoked`), or withdrew its issuer's accreditation from a time at or before the batch was
 * anchored (such a credential no longer verifies on chain either). Deactivating an issuer flips
 * nothing: its earlier credentials stay valid on chain. A signed list is kept until its bits,
 * length, URL or key change, so its ETag stays the same between changes.
 */
export class StatusLists {
  readonly #options: StatusListsOptions;
  #refreshedAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | null = null;
  readonly #signed = new Map<number, { fingerprint: string; list: PublishedList }>();
  readonly #revoked = new Map<number, { stamp: string; revoked: number[] }>();
  readonly #accreditation = new Map<number, { at: number; until: number | null }>();
  /** Anchoring times of batches (immutable once non-zero). */
  readonly #anchoredAt = new Map<string, number>();

  constructor(options: StatusListsOptions) {
    this.#options = options;
  }

  /**
   * Reads the chain's new revocations now (at most one read at a time).
   * @throws when the chain cannot be asked.
   */
  refresh(): Promise<void> {
    this.#refreshing ??= (async () => {
      const started = this.#now();
      try {
        await this.#options.scanner.refresh();
        this.#refreshedAt = started;
      } finally {
        this.#refreshing = null;
      }
    })();
    return this.#refreshing;
  }

  /** Refreshes unless the last refresh is younger than one poll. */
  async fresh(): Promise<void> {
    if (this.#now() - this.#refreshedAt >= this.#options.pollMs) await this.refresh();
  }

  /**
   * The issuer's signed status list credential at `url`, from chain reads at most one poll old;
   * null when this service has no such issuer, `"no-key"` when it has no key to sign with.
   * @throws when the chain cannot be asked.
   */
  async publish(issuerId: number, url: string): Promise<PublishedList | null | "no-key"> {
    const { store, keyFor } = this.#options;
    if ((await store.getIssuer(issuerId)) === null) return null;
    const key = await keyFor(issuerId);
    if (key === null) return "no-key";
    await this.fresh();
    const size = await store.statusListSize(issuerId);
    const length = statusListLength(size);
    const revoked = await this.#revokedNow(issuerId, size);
    const fingerprint = JSON.stringify([url, key.did, length, revoked]);
    const cached = this.#signed.get(issuerId);
    if (cached?.fingerprint === fingerprint) return cached.list;
    const signed = await signStatusList(await buildStatusList({ url, issuerDid: key.did, length, revoked }), key);
    const body = JSON.stringify(signed);
    const etag = `"${createHash("sha256").update(body).digest("base64url")}"`;
    const list = { body, etag, revoked };
    this.#signed.set(issuerId, { fingerprint, list });
    return list;
  }

  /**
   * {@link revokedIndexes}, computed again only when the issuer's revocation events, accreditation
   * or number of credentials changed (the query reads every revoked batch's credentials).
   */
  async #revokedNow(issuerId: number, size: number): Promise<number[]> {
    const accreditedUntil = await this.#accreditedUntil(issuerId);
    const stamp = JSON.stringify([this.#options.scanner.version(issuerId), accreditedUntil, size]);
    const known = this.#revoked.get(issuerId);
    if (known?.stamp === stamp) return known.revoked;
    const revoked = await this.revokedIndexes(issuerId, accreditedUntil);
    this.#revoked.set(issuerId, { stamp, revoked });
    return revoked;
  }

  /** The issuer's end of accreditation (null while it stands), asked once per refresh. */
  async #accreditedUntil(issuerId: number): Promise<number | null> {
    const known = this.#accreditation.get(issuerId);
    if (known?.at === this.#refreshedAt) return known.until;
    const at = this.#refreshedAt;
    const { accreditedUntil } = await this.#options.registry.getIssuer(issuerId);
    this.#accreditation.set(issuerId, { at, until: accreditedUntil });
    return accreditedUntil;
  }

  /**
   * The indexes of the issuer's credentials that the chain has revoked (as read at the last
   * refresh), given its end of accreditation (`getIssuer(issuerId).accreditedUntil`).
   */
  async revokedIndexes(issuerId: number, accreditedUntil: number | null): Promise<number[]> {
    const { digests, batchIds } = this.#options.scanner.of(issuerId);
    const withdrawn = accreditedUntil === null ? [] : await this.#unaccreditedBatches(issuerId, accreditedUntil);
    return this.#options.store.statusIndexes(issuerId, {
      digests: [...digests],
      batchIds: [...new Set([...batchIds, ...withdrawn])],
    });
  }

  /** The issuer's batches anchored at or after the end of its accreditation. */
  async #unaccreditedBatches(issuerId: number, accreditedUntil: number): Promise<string[]> {
    const { store, registry } = this.#options;
    const found: string[] = [];
    for (let offset = 0; ; offset += BATCHES_PER_PAGE) {
      const page = await store.listBatches(issuerId, offset, BATCHES_PER_PAGE);
      for (const batch of page) {
        let at = this.#anchoredAt.get(batch.id) ?? 0;
        if (at === 0 && batch.status !== "pending" && batch.status !== "failed") {
          at = (await registry.getBatch(issuerId, batch.id, batch.root as Hex32)).anchoredAt;
          if (at !== 0) this.#anchoredAt.set(batch.id, at);
        }
        if (at !== 0 && at >= accreditedUntil) found.push(batch.id);
      }
      if (page.length < BATCHES_PER_PAGE) return found;
    }
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }
}
