/**
 * Outbox tests — the loop of passes: every `intervalMs`, at once when woken, and nothing left
 * waiting once stopped. No chain: the stub store says another instance holds the signer's lease,
 * so each pass is one `acquireLease` call and does nothing else.
 */
import { JsonRpcProvider, Wallet } from "ethers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sleep } from "../../../src/timeout";
import { Outbox } from "../../../server/outbox/outbox";
import type { Store } from "../../../server/store/types";
import { recordingLog } from "../../support/anchoring";
import { waitFor } from "../../support/service";

const provider = new JsonRpcProvider("http://127.0.0.1:9", 31337, { staticNetwork: true });

/** An outbox whose every pass finds the lease taken; `passes()` counts its passes. */
function idleOutbox(intervalMs: number) {
  const acquireLease = vi.fn<Store["acquireLease"]>(() => Promise.resolve(null));
  const releaseLease = vi.fn<Store["releaseLease"]>(() => Promise.resolve(false));
  const store = { acquireLease, releaseLease } as Partial<Store> as Store;
  const outbox = new Outbox({
    store,
    provider,
    wallet: new Wallet(Wallet.createRandom().privateKey),
    registry: Wallet.createRandom().address,
    finality: 2,
    intervalMs,
    log: recordingLog(),
    instanceId: "loop-test",
  });
  return { outbox, passes: () => acquireLease.mock.calls.length };
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
});
