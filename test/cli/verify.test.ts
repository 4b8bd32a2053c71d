import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, fromBase64url, type Hex32, RegistryClient, toBase64url } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { closedPort } from "../../harness/net";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { anchorBatch, cli, countingRpc, digestOf, tempFolder, writeFile } from "./harness";

const ESC = "\u001b";
/** Every character a terminal may act on that the CLI must never print raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** A copy of `bundle` whose Merkle path is changed: the same credential and leaf, a root nobody anchored. */
function withBrokenPath(bundle: Bundle): Bundle {
  const path = fromBase64url(bundle.proof);
  path[0] = path[0]! ^ 0xff;
  return { ...structuredClone(bundle), proof: toBase64url(path) };
}

describe("credroot verify", () => {
  let fx: RegistryFixture;
  let bundles: Bundle[];
  let leaves: Hex32[];
  let folder: string;
  let valid: string;
  let tampered: string;
  let revoked: string;
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
    const anchored = await anchorBatch(
      fx,
      [0, 1, 2].map((i) => sampleCredential(i)),
    );
    bundles = anchored.bundles;
    leaves = anchored.batch.credentials.map((c) => c.leaf);
    folder = tempFolder();
    valid = writeFile(folder, "valid.json", bundles[0]);
    const forged = structuredClone(bundles[1]!);
    (forged.credential.learner as { name: string }).name = "Eve Forger";
    tampered = writeFile(folder, "tampered.json", forged);
    revoked = writeFile(folder, "revoked.json", bundles[2]);
    await fx.issuer.revokeCredential(digestOf(bundles[2]!), "issued in error");
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("prints every check, VALID, what the credential says and the registry's awarding body, and exits 0", async () => {
    const { status, stdout, stderr } = await cli(["verify", valid, ...trust()]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toContain(`${valid}: VALID\n`);
    for (const check of ["registry", "digest", "proof", "anchor", "revocation", "accreditation", "expiry"]) {
      expect(stdout).toMatch(new RegExp(`✓ ${check}\\s`));
    }
    expect(stdout).toMatch(/^ {2}title +Applied Data Protection \(GDPR\) for Engineers$/m);
    expect(stdout).toMatch(/^ {2}learner +Ana Novak$/m);
    expect(stdout).toMatch(/^ {2}awarded by +#1 Test University \(https:\/\/uni\.test\)$/m);
    expect(stdout).toMatch(/^ {2}country +NL$/m);
  });

  it("exits 1 with NOT VALID (tampered) when a field was changed, and shows none of its claims but the id", async () => {
    const { status, stdout } = await cli(["verify", tampered, ...trust()]);
    expect(status).toBe(1);
    expect(stdout).toContain(`${tampered}: NOT VALID (tampered)\n`);
    expect(stdout).toMatch(
      /✗ proof\s+the credential leads through its 2-level path to 0x[0-9a-f]{64}, not to the bundle's root 0x[0-9a-f]{64}/,
    );
    expect(stdout).toMatch(new RegExp(`^ {2}id +${sampleCredential(1).id}$`, "m"));
    expect(stdout).not.toContain("Eve Forger");
    expect(stdout).not.toContain(sampleCredential(1).title);
    expect(stdout).not.toContain("awarded by");
  });

  it("exits 1 with NOT VALID (revoked) for a revoked credential, and shows only its id", async () => {
    const { status, stdout } = await cli(["verify", revoked, ...trust()]);
    expect(status).toBe(1);
    expect(stdout).toContain(`${revoked}: NOT VALID (revoked)`);
    expect(stdout).toMatch(/✗ revocation\s+the credential was revoked at/);
    expect(stdout).not.toContain(sampleCredential(2).title);
    expect(stdout).not.toMatch(/^ {2}learner/m);
  });

  it("prints one block per bundle and exits 1 when any of them is not valid", async () => {
    const { status, stdout } = await cli(["verify", valid, tampered, ...trust()]);
    expect(status).toBe(1);
    const blocks = stdout.split("\n\n");
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toContain(`${valid}: VALID`);
    expect(blocks[1]).toContain(`${tampered}: NOT VALID (tampered)`);
  });

  describe("escape sequences", () => {
    it("cannot erase NOT VALID or draw VALID from a tampered bundle's values", async () => {
      const forged = structuredClone(bundles[0]!);
      const file = join(folder, "ansi.json");
      // Up one line, erase it, back to its start, and write a verdict; then an OSC title and a bidi override.
      const draw = `${ESC}[1A${ESC}[2K\r${file}: VALID\n  ✓ proof  fine${ESC}]0;owned\u0007\u202e`;
      forged.credential.id = `urn:x${draw}`;
      forged.credential.title = `Doctorate${draw}`;
      (forged.credential.learner as { name: string }).name = `\u009b2K${draw}`;
      writeFile(folder, "ansi.json", forged);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(1);
      expect(stdout).not.toContain(ESC);
      expect(stdout).not.toMatch(RAW_CONTROL);
      const lines = stdout.trimEnd().split("\n");
      expect(lines[0]).toBe(`${file}: NOT VALID (tampered)`);
      // No other line says VALID on its own: the id is printed on its line, neutralised.
      expect(lines.filter((line) => line.endsWith(": VALID"))).toEqual([]);
      expect(lines).toContain(`  ${"id".padEnd(11)} urn:x ${file}: VALID   ✓ proof  fine`);
      expect(stdout).not.toContain("Doctorate");
    });

    it("escapes them in --json, where the values stay what the bundle says", async () => {
      const forged = structuredClone(bundles[0]!);
      forged.credential.id = `urn:x${ESC}[2K\u009b1A\u202e`;
      const file = writeFile(folder, "ansi-json.json", forged);
      const { stdout } = await cli(["verify", file, ...trust(), "--json"]);
      expect(stdout).not.toMatch(RAW_CONTROL);
      const [result] = JSON.parse(stdout) as { verdict: string; credential: { id: string } }[];
      expect(result).toMatchObject({ verdict: "tampered", credential: { id: forged.credential.id } });
    });

    it("strips them from what the chain says too: an issuer name set by the accreditor", async () => {
      const signer = await fx.chain.signer(7);
      const name = `Mill${ESC}[2K${ESC}[1A University\u202e`;
      const { issuerId } = await fx.accreditor.registerIssuer(name, "https://mill.test", signer.address);
      const mill = { ...fx, issuerId, issuer: new RegistryClient(fx.registry, signer) };
      const { bundles: issued } = await anchorBatch(mill, [sampleCredential(5)]);
      const file = writeFile(folder, "mill.json", issued[0]);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(0);
      expect(stdout).not.toMatch(RAW_CONTROL);
      expect(stdout).toMatch(
        new RegExp(`^ {2}awarded by +#${issuerId} Mill University \\(https://mill\\.test\\)$`, "m"),
      );
    });
  });

  describe("the chain", () => {
    it("verifies against the chain the endpoint serves: a bundle naming chain 1 through a 31337 node is wrong-chain", async () => {
      // Anchored on this chain (31337), but every leaf commits to chain 1.
      const { bundles: elsewhere } = await anchorBatch(fx, [sampleCredential(4)], { chainId: 1 });
      const file = writeFile(folder, "chain1.json", elsewhere[0]);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(1);
      expect(stdout).toContain(`${file}: NOT VALID (wrong-chain)`);
      expect(stdout).not.toContain("on chain 1 is trusted");
      expect(stdout).not.toMatch(/✓ registry/);
      expect(stdout).toMatch(
        new RegExp(`✗ registry +registry ${fx.registry.toLowerCase()} on chain 1 is not one this verifier trusts`),
      );
      expect(stdout).toContain(
        "note: the bundle names chain 1, but the JSON-RPC endpoint serves chain 31337: verify it through a node of chain 1",
      );
      expect(stdout).not.toContain(sampleCredential(4).title);
    });

    it("refuses a --chain-id the endpoint does not serve, in one line, exit 2", async () => {
      const { status, stdout, stderr } = await cli(["verify", valid, ...trust(), "--chain-id", "1"]);
      expect(status).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        "credroot: the JSON-RPC endpoint serves chain 31337, not chain 1 (--chain-id): use a node of chain 1\n",
      );
      expect((await cli(["verify", valid, ...trust(), "--chain-id", "31337"])).status).toBe(0);
    });

    it("asks the endpoint its chain id once, and then one eth_call per bundle that holds off chain", async () => {
      const rpc = await countingRpc(fx.chain.url);
      try {
        const { status } = await cli(["verify", valid, revoked, tampered, "--rpc", rpc.url, "--registry", fx.registry]);
        expect(status).toBe(1);
        // The tampered bundle fails its own Merkle path: the chain is not asked about it.
        expect(rpc.calls).toEqual(["eth_chainId", "eth_call", "eth_call"]);
      } finally {
        await rpc.close();
      }
    });

    it("exits 2 with chain-unavailable, not an invalid verdict, when the RPC endpoint is unreachable", async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const { status, stdout } = await cli([
        "verify",
        valid,
        "--rpc",
        url,
        "--registry",
        fx.registry,
        "--timeout",
        "5",
      ]);
      expect(status).toBe(2);
      expect(stdout).toContain(`${valid}: COULD NOT CHECK (chain-unavailable)`);
      expect(stdout).toMatch(/\? registry +could not ask the JSON-RPC endpoint which chain it serves: /);
      expect(stdout).not.toContain("is trusted");
      expect(stdout).not.toContain(url); // an RPC URL may carry an API key
    });

    it("says wrong-chain for a registry it was not told to trust", async () => {
      const other = "0x000000000000000000000000000000000000dEaD";
      const { status, stdout } = await cli(["verify", valid, "--rpc", fx.chain.url, "--registry", other]);
      expect(status).toBe(1);
      expect(stdout).toContain("NOT VALID (wrong-chain)");
      expect(stdout).toContain(`(trusted: ${other.toLowerCase()} on chain 31337)`);
    });
  });

  describe("files that are not v2 bundles", () => {
    it("exits 2 for a file that is not a bundle, or cannot be read, and still checks the others", async () => {
      const notABundle = writeFile(folder, "letter.json", { dear: "employer" });
      const missing = `${folder}/missing.json`;
      const { status, stdout } = await cli(["verify", valid, notABundle, missing, ...trust()]);
      expect(status).toBe(2);
      expect(stdout).toContain(`${valid}: VALID`);
      expect(stdout).toMatch(new RegExp(`${notABundle}: COULD NOT CHECK \\(not a bundle: invalid bundle: .*\\)`));
      expect(stdout).toContain(`${missing}: COULD NOT CHECK (cannot read ${missing}: no such file)`);
    });

    it("refuses a bundle with a duplicate key, which a first-key-wins reader would show otherwise", async () => {
      const text = JSON.stringify(bundles[0]).replace('"title":', '"title":"Doctor of Medicine","title":');
      const file = writeFile(folder, "duplicate.json", text);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(2);
      expect(stdout).toBe(`${file}: COULD NOT CHECK (not a bundle: the file repeats the key "title")\n`);
    });

    it("tells a version 1 bundle to be re-issued", async () => {
      const file = join(__dirname, "../fixtures/bundle-v1.json");
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(2);
      expect(stdout).toMatch(/: COULD NOT CHECK \(this is a version 1 credroot bundle, .*re-issue it\)\n$/);
    });
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
      digest: digestOf(bundles[0]!),
      leaf: leaves[0],
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
      // Not JSON at all: the one sentence saying what credroot reads (issue 13), not "not a bundle".
      error: {
        code: "NOT_A_CREDENTIAL",
        message: expect.stringContaining("not a credential credroot can check") as unknown,
      },
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

  it("rejects a --registry that is not an address as a usage error", async () => {
    const { status, stderr } = await cli(["verify", valid, "--rpc", fx.chain.url, "--registry", "0x1234"]);
    expect(status).toBe(2);
    expect(stderr).toContain("option '--registry <address>' argument '0x1234' is invalid");
  });

  describe("presentations", () => {
    let stacked: Bundle;
    const missing = `0x${"77".repeat(32)}`;

    beforeAll(async () => {
      // A capstone that builds on the valid course (0) and the revoked one (2), anchored in its own batch.
      const buildsOn = [leaves[0]!, leaves[2]!, missing];
      const capstone = sampleCredential(3, { stackability: { buildsOn, countsTowards: "MSc Data" } });
      stacked = (await anchorBatch(fx, [capstone])).bundles[0]!;
    });

    const presentationOf = (...parts: Bundle[]) =>
      writeFile(tempFolder(), "presentation.json", { type: "credroot/presentation", version: 2, bundles: parts });

    it("reports every credential of a presentation, and the stack each builds on, titled by the valid one", async () => {
      const file = presentationOf(stacked, bundles[0]!, bundles[2]!);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status).toBe(1);
      const blocks = stdout.split("\n\n");
      expect(blocks[0]).toContain(`${file}#1: VALID`);
      expect(blocks[0]).toContain(
        `builds on  ${leaves[0]} — shown and valid: Applied Data Protection (GDPR) for Engineers (${file}#2)`,
      );
      expect(blocks[0]).toContain(`builds on  ${leaves[2]} — shown, NOT VALID`);
      expect(blocks[0]).toContain(`builds on  ${missing} — MISSING from the presentation`);
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

    it("never names a tampered copy that shares a genuine credential's leaf as evidence or in a stack", async () => {
      const copy = withBrokenPath(bundles[0]!);
      const file = presentationOf(stacked, copy, bundles[0]!);
      const skill = "http://data.europa.eu/esco/skill/S4.8.1";
      const { stdout } = await cli(["verify", file, "--skill", skill, "--total-ects", ...trust()]);
      expect(stdout).toContain(`${file}#2: NOT VALID (tampered)`);
      expect(stdout).toContain(`holds a valid credential with skill ${skill}: YES (${file}#3)\n`);
      expect(stdout).toContain(`total valid ECTS: 8 (${file}#1, ${file}#3)\n`);
      expect(stdout).toContain(
        `builds on  ${leaves[0]} — shown and valid: Applied Data Protection (GDPR) for Engineers (${file}#3)`,
      );
      // Alone, the copy is no evidence of anything.
      const alone = await cli(["verify", presentationOf(copy), "--total-ects", ...trust()]);
      expect(alone.stdout).toContain("total valid ECTS: 0\n");
    });

    it("exits 2 naming a presentation file that does not fit the format, or is of version 1", async () => {
      const bad = writeFile(tempFolder(), "p.json", { type: "credroot/presentation", version: 2, bundles: [] });
      const { status, stdout } = await cli(["verify", bad, ...trust()]);
      expect(status).toBe(2);
      expect(stdout).toContain(`${bad}: COULD NOT CHECK (not a presentation: invalid presentation`);
      const v1 = writeFile(tempFolder(), "p1.json", { type: "credroot/presentation", version: 1, bundles: [] });
      expect((await cli(["verify", v1, ...trust()])).stdout).toContain(
        "COULD NOT CHECK (this is a version 1 presentation",
      );
    });
  });
});
