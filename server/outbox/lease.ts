/**
 * The signer's lease: several service instances share one database and one signer key, and only
 * the holder of the lease `signer:<address>` signs and broadcasts for it.
 */
import { performance } from "node:perf_hooks";
import type { Store } from "../store/types";
import type { OutboxLog } from "./log";

/** How long the signer's lease lasts unless configured; renewed once half of it has passed. */
export const DEFAULT_LEASE_TTL_MS = 15_000;

/** Another instance holds the signer's lease: this one must not sign or broadcast. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
  constructor() {
    super("the lease on the signer is held by another instance");
  }
}

/**
 * One instance's hold on the signer's lease. Its deadline is kept on this process's monotonic
 * clock, counted from before each request, so it never runs past the database's.
 */
export class SignerLease {
  /** `performance.now()` before which the lease is surely ours (0: not held). */
  private until = 0;

  constructor(
    private readonly store: Store,
    private readonly log: OutboxLog,
    /** `signer:<address, lowercase>`. */
    readonly name: string,
    /** This instance's name in the lease. */
    readonly holder: string,
    readonly ttlMs: number,
  ) {}

  /** Takes or renews the lease; false while another instance holds it. */
  async hold(): Promise<boolean> {
    const { name, holder, ttlMs } = this;
    const asked = performance.now();
    const lease = await this.store.acquireLease(name, holder, ttlMs);
    const held = this.until !== 0;
    if (lease === null) {
      if (held) this.log.warn({ lease: name, holder }, "lease lost to another instance: sending stops");
      this.until = 0;
      return false;
    }
    if (!held) this.log.info({ lease: name, holder }, "lease taken: this instance sends for the signer");
    this.until = asked + ttlMs;
    return true;
  }

  /**
   * At the start of each pass: true while the lease is surely ours for more than half its time,
   * else takes or renews it as {@link hold} does. A pass every 50 ms then writes the lease (an
   * fsync on SQLite) once per half lease, not 20 times a second; another instance cannot take a
   * lease that has not lapsed, so skipping the write loses nothing.
   */
  async keep(): Promise<boolean> {
    if (this.fresh()) return true;
    return this.hold();
  }

  /** Held, with more than half its time left. */
  private fresh(): boolean {
    return performance.now() < this.until - this.ttlMs / 2;
  }

  /**
   * Before each op, signature, broadcast and write: renews the lease once half its time is gone.
   * @throws LeaseLostError when another instance holds it now.
   */
  async ensure(): Promise<void> {
    if (this.fresh()) return;
    if (!(await this.hold())) throw new LeaseLostError();
  }

  /** Gives the lease up, if held, so that another instance takes over at once. */
  async release(): Promise<void> {
    if (this.until === 0) return;
    this.until = 0;
    try {
      await this.store.releaseLease(this.name, this.holder);
    } catch (error) {
      // It then lapses by itself within its TTL.
      this.log.warn({ err: (error as Error).message }, "could not give the signer's lease up");
    }
  }
}
