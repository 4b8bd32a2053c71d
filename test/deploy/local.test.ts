import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalChain, startLocalChain } from "../../deploy/local";

// Test files run one after another in a worker process (vitest.config.mts): a local chain must be
// a chain of its own, or one file's blocks and clock would reach the next file.
describe("startLocalChain", () => {
  let a: LocalChain;
  let b: LocalChain;

  beforeAll(async () => {
    a = await startLocalChain();
    b = await startLocalChain();
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  it("starts each chain from genesis, with its clock at this machine's", async () => {
    for (const chain of [a, b]) {
      const block = (await chain.provider.getBlock("latest"))!;
      expect(block.number).toBe(0);
      expect(Math.abs(block.timestamp - Date.now() / 1000)).toBeLessThan(120);
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
