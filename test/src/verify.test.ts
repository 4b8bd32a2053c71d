import { describe, expect, it } from "vitest";
import {
  type Bundle,
  bundleFor,
  type CallProvider,
  prepareBatch,
  REGISTRY_STATUS,
  registryInterface,
  type RegistryStatus,
  verifyBundle,
  type VerifyOptions,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";

const REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const NOT_WITHDRAWN = 2n ** 64n - 1n;
const batch = prepareBatch([
  sampleCredential(0, { validUntil: "2030-06-30" }),
  sampleCredential(1),
  sampleCredential(2),
]);
const anchor = {
  chainId: 31337,
  registry: REGISTRY,
  txHash: `0x${"ab".repeat(32)}` as const,
  blockNumber: 7,
  issuerId: 1,
};
const bundle: Bundle = bundleFor(batch, 0, anchor);

/** Encodes what the registry's verifyWithIssuer would answer. */
function answer(status: RegistryStatus, fields: { accreditedUntil?: bigint; batchRevokedAt?: number } = {}): string {
  const anchored = status !== "not-anchored";
  const until = fields.accreditedUntil ?? NOT_WITHDRAWN;
  return registryInterface.encodeFunctionResult("verifyWithIssuer", [
    [
      REGISTRY_STATUS.indexOf(status),
      anchored ? 1 : 0,
      anchored ? 1_780_000_000 : 0,
      fields.batchRevokedAt ?? (status === "batch-revoked" ? 1_790_000_000 : 0),
      status === "credential-revoked" ? 1_790_000_000 : 0,
      until,
    ],
    [anchored ? until : 0n, anchored, anchored ? "Test University" : "", anchored ? "https://uni.test" : ""],
  ]);
}

/** A provider answering `data` (or throwing / hanging) and recording each call. */
function fake(reply: () => Promise<string>): CallProvider & { calls: { to: string; data: string }[] } {
  const calls: { to: string; data: string }[] = [];
  return {
    calls,
    call(tx) {
      calls.push(tx);
      return reply();
    },
  };
}

const options = (provider: CallProvider, extra: Partial<VerifyOptions> = {}): VerifyOptions => ({
  chains: [{ chainId: 31337, registries: [REGISTRY.toLowerCase()], provider }],
  now: Date.parse("2027-01-01"),
  ...extra,
});

describe("verifyBundle", () => {
  it("asks the registry once, with verifyWithIssuer(root, leaf, path), at the bundle's registry", async () => {
    const provider = fake(() => Promise.resolve(answer("valid")));
    const result = await verifyBundle(bundle, options(provider));
    expect(result.verdict).toBe("valid");
    expect(provider.calls).toHaveLength(1);
    expect(provider.calls[0]!.to).toBe(REGISTRY);
    const call = registryInterface.parseTransaction({ data: provider.calls[0]!.data });
    expect(call?.name).toBe("verifyWithIssuer");
    expect(call?.args.toArray()).toEqual([bundle.proof.root, bundle.proof.leaf, bundle.proof.path]);
    expect(result.issuer).toEqual({
      id: 1,
      name: "Test University",
      uri: "https://uni.test",
      active: true,
      accreditedUntil: null,
    });
    expect(result.anchoredAt).toBe(1_780_000_000);
  });

  it.each([
    ["not-anchored", "not-anchored"],
    ["bad-proof", "tampered"],
    ["batch-revoked", "revoked"],
    ["credential-revoked", "revoked"],
    ["issuer-not-accredited", "issuer-not-accredited"],
  ] as const)("maps the registry status %s to the verdict %s", async (status, verdict) => {
    const extra = status === "issuer-not-accredited" ? { accreditedUntil: 1_700_000_000n } : {};
    const result = await verifyBundle(bundle, options(fake(() => Promise.resolve(answer(status, extra)))));
    expect(result.verdict).toBe(verdict);
  });

  it("reports not-anchored when another issuer anchored the root than the bundle names", async () => {
    const claimsTwo = { ...bundle, anchor: { ...anchor, issuerId: 2 } };
    const result = await verifyBundle(claimsTwo, options(fake(() => Promise.resolve(answer("valid")))));
    expect(result.verdict).toBe("not-anchored");
    expect(result.checks.at(-1)).toMatchObject({
      name: "anchor",
      ok: false,
      message: /anchored by issuer 1, not by issuer 2/,
    });
  });

  it("reports expired once now passes validUntil, and only then", async () => {
    const provider = fake(() => Promise.resolve(answer("valid")));
    const before = await verifyBundle(bundle, options(provider, { now: Date.parse("2030-06-30T23:59:59Z") }));
    const after = await verifyBundle(bundle, options(provider, { now: Date.parse("2030-07-01T00:00:00Z") }));
    expect([before.verdict, after.verdict]).toEqual(["valid", "expired"]);
    expect(after.checks.find((c) => c.name === "expiry")).toMatchObject({ ok: false, message: /2030-06-30/ });
  });

  it("reports revoked before expired when both hold", async () => {
    const provider = fake(() => Promise.resolve(answer("batch-revoked")));
    const result = await verifyBundle(bundle, options(provider, { now: Date.parse("2031-01-01") }));
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

  it("does not call the chain for a tampered bundle", async () => {
    const provider = fake(() => Promise.resolve(answer("valid")));
    const tampered = structuredClone(bundle);
    const title = tampered.credential.fields["/title"] as { salt: string; value: string };
    title.value = "Something else";
    const result = await verifyBundle(tampered, options(provider));
    expect(result.verdict).toBe("tampered");
    expect(provider.calls).toHaveLength(0);
    expect(result.checks.find((c) => c.name === "digest")?.ok).toBe(false);
  });

  it("reports tampered, without throwing, for a value that cannot be canonicalised", async () => {
    const provider = fake(() => Promise.resolve(answer("valid")));
    const broken = structuredClone(bundle);
    const name = broken.credential.fields["/learner/name"] as { salt: string; value: string };
    name.value = "\ud800";
    const result = await verifyBundle(broken, options(provider));
    expect(result.verdict).toBe("tampered");
  });

  it("compares registry addresses without regard to case", async () => {
    const upper = { ...bundle, anchor: { ...anchor, registry: REGISTRY.toUpperCase().replace("0X", "0x") } };
    const result = await verifyBundle(upper, options(fake(() => Promise.resolve(answer("valid")))));
    expect(result.verdict).toBe("valid");
  });

  it("throws INVALID_BUNDLE for input that is not a bundle", async () => {
    const provider = fake(() => Promise.resolve(answer("valid")));
    await expect(verifyBundle("{not json", options(provider))).rejects.toMatchObject({ code: "INVALID_BUNDLE" });
    await expect(verifyBundle({ type: "credroot/bundle" }, options(provider))).rejects.toMatchObject({
      code: "INVALID_BUNDLE",
    });
  });
});
