import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../../deploy/local";
import { sleep } from "../../src/timeout";

// Test files run one after another in a worker process (vitest.config.mts): a local chain must be
// a chain of its own, or one file's blocks and clock would reach the next file.
describe("startLocalChain", () => {
  let a: LocalChain;
  let b: LocalChain;
  /** Seconds since the epoch, before the chains started. */
  let startedAt: number;

  beforeAll(async () => {
    // Hardhat loaded (and resolved its config) a while before the chains start, as in a test worker.
    await import("hardhat");
    await sleep(2_500);
    startedAt = Math.floor(Date.now() / 1000);
    a = await startLocalChain();
    b = await startLocalChain();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it("starts each chain from genesis, its clock at this machine's when it starts (not when Hardhat loaded)", async () => {
    for (const chain of [a, b]) {
      const block = (await chain.provider.getBlock("latest"))!;
      expect(block.number).toBe(0);
      expect(block.timestamp).toBeGreaterThanOrEqual(startedAt);
      expect(block.timestamp).toBeLessThanOrEqual(Date.now() / 1000);
    }
  });

  it("keeps what one chain mines and how far its clock moves off the other", async () => {
    await a.provider.send("evm_increaseTime", [86_400]);
    await a.provider.send("evm_mine", []);
    await a.provider.send("evm_mine", []);
    expect(await a.provider.getBlockNumber()).toBe(2);
    expect(await b.provider.getBlockNumber()).toBe(0);
    const ahead = (await a.provider.getBlock("latest"))!.timestamp;
    await b.provider.send("evm_mine", []);
    const own = (await b.provider.getBlock("latest"))!.timestamp;
    expect(ahead - own).toBeGreaterThanOrEqual(86_400 - 5);
  });

  it("funds the same 20 accounts on each chain", async () => {
    const address = (await a.signer(19)).address;
    expect((await b.signer(19)).address).toBe(address);
    expect(await b.provider.getBalance(address)).toBe(10_000n * 10n ** 18n);
  });
});
