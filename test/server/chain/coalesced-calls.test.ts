import { describe, expect, it } from "vitest";
import { CoalescedCalls } from "../../../server/chain/coalesced-calls";
import type { CallProvider } from "../../../src";
import {
  encodeVerifyWithIssuer,
  splitVerifyManyAnswer,
  VERIFY_MANY_SELECTOR,
  VERIFY_WITH_ISSUER_SELECTOR,
} from "../../../src/registry-abi";
import { registryInterface } from "../../../src/registry-interface";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const OTHER = "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512";

/** Calldata of a request whose digest (and so whose answer's leaf) is `n`. */
const request = (n: number) =>
  encodeVerifyWithIssuer(
    1,
    `0x${"00".repeat(16)}`,
    `0x${"11".repeat(32)}`,
    `0x${n.toString(16).padStart(64, "0")}`,
    [],
  );

/** A registry that answers each request with its digest as the leaf, and records what it was asked. */
function fakeRegistry(): CallProvider & { asked: { to: string; data: string }[] } {
  const asked: { to: string; data: string }[] = [];
  const answerTo = (digest: string) => [
    [0, digest, 5n, 0n, 0n, 7n],
    [7n, true, "Test University", "https://example.org"],
  ];
  return {
    asked,
    call(tx) {
      asked.push(tx);
      if (tx.data.startsWith(`0x${VERIFY_WITH_ISSUER_SELECTOR}`)) {
        const [, , , digest] = registryInterface.decodeFunctionData("verifyWithIssuer", tx.data);
        return Promise.resolve(registryInterface.encodeFunctionResult("verifyWithIssuer", answerTo(String(digest))));
      }
      if (tx.data.startsWith(`0x${VERIFY_MANY_SELECTOR}`)) {
        const [requests] = registryInterface.decodeFunctionData("verifyMany", tx.data) as unknown as [
          [unknown, unknown, unknown, string][],
        ];
        const answers = requests.map((r) => answerTo(r[3]));
        return Promise.resolve(
          registryInterface.encodeFunctionResult("verifyMany", [answers.map((a) => a[0]), answers.map((a) => a[1])]),
        );
      }
      return Promise.resolve("0xabcdef");
    },
  };
}

/** The leaf (word 1) of a verifyWithIssuer answer. */
const leafOf = (answer: string) => BigInt(`0x${answer.slice(2 + 64, 2 + 128)}`);

describe("CoalescedCalls", () => {
  it("sends the verifications of one turn as one verifyMany, and gives each its own answer", async () => {
    const chain = fakeRegistry();
    const calls = new CoalescedCalls(chain);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => calls.call({ to: REGISTRY, data: request(n) })));
    expect(answers.map(leafOf)).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(chain.asked.map((tx) => tx.data.slice(2, 10))).toEqual([VERIFY_MANY_SELECTOR]);
    expect(calls.sent).toEqual({ calls: 1, verifications: 5 });
  });

  it("keeps registries apart, and sends at most maxBatch at a time", async () => {
    const chain = fakeRegistry();
    const calls = new CoalescedCalls(chain, 2);
    const asked = [1, 2, 3].map((n) => calls.call({ to: REGISTRY, data: request(n) }));
    asked.push(calls.call({ to: OTHER, data: request(9) }));
    expect((await Promise.all(asked)).map(leafOf)).toEqual([1n, 2n, 3n, 9n]);
    expect(chain.asked.map((tx) => [tx.to, tx.data.slice(2, 10)])).toEqual([
      [REGISTRY, VERIFY_MANY_SELECTOR],
      [REGISTRY, VERIFY_WITH_ISSUER_SELECTOR],
      [OTHER, VERIFY_WITH_ISSUER_SELECTOR],
    ]);
  });

  it("passes every other call through as it is", async () => {
    const chain = fakeRegistry();
    const calls = new CoalescedCalls(chain);
    const data = registryInterface.encodeFunctionData("issuerCount", []);
    expect(await calls.call({ to: REGISTRY, data })).toBe("0xabcdef");
    expect(chain.asked).toEqual([{ to: REGISTRY, data }]);
    expect(calls.sent).toEqual({ calls: 0, verifications: 0 });
  });

  it("fails every verification of a batch whose call fails, even synchronously", async () => {
    const throwing: CallProvider = {
      call() {
        throw new Error("socket hang up");
      },
    };
    const calls = new CoalescedCalls(throwing);
    const settled = await Promise.allSettled([1, 2, 3].map((n) => calls.call({ to: REGISTRY, data: request(n) })));
    expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
  });

  it("hands the empty answer of an address with no contract to each caller, to read as a lone call would", async () => {
    const calls = new CoalescedCalls({ call: () => Promise.resolve("0x") });
    expect(await Promise.all([1, 2].map((n) => calls.call({ to: REGISTRY, data: request(n) })))).toEqual(["0x", "0x"]);
    expect(() => splitVerifyManyAnswer("0x", 2)).toThrow(/unreadable/);
  });
});
