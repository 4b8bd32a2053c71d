import { describe, expect, it, vi } from "vitest";
import { sleep, TimeoutError, withTimeout } from "../../src/timeout";

describe("withTimeout", () => {
  it("gives the work's result when it settles first, and leaves no timer pending", async () => {
    vi.useFakeTimers();
    try {
      const result = withTimeout(Promise.resolve(42), 1_000);
      await expect(result).resolves.toBe(42);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("passes the work's own rejection through", async () => {
    await expect(withTimeout(Promise.reject(new Error("refused")), 1_000)).rejects.toThrow("refused");
  });

  it("rejects with TimeoutError naming the deadline when the work is slower", async () => {
    const never = new Promise<never>(() => undefined);
    const error = await withTimeout(never, 20).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe("no answer within 20 ms");
  });

  it("rejects with the caller's own error when one is given", async () => {
    const never = new Promise<never>(() => undefined);
    await expect(withTimeout(never, 10, () => new RangeError("chain silent"))).rejects.toThrow(RangeError);
  });
});

describe("sleep", () => {
  it("waits at least the time asked", async () => {
    const start = performance.now();
    await sleep(30);
    expect(performance.now() - start).toBeGreaterThanOrEqual(25);
  });
});
