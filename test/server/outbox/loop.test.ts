/**
 * Outbox tests — the loop of passes: every `intervalMs`, at once when woken, and nothing left
 * waiting once stopped. No chain: the stub store says another instance holds the signer's lease,
 * so each pass is one `acquireLease` call and does nothing else; or it grants the lease and has no
 * ops, to count how often a holder writes its lease.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sleep } from "../../../src/timeout";
import { Outbox } from "../../../server/outbox/outbox";
import type { Store } from "../../../server/store/types";
import { recordingLog } from "../../support/anchoring";
import { waitFor } from "../../support/service";

const provider = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });

/** An outbox on `store` (no chain: it must never get as far as asking one). */
function outboxOn(store: Partial<Store>, intervalMs: number, leaseTtlMs?: number): Outbox {
  return new Outbox({
    store: store as Store,
    provider,
    wallet: new Wallet(Wallet.createRandom().privateKey),
    registry: Wallet.createRandom().address,
    finality: 2,
    intervalMs,
    ...(leaseTtlMs === undefined ? {} : { leaseTtlMs }),
    log: recordingLog(),
    instanceId: "loop-test",
  });
}

/** An outbox whose every pass finds the lease taken; `passes()` counts its passes. */
function idleOutbox(intervalMs: number) {
  const acquireLease = vi.fn<Store["acquireLease"]>(() => Promise.resolve(null));
  const releaseLease = vi.fn<Store["releaseLease"]>(() => Promise.resolve(false));
  const outbox = outboxOn({ acquireLease, releaseLease }, intervalMs);
  return { outbox, passes: () => acquireLease.mock.calls.length };
}

/** An outbox that holds the lease and has nothing to send; the times (ms) it asked for the lease. */
function holdingOutbox(intervalMs: number, leaseTtlMs: number) {
  const asked: number[] = [];
  const acquireLease = vi.fn<Store["acquireLease"]>((name, holder, ttlMs) => {
    asked.push(performance.now());
    return Promise.resolve({ name, holder, expiresAt: Date.now() + ttlMs });
  });
  const listOps = vi.fn<Store["listOps"]>(() => Promise.resolve([]));
  const releaseLease = vi.fn<Store["releaseLease"]>(() => Promise.resolve(true));
  const outbox = outboxOn({ acquireLease, listOps, releaseLease }, intervalMs, leaseTtlMs);
  return { outbox, asked, passes: () => listOps.mock.calls.length };
}

describe("Outbox loop", () => {
  const started: Outbox[] = [];
  const start = (outbox: Outbox) => {
    started.push(outbox);
    outbox.start();
  };

  afterEach(async () => {
    for (const outbox of started.splice(0)) await outbox.stop();
  });

  it("runs a pass at once when started, then one every intervalMs", async () => {
    const { outbox, passes } = idleOutbox(40);
    start(outbox);
    await waitFor(() => Promise.resolve(passes() >= 1 || undefined), 1_000, "the first pass");
    await waitFor(() => Promise.resolve(passes() >= 4 || undefined), 2_000, "three passes more");
  });

  it("runs a pass at once when woken, instead of waiting for the interval", async () => {
    const { outbox, passes } = idleOutbox(60_000);
    start(outbox);
    await waitFor(() => Promise.resolve(passes() === 1 || undefined), 1_000, "the first pass");
    outbox.wake();
    await waitFor(() => Promise.resolve(passes() === 2 || undefined), 1_000, "the woken pass");
    await sleep(50);
    expect(passes()).toBe(2); // and then waits its interval again
  });

  it("runs one more pass right after the current one when woken during it", async () => {
    const { outbox, passes } = idleOutbox(60_000);
    start(outbox);
    outbox.wake(); // the first pass is in progress: it is followed by another at once
    await waitFor(() => Promise.resolve(passes() === 2 || undefined), 1_000, "the second pass");
  });

  it("stops at once in the middle of a long interval, and passes no more", async () => {
    const { outbox, passes } = idleOutbox(60_000);
    outbox.start();
    await waitFor(() => Promise.resolve(passes() === 1 || undefined), 1_000, "the first pass");
    const asked = performance.now();
    await outbox.stop();
    expect(performance.now() - asked).toBeLessThan(1_000);
    outbox.wake(); // a stopped outbox ignores wakes
    await sleep(50);
    expect(passes()).toBe(1);
  });

  it("runs one loop however often it is started, and starts again after a stop", async () => {
    const { outbox, passes } = idleOutbox(60_000);
    start(outbox);
    outbox.start();
    await waitFor(() => Promise.resolve(passes() >= 1 || undefined), 1_000, "the first pass");
    await sleep(50);
    expect(passes()).toBe(1);
    await outbox.stop();
    outbox.start();
    await waitFor(() => Promise.resolve(passes() === 2 || undefined), 1_000, "the pass after the restart");
  });

  it("writes a held lease once half of it has passed, not on every pass, and never lets it lapse", async () => {
    const ttl = 1_000;
    const { outbox, asked, passes } = holdingOutbox(20, ttl);
    start(outbox);
    const began = performance.now();
    await waitFor(() => Promise.resolve(passes() >= 40 || undefined), 10_000, "forty passes");
    await waitFor(() => Promise.resolve(performance.now() - began >= 2.5 * ttl || undefined), 10_000, "2.5 leases");
    const elapsed = performance.now() - began;
    // Taken at the first pass, then renewed once per half lease (each renewal at the first pass after it).
    expect(asked.length).toBeGreaterThanOrEqual(Math.floor(elapsed / ttl));
    expect(asked.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / (ttl / 2)));
    expect(passes()).toBeGreaterThan(2 * asked.length);
    const gaps = asked.slice(1).map((at, i) => at - asked[i]!);
    // The lease counts its time from before it asks; this stub notes the time a moment later.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(ttl / 2 - 20);
    for (const gap of gaps) expect(gap).toBeLessThan(ttl);
  });
});
