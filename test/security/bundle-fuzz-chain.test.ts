import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type CallProvider, discloseBundle, verifyBundle } from "../../src";
import { answerCall } from "../src/fake-registry";
import {
  CHAIN_ID,
  genuine,
  HIDEABLE,
  NOW,
  REGISTRY,
  registryState,
  report,
  useHostileChecks,
} from "./bundle-fuzz-fixture";

/* The bundle fuzz tests against a misbehaving chain: the verdict is chain-unavailable, never valid. */

describe("parseBundle and verifyBundle under hostile input (fake v2 registries)", () => {
  useHostileChecks();

  describe("with a misbehaving chain", () => {
    // A hostile or broken provider rejects with anything at all, not only Errors.
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
    const rejectWith = (reason: unknown): Promise<string> => Promise.reject(reason);
    /**
     * How late a late answer comes, against a 5 ms timeout. Far later, not just later: when the
     * event loop stalls (a loaded machine), Node may run a due 15 ms timer before a due 5 ms one.
     */
    const LATE_MS = 150;
    const validAnswer = (data: string) => answerCall(registryState(CHAIN_ID, REGISTRY, true), data);
    const misbehaviours = fc.oneof(
      fc.anything().map((reason) => ({ name: "rejects", call: () => rejectWith(reason) })),
      fc.anything().map((reason) => ({
        name: "throws synchronously",
        call: (): Promise<string> => {
          throw reason;
        },
      })),
      fc
        .oneof(
          fc.string(),
          fc.constant("0x"),
          fc.uint8Array({ maxLength: 200 }).map((b) => `0x${Buffer.from(b).toString("hex")}`),
        )
        .map((data) => ({ name: `answers ${data.slice(0, 20)}`, call: () => Promise.resolve(data) })),
      fc.integer({ min: 6, max: 255 }).map((status) => ({
        name: `answers an unknown status ${status}`,
        call: (data: string) =>
          Promise.resolve(validAnswer(data).replace(/^0x0{64}/, `0x${status.toString(16).padStart(64, "0")}`)),
      })),
      fc.constant({
        name: "answers valid about another leaf",
        call: (data: string) => Promise.resolve(answerCall(registryState(1, REGISTRY, true), data)),
      }),
      fc.constant({ name: "never answers", call: () => new Promise<string>(() => undefined) }),
      fc.anything().map((reason) => ({
        name: "rejects after the timeout",
        call: () => new Promise<string>((resolve) => setTimeout(() => resolve(rejectWith(reason)), LATE_MS)),
      })),
      fc.constant({
        name: "answers valid after the timeout",
        call: (data: string) => new Promise<string>((resolve) => setTimeout(() => resolve(validAnswer(data)), LATE_MS)),
      }),
    );

    it("answers chain-unavailable for the genuine bundle, never valid, never invalid, never an unhandled rejection", async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(misbehaviours, fc.subarray(HIDEABLE, { maxLength: 3 }), async (chain, hide) => {
          runs += 1;
          const provider: CallProvider = { call: ({ data }) => chain.call(data) };
          const bundle = discloseBundle(genuine, hide);
          const result = await verifyBundle(bundle, {
            chains: [{ chainId: CHAIN_ID, registries: [REGISTRY], provider }],
            now: NOW,
            timeoutMs: 5,
          });
          expect(result.verdict, chain.name).toBe("chain-unavailable");
          expect(result.checks.at(-1)).toMatchObject({ name: "anchor", ok: null });
        }),
        { numRuns: 600 },
      );
      report("misbehaving chains", runs);
    });
  });
});
