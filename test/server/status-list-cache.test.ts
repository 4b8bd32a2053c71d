import { toBeHex, zeroPadValue } from "ethers";
import { describe, expect, it, vi } from "vitest";
import { RevocationScanner } from "../../server/status-lists/revocations";
import { StatusLists } from "../../server/status-lists/status-lists";
import type { Store } from "../../server/store/types";
import { registryInterface } from "../../src";
import { IssuerKey } from "../../src/standard";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** A `CredentialRevoked(issuerId, digest, …)` log of the registry. */
function revokedLog(issuerId: number, digest: string) {
  const fragment = registryInterface.getEvent("CredentialRevoked")!;
  const { data, topics } = registryInterface.encodeEventLog(fragment, [issuerId, digest, REGISTRY, "why"]);
  return { address: REGISTRY, data, topics, blockNumber: 1 };
}

describe("StatusLists", () => {
  it("rebuilds an issuer's bits only when its revocations, accreditation or credentials change", async () => {
    const logs: ReturnType<typeof revokedLog>[] = [];
    let block = 1;
    const provider = {
      getBlockNumber: () => Promise.resolve(block),
      getLogs: vi.fn(({ fromBlock, toBlock }: { fromBlock: number; toBlock: number }) =>
        Promise.resolve(logs.filter((l) => l.blockNumber >= fromBlock && l.blockNumber <= toBlock)),
      ),
    };
    const statusIndexes = vi.fn(() => Promise.resolve(logs.map((_, i) => i)));
    const store = {
      getIssuer: () => Promise.resolve({ id: 1, name: "U", createdAt: "" }),
      statusListSize: () => Promise.resolve(10),
      statusIndexes,
    } as unknown as Store;
    const key = await IssuerKey.fromSeed("01".repeat(32));
    let now = 0;
    const lists = new StatusLists({
      store,
      scanner: new RevocationScanner(provider as never, REGISTRY, 0),
      registry: { getIssuer: () => Promise.resolve({ accreditedUntil: null }), getBatch: vi.fn() },
      keyFor: () => Promise.resolve(key),
      pollMs: 1000,
      now: () => now,
    });
    const first = await lists.publish(1, "https://x/1");
    now += 5000; // several polls, no new revocation
    const second = await lists.publish(1, "https://x/1");
    expect(second).toBe(first);
    expect(statusIndexes).toHaveBeenCalledTimes(1);

    block = 2;
    logs.push({ ...revokedLog(1, zeroPadValue(toBeHex(7), 32)), blockNumber: 2 });
    now += 500; // within the poll: not read yet
    expect(await lists.publish(1, "https://x/1")).toBe(first);
    now += 600; // one poll later: read, rebuilt, signed again
    const third = await lists.publish(1, "https://x/1");
    expect(statusIndexes).toHaveBeenCalledTimes(2);
    expect(third).not.toBe(first);
    expect(third).toMatchObject({ revoked: [0] });
    expect(typeof third === "object" && third !== null && third.etag).not.toBe(
      typeof first === "object" && first !== null && first.etag,
    );
    // Another issuer's revocation does not rebuild this one's list.
    block = 3;
    logs.push({ ...revokedLog(2, zeroPadValue(toBeHex(8), 32)), blockNumber: 3 });
    now += 2000;
    await lists.publish(1, "https://x/1");
    expect(statusIndexes).toHaveBeenCalledTimes(2);
  });
});
