import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, bundleFor, type Hex32, type JsonValue, prepareBatch } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { closedPort } from "../support/net";
import { type RegistryFixture, startRegistry } from "../support/registry";
import { cli, tempFolder, writeFile } from "./harness";

describe("credroot verify", () => {
  let fx: RegistryFixture;
  let bundles: Bundle[];
  let folder: string;
  let valid: string;
  let tampered: string;
  let revoked: string;
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
    const batch = prepareBatch([0, 1, 2].map((i) => sampleCredential(i)));
    const { txHash, blockNumber } = await fx.issuer.anchor(batch.root, batch.count);
    const anchor = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, txHash, blockNumber };
    bundles = batch.credentials.map((_, i) => bundleFor(batch, i, anchor));
    folder = tempFolder();
    valid = writeFile(folder, "valid.json", bundles[0]);
    const forged = structuredClone(bundles[1]!);
    const name = forged.credential.fields["/learner/name"] as { salt: Hex32; value: JsonValue };
    forged.credential.fields["/learner/name"] = { ...name, value: "Eve Forger" };
    tampered = writeFile(folder, "tampered.json", forged);
    revoked = writeFile(folder, "revoked.json", bundles[2]);
    await fx.issuer.revokeCredential(batch.root, bundles[2]!.proof.leaf, "issued in error");
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  describe("presentations", () => {
    let stacked: Bundle;

    beforeAll(async () => {
      // A capstone that builds on the valid course (0) and the revoked one (2), anchored in its own batch.
      const buildsOn = [bundles[0]!.proof.leaf, bundles[2]!.proof.leaf, `0x${"77".repeat(32)}`];
      const batch = prepareBatch([sampleCredential(3, { stackability: { buildsOn, countsTowards: "MSc Data" } })]);
      const { txHash, blockNumber } = await fx.issuer.anchor(batch.root, batch.count);
      const anchor = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, txHash, blockNumber };
      stacked = bundleFor(batch, 0, anchor);
    });

    const presentationOf = (...parts: Bundle[]) =>
      writeFile(tempFolder(), "presentation.json", { type: "credroot/presentation", version: 1, bundles: parts });

    it("reports every credential of a presentation, and the stack each builds on", async () => {
      const file = presentationOf(stacked, bundles[0]!, bundles[2]!);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(1);
      const blocks = stdout.split("\n\n");
      expect(blocks[0]).toContain(`${file}#1: VALID`);
      expect(blocks[0]).toContain(`builds on  ${bundles[0]!.proof.leaf} — shown and valid`);
      expect(blocks[0]).toContain(`builds on  ${bundles[2]!.proof.leaf} — shown, NOT VALID`);
      expect(blocks[0]).toContain(`builds on  0x${"77".repeat(32)} — MISSING from the presentation`);
      expect(blocks[1]).toContain(`${file}#2: VALID`);
      expect(blocks[2]).toContain(`${file}#3: NOT VALID (revoked)`);
    });

    it("answers questions over the valid credentials only, naming the ones behind the answer", async () => {
      const file = presentationOf(stacked, bundles[0]!, bundles[2]!);
      const skill = (code: string) => `http://data.europa.eu/esco/skill/${code}`;
      const yes = await cli(["verify", file, "--skill", skill("S4.8.1"), "--min-eqf", "6", ...trust()]);
      expect(yes.stdout).toContain(
        `holds a valid credential with skill ${skill("S4.8.1")} at EQF level ≥ 6: YES (${file}#2)`,
      );
      // The revoked course has this skill, so the answer must not count it.
      const no = await cli(["verify", file, "--skill", skill("S6.4.0"), ...trust()]);
      expect(no.stdout).toContain(`holds a valid credential with skill ${skill("S6.4.0")}: NO\n`);
      const ects = await cli(["verify", file, valid, "--total-ects", "--json", ...trust()]);
      const { answers, results } = JSON.parse(ects.stdout) as { answers: unknown[]; results: unknown[] };
      expect(results).toHaveLength(4);
      // 5 (capstone) + 3 (course 0, shown twice, counted once); the revoked course's 2 do not count.
      expect(answers).toEqual([{ question: "total valid ECTS", answer: 8, by: [`${file}#1`, `${file}#2`] }]);
    });

    it("exits 2 naming a presentation file that does not fit the format", async () => {
      const bad = writeFile(tempFolder(), "p.json", { type: "credroot/presentation", version: 1, bundles: [] });
      const { status, stdout } = await cli(["verify", bad, ...trust()]);
      expect(status).toBe(2);
      expect(stdout).toContain(`${bad}: COULD NOT CHECK (not a presentation: invalid presentation`);
    });
  });

  it("prints every check and VALID, and exits 0, for a valid bundle", async () => {
    const { status, stdout, stderr } = await cli(["verify", valid, ...trust()]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain(`${valid}: VALID`);
    for (const check of ["registry", "digest", "proof", "anchor", "revocation", "accreditation", "expiry"]) {
      expect(stdout).toMatch(new RegExp(`✓ ${check}\\s`));
    }
    expect(stdout).toContain("Applied Data Protection (GDPR) for Engineers");
    expect(stdout).toContain("#1 Test University (https://uni.test)");
  });

  it("exits 1 with NOT VALID (tampered) when a field was changed", async () => {
    const { status, stdout } = await cli(["verify", tampered, ...trust()]);
    expect(status).toBe(1);
    expect(stdout).toContain(`${tampered}: NOT VALID (tampered)`);
    expect(stdout).toMatch(/✗ digest\s+fields hash to leaf 0x[0-9a-f]{64}, the bundle claims/);
  });

  it("exits 1 with NOT VALID (revoked) for a revoked credential", async () => {
    const { status, stdout } = await cli(["verify", revoked, ...trust()]);
    expect(status).toBe(1);
    expect(stdout).toContain(`${revoked}: NOT VALID (revoked)`);
    expect(stdout).toMatch(/✗ revocation\s+the credential was revoked at/);
  });

  it("prints one block per bundle and exits 1 when any of them is not valid", async () => {
    const { status, stdout } = await cli(["verify", valid, tampered, ...trust()]);
    expect(status).toBe(1);
    const blocks = stdout.split("\n\n");
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain(`${valid}: VALID`);
    expect(blocks[1]).toContain(`${tampered}: NOT VALID (tampered)`);
  });

  it("exits 2 with chain-unavailable, not an invalid verdict, when the RPC endpoint is unreachable", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { status, stdout } = await cli(["verify", valid, "--rpc", url, "--registry", fx.registry, "--timeout", "5"]);
    expect(status).toBe(2);
    expect(stdout).toContain(`${valid}: COULD NOT CHECK (chain-unavailable)`);
    expect(stdout).toMatch(/\? anchor\s+could not ask the chain/);
    expect(stdout).not.toContain(url); // an RPC URL may carry an API key
  });

  it("exits 2 for a file that is not a bundle, or cannot be read, and still checks the others", async () => {
    const notABundle = writeFile(folder, "letter.json", { dear: "employer" });
    const missing = `${folder}/missing.json`;
    const { status, stdout } = await cli(["verify", valid, notABundle, missing, ...trust()]);
    expect(status).toBe(2);
    expect(stdout).toContain(`${valid}: VALID`);
    expect(stdout).toMatch(new RegExp(`${notABundle}: COULD NOT CHECK \\(not a bundle: invalid bundle: .*\\)`));
    expect(stdout).toContain(`${missing}: COULD NOT CHECK (cannot read ${missing}: no such file)`);
  });

  it("prints the results array with --json", async () => {
    const notABundle = writeFile(folder, "text.json", "not json");
    const { status, stdout } = await cli(["verify", valid, revoked, notABundle, "--json", ...trust()]);
    expect(status).toBe(1);
    const results = JSON.parse(stdout) as Record<string, unknown>[];
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({
      file: valid,
      verdict: "valid",
      hidden: [],
      issuer: {
        id: fx.issuerId,
        name: "Test University",
        uri: "https://uni.test",
        active: true,
        accreditedUntil: null,
      },
      credential: { title: "Applied Data Protection (GDPR) for Engineers" },
    });
    expect(typeof results[0]!.anchoredAt).toBe("number");
    expect(results[0]!.checks).toEqual(
      ["registry", "digest", "proof", "anchor", "revocation", "accreditation", "expiry"].map((name) => ({
        name,
        ok: true,
        message: expect.any(String) as unknown,
      })),
    );
    expect(results[1]).toMatchObject({ file: revoked, verdict: "revoked" });
    expect(results[2]).toEqual({
      file: notABundle,
      verdict: null,
      error: { code: "INVALID_BUNDLE", message: expect.stringContaining("not a bundle") as unknown },
    });
  });

  it("takes the RPC endpoint from CREDROOT_RPC_URL", async () => {
    const { status } = await cli(["verify", valid, "--registry", fx.registry], { CREDROOT_RPC_URL: fx.chain.url });
    expect(status).toBe(0);
  });

  it("refuses to run without a trusted registry, and exits 2", async () => {
    const { status, stdout, stderr } = await cli(["verify", valid, "--rpc", fx.chain.url]);
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      "credroot: no trusted registry: pass --registry 0x… (or --trust-bundle-registry, which trusts the bundle)\n",
    );
  });

  it("trusts the bundle's own registry only with --trust-bundle-registry, and warns", async () => {
    const { status, stdout, stderr } = await cli(["verify", valid, "--rpc", fx.chain.url, "--trust-bundle-registry"]);
    expect(status).toBe(0);
    expect(stdout).toContain("VALID");
    expect(stderr).toMatch(/^warning: --trust-bundle-registry trusts whatever registry each bundle names/);
  });

  it("says wrong-chain for a registry or a chain id it was not told to trust", async () => {
    const other = "0x000000000000000000000000000000000000dEaD";
    const byRegistry = await cli(["verify", valid, "--rpc", fx.chain.url, "--registry", other]);
    expect(byRegistry.status).toBe(1);
    expect(byRegistry.stdout).toContain("NOT VALID (wrong-chain)");
    const byChain = await cli(["verify", valid, ...trust(), "--chain-id", "1"]);
    expect(byChain.status).toBe(1);
    expect(byChain.stdout).toMatch(/✗ registry\s+chain 31337 is not one this verifier trusts/);
  });

  it("rejects a --registry that is not an address as a usage error", async () => {
    const { status, stderr } = await cli(["verify", valid, "--rpc", fx.chain.url, "--registry", "0x1234"]);
    expect(status).toBe(2);
    expect(stderr).toContain("option '--registry <address>' argument '0x1234' is invalid");
  });
});
