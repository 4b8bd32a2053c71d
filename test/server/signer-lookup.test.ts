import { describe, expect, it } from "vitest";
import { LOOKUP_FRESH_MS, LOOKUP_TIMEOUT_MS, signerLookup } from "../../server/plugins/chain";

describe("signerLookup", () => {
  it("asks the chain once, then serves the known answer at once", async () => {
    let asked = 0;
    const lookup = signerLookup(() => Promise.resolve((asked++, 7)));
    expect(await lookup()).toBe(7);
    expect(await lookup()).toBe(7);
    expect(asked).toBe(1);
  });

  it("asks again in the background once the answer is older than LOOKUP_FRESH_MS, and sees a removed signer", async () => {
    let clock = 0;
    let answer = 7;
    let asked = 0;
    const lookup = signerLookup(
      () => Promise.resolve((asked++, answer)),
      () => clock,
    );
    expect(await lookup()).toBe(7);
    answer = 0; // the signer was removed on chain
    clock = LOOKUP_FRESH_MS + 1;
    expect(await lookup()).toBe(7); // served at once, refreshed behind it
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(2);
    expect(await lookup()).toBe(0);
  });

  it("answers null when the chain is silent and nothing is known, after at most LOOKUP_TIMEOUT_MS", async () => {
    const lookup = signerLookup(() => new Promise<number>(() => {}));
    const started = Date.now();
    expect(await lookup()).toBeNull();
    expect(Date.now() - started).toBeLessThan(LOOKUP_TIMEOUT_MS + 1000);
  });

  it("after a failed lookup, answers null at once for LOOKUP_FRESH_MS while asking again behind it", async () => {
    let clock = 0;
    let asked = 0;
    const lookup = signerLookup(
      () => (asked++, Promise.reject(new Error("connection refused"))),
      () => clock,
    );
    expect(await lookup()).toBeNull();
    clock = 1;
    expect(await lookup()).toBeNull();
    await new Promise((resolve) => setImmediate(resolve));
    expect(asked).toBe(2);
  });

  it("keeps the known answer through an outage, so a silent chain slows no request", async () => {
    let clock = 0;
    let up = true;
    const lookup = signerLookup(
      () => (up ? Promise.resolve(3) : Promise.reject(new Error("connection refused"))),
      () => clock,
    );
    expect(await lookup()).toBe(3);
    up = false;
    clock = LOOKUP_FRESH_MS * 10;
    const started = Date.now();
    expect(await lookup()).toBe(3);
    expect(Date.now() - started).toBeLessThan(100);
  });

  it("asks the chain at once when asked for a fresh answer", async () => {
    let answer = 4;
    const lookup = signerLookup(() => Promise.resolve(answer));
    expect(await lookup()).toBe(4);
    answer = 0;
    expect(await lookup({ fresh: true })).toBe(0);
  });

  it("shares one lookup between concurrent requests", async () => {
    let asked = 0;
    const lookup = signerLookup(async () => {
      asked++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 5;
    });
    expect(await Promise.all([lookup(), lookup(), lookup()])).toEqual([5, 5, 5]);
    expect(asked).toBe(1);
  });
});
