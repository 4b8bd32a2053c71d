import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { fromVerifiableCredential, toVerifiableCredential } from "../../src/export";
import { IssuerKey, signCredentialJwt } from "../../src/standard";
import { bakePng, defaultBadgePng, extractBakedCredential } from "../../src/standard/baked";
import { type ServiceFixture, startService } from "../support/service";
import { BADGE_SEED, recordedKey } from "../server/routes/badges-fixture";
import { issueFinalBatch } from "../server/helpers";
import { cli, tempFolder, writeFile } from "./harness";

const ESC = "\u001b";
/** Every character a terminal may act on that the CLI must never print raw. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe("credroot verify <signed credential | badge>", () => {
  let fx: ServiceFixture;
  let folder: string;
  const files: Record<string, string> = {};
  const trust = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startService({ env: { ISSUER_SIGNING_KEY: BADGE_SEED } });
    await recordedKey(fx);
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(0)]);
    folder = tempFolder();
    const fetch = async (path: string) => {
      const res = await fx.app.inject({ url: `/v1/credentials/${accepted.credentials[0]!.id}/${path}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.rawPayload;
    };
    const save = (name: string, bytes: Uint8Array | string) => {
      files[name] = join(folder, name);
      writeFileSync(files[name], bytes);
    };
    save("badge.json", await fetch("credential?format=ob3"));
    save("badge.jwt", await fetch("credential?format=jwt"));
    save("badge.png", await fetch("badge.png"));
    save("badge.svg", await fetch("badge.svg?format=jwt"));
    save("badge.sd-jwt", await fetch("credential?format=sd-jwt&hide=learner.email"));
  });
  afterAll(async () => {
    await fx.close();
  });

  it.each(["badge.json", "badge.jwt", "badge.png", "badge.svg", "badge.sd-jwt"])(
    "verifies %s valid, printing the signature and issuer-key checks and what it says",
    async (name) => {
      const { status, stdout } = await cli(["verify", files[name]!, ...trust()]);
      expect(stdout).toContain(`${files[name]}: VALID`);
      expect(stdout).toMatch(/✓ signature +/);
      expect(stdout).toMatch(/✓ issuer-key +/);
      expect(stdout).toMatch(/✓ anchor +/);
      expect(stdout).toContain(`title       ${sampleCredential(0).title}`);
      expect(stdout).toContain("awarded by  #1 Test University");
      expect(status).toBe(0);
    },
  );

  it("reports a baked PNG whose credential was edited as tampered, exit 1, showing none of its claims", async () => {
    const { text } = extractBakedCredential(new Uint8Array(readFileSync(files["badge.png"]!)));
    const edited = text.replace(sampleCredential(0).title, "Doctor of Medicine");
    const file = join(folder, "edited.png");
    writeFileSync(file, bakePng(defaultBadgePng(), edited));
    const { status, stdout } = await cli(["verify", file, ...trust()]);
    expect(stdout).toContain(`${file}: NOT VALID (tampered)`);
    expect(stdout).not.toContain("Doctor of Medicine");
    expect(status).toBe(1);
  });

  it("does not say VALID for a JWT signed by a key the registry does not record for the issuer", async () => {
    const stranger = await IssuerKey.fromSeed("78".repeat(32));
    const bundle = fromVerifiableCredential(readFileSync(files["badge.json"]!, "utf8"));
    const issuer = { id: fx.issuerId, name: "Test University", uri: "https://uni.test" };
    const jwt = await signCredentialJwt(toVerifiableCredential(bundle, issuer, { issuerDid: stranger.did }), stranger);
    const file = writeFile(folder, "stranger.jwt", jwt);
    const { status, stdout } = await cli(["verify", file, ...trust(), "--json"]);
    const [result] = JSON.parse(stdout) as { verdict: string; checks: { name: string; ok: boolean | null }[] }[];
    expect(result!.verdict).not.toBe("valid");
    expect(result!.checks.find((c) => c.name === "issuer-key")?.ok).toBe(false);
    expect(status).toBe(1);
  });

  it("says in one sentence what it reads for a file that is none of these, exit 2", async () => {
    const file = writeFile(folder, "notes.txt", "hello, employer");
    const svg = writeFile(
      folder,
      "two.svg",
      `<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential verify="a.b.c"/><openbadges:credential verify="a.b.c"/></svg>`,
    );
    const { status, stdout } = await cli(["verify", file, svg, ...trust()]);
    expect(stdout).toMatch(
      /notes\.txt: COULD NOT CHECK \(this is not a credential credroot can check: it reads a credroot bundle/,
    );
    expect(stdout).toMatch(/two\.svg: COULD NOT CHECK \(.*2 credential elements/);
    expect(status).toBe(2);
  });

  it("prints a valid signed credential's claims with every terminal control neutralised", async () => {
    // The issuer's own signature and anchor are valid: the text is still only text, never a command.
    const draw = `${ESC}[1A${ESC}[2K\r${files["badge.jwt"]}: VALID${ESC}]0;owned\u0007\u202e`;
    const { accepted } = await issueFinalBatch(fx, [{ ...sampleCredential(1), title: `Doctorate${draw}` }]);
    for (const format of ["jwt", "ob3", "sd-jwt"]) {
      const res = await fx.app.inject({
        url: `/v1/credentials/${accepted.credentials[0]!.id}/credential?format=${format}`,
      });
      expect(res.statusCode, res.body).toBe(200);
      const file = writeFile(folder, `ansi.${format}`, res.body);
      const { status, stdout } = await cli(["verify", file, ...trust()]);
      expect(status, stdout).toBe(0);
      expect(stdout).not.toMatch(RAW_CONTROL);
      const lines = stdout.trimEnd().split("\n");
      expect(lines[0]).toBe(`${file}: VALID`);
      // Only the verdict starts a line: the claim cannot draw a second verdict over it.
      expect(lines.slice(1).every((line) => line.startsWith("  "))).toBe(true);
      expect(lines).toContain(`  ${"title".padEnd(11)} Doctorate ${files["badge.jwt"]}: VALID`);
    }
  });
});
