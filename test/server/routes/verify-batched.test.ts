import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { type Bundle, bundleFor, type Credential, newBatchId, prepareBatch } from "../../../src";
import { VERIFY_MANY_SELECTOR, VERIFY_WITH_ISSUER_SELECTOR } from "../../../src/registry-abi";
import { CoalescedCalls } from "../../../server/chain/coalesced-calls";
import { type ServiceFixture, startService } from "../../support/service";

/** What POST /v1/verify answers, in the parts these tests read. */
interface Answer {
  verdict: string;
  code?: string;
  checks: { name: string; ok: boolean | null; message: string }[];
}

/**
 * POST /v1/verify of different bundles at once: their `verifyWithIssuer` calls go to the chain as
 * one `verifyMany` (server/chain/coalesced-calls.ts), and each request gets its own verdict.
 */
describe("POST /v1/verify, concurrent verifications coalesced", () => {
  let fx: ServiceFixture;
  let calls: CoalescedCalls;
  /** valid, revoked, expired, not anchored, of an issuer that does not exist, tampered. */
  let bundles: Record<string, Bundle>;

  const context = (issuerId: number) => ({
    chainId: fx.chain.chainId,
    registry: fx.registry,
    issuerId,
    batchId: newBatchId(),
  });

  beforeAll(async () => {
    fx = await startService(); // VERIFY_CACHE_MS=0: every verification asks the chain
    const provider = fx.app.chain.trusted[0]!.provider;
    if (!(provider instanceof CoalescedCalls)) throw new Error("the service does not coalesce its verifications");
    calls = provider;
    const credentials: Credential[] = [
      sampleCredential(0),
      sampleCredential(1),
      sampleCredential(2, { validUntil: "2021-12-31" }),
    ];
    const batch = prepareBatch(credentials, context(fx.issuerId));
    const anchored = await fx.issuer.anchor(batch.context.batchId, batch.root, batch.count);
    await fx.issuer.revokeCredential(batch.credentials[1]!.digest, "issued in error");
    const unanchored = prepareBatch([sampleCredential(3), sampleCredential(4)], context(fx.issuerId));
    const nobody = prepareBatch([sampleCredential(5)], context(fx.issuerId + 1000));
    const tampered = bundleFor(batch, 0, anchored.blockNumber);
    (tampered.credential.learner as { name: string }).name = "Mallory Impostor";
    bundles = {
      valid: bundleFor(batch, 0, anchored.blockNumber),
      revoked: bundleFor(batch, 1, anchored.blockNumber),
      expired: bundleFor(batch, 2, anchored.blockNumber),
      "not-anchored": bundleFor(unanchored, 0, 1),
      "no issuer": bundleFor(nobody, 0, 1),
      tampered,
    };
  });

  afterAll(async () => {
    await fx.close();
  });

  /** POSTs every bundle at once, `rounds` times each, in interleaved order. */
  async function postAll(rounds: number): Promise<{ name: string; status: number; body: Answer }[]> {
    const names = Array.from({ length: rounds }, () => Object.keys(bundles)).flat();
    const answers = await Promise.all(
      names.map((name) => fx.app.inject({ method: "POST", url: "/v1/verify", payload: bundles[name]! })),
    );
    return answers.map((res, i) => ({ name: names[i]!, status: res.statusCode, body: res.json<Answer>() }));
  }

  const selectors = (spy: { mock: { calls: unknown[][] } }) =>
    spy.mock.calls.map(([tx]) => (tx as { data: string }).data.slice(2, 10));

  it("gives every request its own verdict, from fewer eth_calls than requests", async () => {
    const chain = vi.spyOn(fx.app.chain.provider, "call");
    const before = { ...calls.sent };
    try {
      const answers = await postAll(4);
      const expected: Record<string, string> = {
        valid: "valid",
        revoked: "revoked",
        expired: "expired",
        "not-anchored": "not-anchored",
        "no issuer": "not-anchored",
        tampered: "tampered",
      };
      for (const { name, status, body } of answers) {
        expect({ name, status, verdict: body.verdict }).toEqual({ name, status: 200, verdict: expected[name] });
      }
      const noIssuer = answers.find((a) => a.name === "no issuer")!.body.checks.find((c) => c.name === "anchor");
      expect(noIssuer?.message).toMatch(/which does not exist/);
      // The tampered bundle never reaches the chain; the 20 others do, coalesced.
      const verifications = calls.sent.verifications - before.verifications;
      expect(verifications).toBe(20);
      expect(calls.sent.calls - before.calls).toBeLessThan(verifications);
      expect(selectors(chain)).toContain(VERIFY_MANY_SELECTOR);
      expect(chain.mock.calls.length).toBe(calls.sent.calls - before.calls);
    } finally {
      chain.mockRestore();
    }
  });

  it.each([
    ["fails", () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545"))],
    ["answers something that is not verifyMany's answer", () => Promise.resolve(`0x${"00".repeat(64)}`)],
  ])("answers 503 chain-unavailable to every request of a batch whose call %s", async (_what, failure) => {
    const chain = vi.spyOn(fx.app.chain.provider, "call").mockImplementation(failure);
    try {
      const answers = await postAll(2);
      expect(selectors(chain)).toContain(VERIFY_MANY_SELECTOR);
      for (const { name, status, body } of answers) {
        if (name === "tampered") {
          expect(body.verdict).toBe("tampered"); // decided before the chain is asked
          continue;
        }
        expect({ name, status, code: body.code, verdict: body.verdict }).toEqual({
          name,
          status: 503,
          code: "chain-unavailable",
          verdict: "chain-unavailable",
        });
        expect(body.checks.at(-1)).toMatchObject({ name: "anchor", ok: null });
      }
    } finally {
      chain.mockRestore();
    }
  });

  it("sends a lone verification as verifyWithIssuer, as it was", async () => {
    const chain = vi.spyOn(fx.app.chain.provider, "call");
    try {
      const res = await fx.app.inject({ method: "POST", url: "/v1/verify", payload: bundles.valid! });
      expect(res.json<Answer>().verdict).toBe("valid");
      expect(selectors(chain)).toEqual([VERIFY_WITH_ISSUER_SELECTOR]);
    } finally {
      chain.mockRestore();
    }
  });
});
