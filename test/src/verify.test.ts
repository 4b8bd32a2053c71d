import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  type Bundle,
  bundleFor,
  bundlePath,
  type CallProvider,
  credentialRegistryInterface,
  discloseBundle,
  prepareBatch,
  registryStatusCode,
  verifyBundle,
  type VerifyOptions,
} from "../../src";
import { batchIdToBytes16, toBase64url } from "../../src/encoding";
import { processProof } from "../../src/merkle";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  anchorKey,
  answerCall,
  batchKey,
  DEFAULT_ANCHORED_AT,
  decodeVerifyWithIssuerAnswer,
  fakeChain,
  type FakeRegistryState,
  fakeState,
  revocationKey,
  verifyWithIssuerAnswer,
} from "./fake-registry";
import { TEST_ANCHOR, TEST_CONTEXT } from "./helpers";

const REGISTRY = TEST_CONTEXT.registry;
const batch = prepareBatch(
  [
    sampleCredential(0, { validUntil: "2030-06-30" }),
    sampleCredential(1, { validUntil: "2030-06-30T21:59:59+02:00" }),
    sampleCredential(2),
  ],
  TEST_CONTEXT,
);
const bundle: Bundle = bundleFor(batch, 0, TEST_ANCHOR.block);
const timed: Bundle = bundleFor(batch, 1, TEST_ANCHOR.block);

/** A registry holding the test batch, anchored by issuer 1. */
function anchored(change: (state: FakeRegistryState) => void = () => undefined): FakeRegistryState {
  const state = fakeState(TEST_CONTEXT.chainId, REGISTRY);
  state.anchors.set(anchorKey(1, TEST_CONTEXT.batchId, batch.root), {});
  change(state);
  return state;
}

/** A provider answering with `reply` and recording each call. */
function fake(reply: (tx: { to: string; data: string }) => Promise<string>): CallProvider & {
  calls: { to: string; data: string }[];
} {
  const calls: { to: string; data: string }[] = [];
  return {
    calls,
    call(tx) {
      calls.push(tx);
      return reply(tx);
    },
  };
}

const options = (provider: CallProvider, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  chains: [{ chainId: 31337, registries: [REGISTRY], provider }],
  now: Date.parse("2027-01-01"),
  ...extra,
});

describe("verifyBundle", () => {
  it("asks the registry once, verifyWithIssuer(issuerId, batchId, root, digest, path), at the bundle's registry", async () => {
    const provider = fakeChain(anchored());
    const result = await verifyBundle(bundle, options(provider));
    expect(result.verdict).toBe("valid");
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.to).toBe(REGISTRY);
    const call = credentialRegistryInterface.parseTransaction({ data: provider.calls[0]!.data });
    expect(call?.name).toBe("verifyWithIssuer");
    const [issuerId, batchId, root, digest, path] = call!.args.toArray() as [bigint, string, string, string, string[]];
    expect([issuerId, batchId, root, digest, [...path]]).toEqual([
      1n,
      batchIdToBytes16(TEST_CONTEXT.batchId),
      batch.root,
      batch.credentials[0]!.digest,
      bundlePath(bundle),
    ]);
    expect(result.digest).toBe(batch.credentials[0]!.digest);
    expect(result.leaf).toBe(batch.credentials[0]!.leaf);
    expect(result.anchoredAt).toBe(DEFAULT_ANCHORED_AT);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ["registry", true],
      ["digest", true],
      ["proof", true],
      ["anchor", true],
      ["revocation", true],
      ["accreditation", true],
      ["expiry", true],
    ]);
  });

  // Issue 11: the awarding body is the issuer the registry records, not a name from the file.
  it("names the issuer as the registry records it: the awarding body", async () => {
    const state = anchored((s) => s.issuers.set(1, { name: "Universiteit van Voorbeeld", uri: "https://uvv.test" }));
    const result = await verifyBundle(bundle, options(fakeChain(state)));
    expect(result.issuer).toEqual({
      id: 1,
      name: "Universiteit van Voorbeeld",
      uri: "https://uvv.test",
      active: true,
      accreditedUntil: null,
    });
    expect(result.checks.find((c) => c.name === "anchor")?.message).toMatch(
      /^issuer 1 \(Universiteit van Voorbeeld\) anchored this root as batch /,
    );
  });

  it("verifies a disclosed copy valid, listing its hidden fields", async () => {
    const shared = discloseBundle(bundle, ["learner.email", "assessment.grade"]);
    const result = await verifyBundle(JSON.stringify(shared), options(fakeChain(anchored())));
    expect(result.verdict).toBe("valid");
    expect(result.hidden).toEqual(["/assessment/grade", "/learner/email"]);
    expect(result.credential).not.toHaveProperty("learner.email");
  });

  it.each([
    [
      "batch-revoked",
      "revoked",
      (s: FakeRegistryState) => {
        s.batchRevoked.set(batchKey(1, TEST_CONTEXT.batchId), 1_790_000_000);
      },
    ],
    [
      "credential-revoked",
      "revoked",
      (s: FakeRegistryState) => {
        s.revoked.set(revocationKey(1, batch.credentials[0]!.digest), 1_790_000_000);
      },
    ],
    [
      "issuer-not-accredited",
      "issuer-not-accredited",
      (s: FakeRegistryState) => {
        s.issuers.set(1, { name: "T", accreditedUntil: 1_700_000_000n });
      },
    ],
  ] as const)("maps the registry status %s to the verdict %s", async (_, verdict, change) => {
    const result = await verifyBundle(bundle, options(fakeChain(anchored(change))));
    expect(result.verdict).toBe(verdict);
  });

  it("says which was revoked and when", async () => {
    const state = anchored((s) => s.revoked.set(revocationKey(1, batch.credentials[0]!.digest), 1_790_000_000));
    const result = await verifyBundle(bundle, options(fakeChain(state)));
    expect(result.checks.find((c) => c.name === "revocation")).toEqual({
      name: "revocation",
      ok: false,
      message: `the credential was revoked at ${new Date(1_790_000_000_000).toISOString()}`,
    });
  });

  it("reports not-anchored when the named issuer has no such batch, naming issuer and batch", async () => {
    const result = await verifyBundle(bundle, options(fakeChain(fakeState(31337, REGISTRY))));
    expect(result.verdict).toBe("not-anchored");
    expect(result.checks.at(-1)).toEqual({
      name: "anchor",
      ok: false,
      message: `issuer 1 (Test University) has not anchored this root as batch ${TEST_CONTEXT.batchId} on this registry`,
    });
    expect(result.issuer?.name).toBe("Test University");
    expect(result.anchoredAt).toBeNull();
  });

  it("reports not-anchored for an issuer id no issuer has", async () => {
    const context = { ...TEST_CONTEXT, issuerId: 9 };
    const nine = prepareBatch([sampleCredential(3)], context);
    const result = await verifyBundle(bundleFor(nine, 0, 1), options(fakeChain(anchored())));
    expect(result.verdict).toBe("not-anchored");
    expect(result.checks.at(-1)?.message).toBe(
      `issuer 9, which does not exist, has not anchored this root as batch ${TEST_CONTEXT.batchId} on this registry`,
    );
    expect(result.issuer).toBeNull();
  });

  it("reports tampered, asking nothing, for a copy naming another issuer that anchored the same batch id and root", async () => {
    const reanchored = "00000000-0000-4000-8000-00000000000a";
    const state = anchored((s) => {
      s.issuers.set(2, { name: "Diploma Mill" });
      s.anchors.set(anchorKey(2, TEST_CONTEXT.batchId, batch.root), {});
      s.anchors.set(anchorKey(2, reanchored, batch.credentials[0]!.leaf), {});
    });
    const provider = fakeChain(state);
    const leafAsRoot = toBase64url(Buffer.from(batch.credentials[0]!.leaf.slice(2), "hex"));
    for (const copy of [
      { ...bundle, anchor: { ...bundle.anchor, issuerId: 2 } },
      { ...bundle, anchor: { ...bundle.anchor, issuerId: 2, batchId: reanchored }, root: leafAsRoot, proof: "" },
    ]) {
      const result = await verifyBundle(copy, options(provider));
      expect(result.verdict).toBe("tampered");
      expect(result.checks.at(-1)).toMatchObject({ name: "proof", ok: false, message: /not to the bundle's root/ });
    }
    expect(provider.calls).toHaveLength(0);
  });

  it("reports not-anchored for the genuine leaf and path under a root the named issuer never anchored", async () => {
    // The mill anchored a tree holding the genuine leaf; the holder names the mill's root but keeps the issuer.
    const state = anchored();
    const root = processProof(batch.credentials[0]!.leaf, [batch.credentials[1]!.leaf]);
    state.anchors.set(anchorKey(2, TEST_CONTEXT.batchId, root), {});
    const copy = {
      ...bundle,
      root: toBase64url(Buffer.from(root.slice(2), "hex")),
      proof: toBase64url(Buffer.from(batch.credentials[1]!.leaf.slice(2), "hex")),
    };
    const result = await verifyBundle(copy, options(fakeChain(state)));
    expect(result.verdict).toBe("not-anchored");
  });

  // A date-only validUntil means: through 23:59:59.999 UTC of that day.
  it("reports expired once now passes a date-only validUntil's last millisecond, and only then", async () => {
    const provider = fakeChain(anchored());
    const at = (iso: string) => verifyBundle(bundle, options(provider, { now: Date.parse(iso) }));
    expect((await at("2030-06-30T23:59:59.999Z")).verdict).toBe("valid");
    const after = await at("2030-07-01T00:00:00.000Z");
    expect(after.verdict).toBe("expired");
    expect(after.checks.at(-1)).toEqual({ name: "expiry", ok: false, message: "expired: valid until 2030-06-30" });
  });

  it("expires a credential whose validUntil was given with an offset at the UTC instant it was normalised to", async () => {
    expect(timed.credential.validUntil).toBe("2030-06-30T19:59:59.000Z");
    const provider = fakeChain(anchored());
    const at = (iso: string) => verifyBundle(timed, options(provider, { now: Date.parse(iso) }));
    expect((await at("2030-06-30T19:59:59.000Z")).verdict).toBe("valid");
    expect((await at("2030-06-30T19:59:59.001Z")).verdict).toBe("expired");
  });

  it("reports a credential without validUntil as not expiring", async () => {
    const result = await verifyBundle(
      bundleFor(batch, 2, 7),
      options(fakeChain(anchored()), { now: Date.parse("2999-01-01") }),
    );
    expect(result.verdict).toBe("valid");
    expect(result.checks.at(-1)).toEqual({ name: "expiry", ok: true, message: "the credential does not expire" });
  });

  // Issue 11: a validUntil no verifier can read made a genuine credential "expired" forever.
  it("refuses a bundle carrying a non-canonical validUntil with INVALID_BUNDLE, never a permanent expired", async () => {
    const provider = fakeChain(anchored());
    for (const validUntil of ["2030-06-30T23:59:60z", "2030-06-30T23:59:59+01", "2030-06-30T23:59:59Z"]) {
      const odd = structuredClone(bundle);
      odd.credential.validUntil = validUntil;
      await expect(verifyBundle(odd, options(provider))).rejects.toMatchObject({
        code: "INVALID_BUNDLE",
        details: [{ path: "/credential/validUntil" }],
      });
    }
    expect(provider.calls).toHaveLength(0);
  });

  it("reports revoked before expired when both hold", async () => {
    const state = anchored((s) => s.batchRevoked.set(batchKey(1, TEST_CONTEXT.batchId), 1_790_000_000));
    const result = await verifyBundle(bundle, options(fakeChain(state), { now: Date.parse("2031-01-01") }));
    expect(result.verdict).toBe("revoked");
  });

  it("reports chain-unavailable, not invalid, when the provider throws", async () => {
    const provider = fake(() => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545")));
    const result = await verifyBundle(bundle, options(provider));
    expect(result.verdict).toBe("chain-unavailable");
    expect(result.checks.at(-1)).toMatchObject({ name: "anchor", ok: null, message: /ECONNREFUSED/ });
  });

  it("reports chain-unavailable when the chain does not answer in time", async () => {
    const provider = fake(() => new Promise<string>(() => undefined));
    const result = await verifyBundle(bundle, options(provider, { timeoutMs: 30 }));
    expect(result.verdict).toBe("chain-unavailable");
    expect(result.checks.at(-1)?.message).toMatch(/within 30 ms/);
  });

  it("reports chain-unavailable when no contract answers at the registry address", async () => {
    for (const reply of ["0x", "0x1234"]) {
      const result = await verifyBundle(bundle, options(fake(() => Promise.resolve(reply))));
      expect(result.verdict).toBe("chain-unavailable");
    }
  });

  it("reports chain-unavailable when the registry answers about another leaf", async () => {
    const other = anchored();
    other.chainId = 1; // the node derives leaves for another chain: its answer is not about this bundle
    const provider = fake((tx) => Promise.resolve(answerCall(other, tx.data)));
    const result = await verifyBundle(bundle, options(provider));
    expect(result.verdict).toBe("chain-unavailable");
    expect(result.checks.at(-1)?.message).toContain("the registry answered about leaf");
  });

  it("does not call the chain for a tampered bundle: its path misses the bundle's root", async () => {
    const provider = fakeChain(anchored());
    const tampered = structuredClone(bundle);
    tampered.credential.title = "Something else";
    const result = await verifyBundle(tampered, options(provider));
    expect(result.verdict).toBe("tampered");
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual([
      ["registry", true],
      ["digest", true],
      ["proof", false],
    ]);
    expect(provider.calls).toHaveLength(0);
  });

  it("reports tampered when the registry does not accept a path the verifier accepted", async () => {
    const other = anchored();
    const provider = fake((tx) => {
      // A registry that derives the same leaf but claims the path fails.
      const [result, issuer] = decodeVerifyWithIssuerAnswer(answerCall(other, tx.data));
      const badProof = {
        status: registryStatusCode("bad-proof"),
        leaf: result.leaf,
        anchoredAt: 0,
        batchRevokedAt: 0,
        credentialRevokedAt: 0,
        accreditedUntil: 0,
      };
      return Promise.resolve(verifyWithIssuerAnswer(badProof, issuer));
    });
    const result = await verifyBundle(bundle, options(provider));
    expect(result.verdict).toBe("tampered");
    expect(result.checks.at(-1)).toEqual({
      name: "anchor",
      ok: false,
      message: "the registry does not accept the Merkle path",
    });
  });

  it("reports wrong-chain, asking nothing, for a registry or chain it does not trust, listing those it trusts", async () => {
    const provider = fakeChain(anchored());
    const foreign: Bundle = { ...bundle, anchor: { ...bundle.anchor, registry: `0x${"de".repeat(20)}` } };
    const otherChain: Bundle = { ...bundle, anchor: { ...bundle.anchor, chainId: 1 } };
    for (const b of [foreign, otherChain]) {
      const result = await verifyBundle(b, options(provider));
      expect(result.verdict).toBe("wrong-chain");
      expect(result.checks[0]!.message).toContain(`(trusted: ${REGISTRY} on chain 31337)`);
    }
    expect(provider.calls).toHaveLength(0);
  });

  it("trusts registries configured in any letter case", async () => {
    const provider = fakeChain(anchored());
    const result = await verifyBundle(bundle, {
      chains: [{ chainId: 31337, registries: ["0x5FbDB2315678afecb367f032d93F642f64180aa3"], provider }],
      now: Date.parse("2027-01-01"),
    });
    expect(result.verdict).toBe("valid");
  });

  it("throws INVALID_BUNDLE for input that is not a bundle, asking nothing", async () => {
    const provider = fakeChain(anchored());
    await expect(verifyBundle("{not json", options(provider))).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    await expect(verifyBundle({ type: "credroot/bundle" }, options(provider))).rejects.toMatchObject({
      code: "INVALID_BUNDLE",
    });
    const lone = JSON.stringify(bundle).replace(/"title":"[^"]*"/, '"title":"\\ud800"');
    await expect(verifyBundle(lone, options(provider))).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    const duplicate = JSON.stringify(bundle).replace('"anchor":{', '"anchor":{"issuerId":2,');
    await expect(verifyBundle(duplicate, options(provider))).rejects.toMatchObject({
      code: "INVALID_BUNDLE",
      message: 'the bundle repeats the key "issuerId"',
    });
    const badSecret = { ...bundle, secret: toBase64url(new Uint8Array(15)) };
    await expect(verifyBundle(badSecret, options(provider))).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    expect(provider.calls).toHaveLength(0);
  });

  // Issue 11 / item 10: a v1 bundle is never plain "valid" again.
  it("refuses the version-1 fixture with the one-line re-issue message, asking nothing", async () => {
    const provider = fake(() => Promise.reject(new Error("must not be asked")));
    const v1 = readFileSync(join(__dirname, "..", "fixtures", "bundle-v1.json"), "utf8");
    for (const input of [v1, JSON.parse(v1) as unknown]) {
      await expect(verifyBundle(input, options(provider))).rejects.toMatchObject({
        code: "INVALID_BUNDLE",
        message: expect.stringMatching(
          /^this is a version 1 credroot bundle, .*: ask the issuer to re-issue it$/,
        ) as unknown,
      });
    }
    expect(provider.calls).toHaveLength(0);
  });
});
