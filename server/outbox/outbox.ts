import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { RegistryClient } from "../../src";
import { TimeoutError, withTimeout } from "../../src/timeout";
import type { OutboxContext, OutboxOptions } from "./context";
import { DEFAULT_LEASE_TTL_MS, SignerLease } from "./lease";
import { logPassFailure, runPass } from "./pass";
import { SignerStandingCache } from "./signer";

export type { OutboxLog, OutboxOptions } from "./context";

/**
 * The anchoring outbox: drains the queue of chain operations (anchor, revoke-batch,
 * revoke-credential) for one signer, exactly once each. One pass ({@link runPass}) moves each op
 * on by a step; this class runs passes every `intervalMs`, or at once when woken.
 *
 * Durability: a transaction is signed and recorded (`signed`, with its nonce and raw bytes) before
 * it is broadcast, so a crash at any point is recovered on the next pass — a `signed` op is
 * broadcast again (same bytes, same hash), a `sent` op is looked up by hash. The registry refuses a
 * second anchor of the same batch id, and a batch (or revocation) the chain already holds for the
 * batch's issuer is adopted as done, never reported as a failure. A transaction that disappears
 * (dropped, reorged out) sends its op back to `queued`.
 *
 * Signer: before signing anything in a pass, the outbox asks the registry what its key is
 * (`signerRecord`, once per pass). An op of an issuer the key no longer signs for (removed, or bound
 * to another issuer) is failed with that reason, shown on the op (and on an anchor op's batch):
 * never retried, never sent, never reported final. An anchor is final only once the registry
 * records the batch's root under the batch's issuer.
 *
 * Errors: an outage (node or database unreachable, see `isOutage`) stops the pass and changes
 * nothing; the next pass retries. Any other error is a bug: logged with its stack, and the op it
 * happened on is failed (`internal error: …`) rather than retried for ever.
 *
 * Several instances: each pass starts by taking the signer's lease in the database (or renewing
 * it once half its time is gone), and an instance that does not hold it does nothing, so only one
 * instance signs and broadcasts a signer's transactions at a time. The lease is renewed again before signing or broadcasting once
 * half its time is gone; when that fails the pass stops at once. `stop()` gives the lease up.
 */
export class Outbox {
  private readonly ctx: OutboxContext;
  private pass: Promise<void> | null = null;
  /** The loop of passes while started ({@link start}), else null. */
  private loop: Promise<void> | null = null;
  private stopped = true;
  /** Counts starts: a loop left over from before a stop ends when a new start begins another. */
  private starts = 0;
  private wakeRequested = false;
  /** Ends the wait between two passes early (set while the loop waits). */
  private alarm: (() => void) | null = null;

  constructor(options: OutboxOptions) {
    const registry = new RegistryClient(options.registry, options.provider);
    const address = options.wallet.address;
    const lease = new SignerLease(
      options.store,
      options.log,
      `signer:${address.toLowerCase()}`,
      options.instanceId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    );
    this.ctx = { options, registry, lease, standing: new SignerStandingCache(registry, address) };
  }

  /** This instance's name in the signer's lease. */
  get instanceId(): string {
    return this.ctx.lease.holder;
  }

  /** Starts passes every `intervalMs` until {@link stop}. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run(++this.starts);
  }

  /**
   * Stops scheduling, waits for the pass in progress and gives the signer's lease up, so that
   * another instance takes over at once. Nothing in flight is lost: it resumes on the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.alarm?.();
    await this.loop;
    this.loop = null;
    await this.pass;
    await this.ctx.lease.release();
  }

  /** One pass over the outbox. Concurrent calls share the pass in progress; failures are logged. */
  tick(): Promise<void> {
    this.pass ??= runPass(this.ctx)
      .catch((error: unknown) => logPassFailure(this.ctx, error))
      .finally(() => {
        this.pass = null;
      });
    return this.pass;
  }

  /** Runs a pass soon (after a batch or revocation was queued) instead of waiting for the interval. */
  wake(): void {
    if (this.stopped) return;
    if (this.alarm) this.alarm();
    else this.wakeRequested = true; // one more pass right after this one
  }

  private async run(start: number): Promise<void> {
    const current = () => !this.stopped && this.starts === start;
    while (current()) {
      await this.tick();
      if (current()) await this.idle();
    }
  }

  /** Waits `intervalMs`, or less when woken or stopped meanwhile. */
  private async idle(): Promise<void> {
    if (this.wakeRequested) {
      this.wakeRequested = false;
      return;
    }
    const woken = new Promise<void>((resolve) => {
      this.alarm = resolve;
    });
    try {
      await withTimeout(woken, this.ctx.options.intervalMs);
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
    } finally {
      this.alarm = null;
    }
  }
}
