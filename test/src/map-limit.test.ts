import { describe, expect, it } from "vitest";
import { mapLimit } from "../../src/map-limit";
import { sleep } from "../../src/timeout";

describe("mapLimit", () => {
  it("keeps the input order and never runs more than `concurrency` calls at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, i) => {
      most = Math.max(most, ++running);
      await sleep(ms);
      running--;
      return `${i}:${ms}`;
    });
    expect(out).toEqual(["0:30", "1:5", "2:20", "3:1", "4:10"]);
    expect(most).toBe(2);
  });

  it("rejects with the first error, and gives [] for no items", async () => {
    await expect(mapLimit([1, 2], 4, () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await mapLimit([], 3, () => Promise.resolve(1))).toEqual([]);
  });
});
