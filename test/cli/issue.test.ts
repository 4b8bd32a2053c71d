import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleRoot, type Hex32, parseBundle } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { registryEvents, uncachedProvider } from "../support/anchoring";
import { credentialsCsv } from "../../harness/credentials-csv";
import { fetchJson } from "../../harness/http";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { cli, jsonFiles, type ListeningService, listeningService, tempFolder, writeFile } from "./harness";

/** Sample credentials with row 1 missing its title and row 3 a negative workload: CSV lines 3 and 5. */
function invalidCsv(): string {
  return credentialsCsv([
    sampleCredential(0),
    sampleCredential(1, { title: "" }),
    sampleCredential(2),
    sampleCredential(3, { workload: { ects: -1, hours: 10 } }),
  ]);
}

/** BatchAnchored events of the registry so far (asked afresh: ethers would answer a repeat from its cache). */
async function anchoredCount(fx: RegistryFixture): Promise<number> {
  const provider = uncachedProvider(fx.chain.url, fx.chain.chainId);
  try {
    return (await registryEvents(provider, fx.registry, "BatchAnchored", [])).length;
  } finally {
    provider.destroy();
  }
}

describe("credroot issue --api", () => {
  let service: ListeningService;

  beforeAll(async () => {
    service = await listeningService();
  });

  afterAll(async () => {
    await service.close();
  });

  const api = () => ["--api", service.url, "--key", service.fx.apiKey];

  it("submits a CSV, waits for finality, downloads one bundle per credential, each valid", async () => {
    const folder = tempFolder();
    const csv = writeFile(folder, "grads.csv", credentialsCsv([0, 1, 2, 3, 4].map((i) => sampleCredential(i))));
    const out = join(folder, "bundles");
    const { status, stdout, stderr } = await cli(["issue", csv, ...api(), "--out", out]);
    expect(stderr).toMatch(/^submitted batch \S+: 5 credentials, root 0x[0-9a-f]{64}\n/);
    expect(stderr).toContain(": final\n");
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        "^issued 5 credentials\\n  batch +[0-9a-f-]{36}\\n  issuer +1\\n  root +0x[0-9a-f]{64}\\n  tx +0x[0-9a-f]{64} \\(block \\d+\\)\\n" +
          `  status +final\\n  bundles +${out} \\(5 files\\)\\n` +
          `  ids +${join(out, "credentials.csv")} \\(credential id and share link of each bundle\\)\\n` +
          "  time +[\\d.]+ m?s\\n$",
      ),
    );
    // The ids a registrar needs for revocations and to send each learner a link, in row order.
    const index = readFileSync(join(out, "credentials.csv"), "utf8").trim().split("\n");
    expect(index[0]).toBe("file,row,credential_id,share_url");
    const rows = index.slice(1).map((line) => line.split(","));
    expect(rows.map((r) => r[0])).toEqual(["0001.json", "0002.json", "0003.json", "0004.json", "0005.json"]);
    const { body: listed } = await fetchJson<{ credentials: { id: string; index: number }[] }>(
      `${service.url}/v1/batches/${/batch +(\S+)/.exec(stdout)![1]}/credentials`,
      { headers: { authorization: `Bearer ${service.fx.apiKey}` } },
    );
    expect(rows.map((r) => r[2])).toEqual(listed.credentials.map((c) => c.id));
    expect(rows[0]![3]).toBe(`${service.url}/v/${listed.credentials[0]!.id}`);
    const files = jsonFiles(out);
    expect(files.map((f) => f.slice(out.length + 1))).toEqual([
      "0001.json",
      "0002.json",
      "0003.json",
      "0004.json",
      "0005.json",
    ]);
    // Files follow the rows of the CSV.
    const bundle = parseBundle(readFileSync(files[3]!, "utf8"));
    expect(bundle.credential.id).toBe(sampleCredential(3).id);
    expect(bundle.anchor.batchId).toBe(/batch +(\S+)/.exec(stdout)![1]);
    const verified = await cli(["verify", ...files, "--rpc", service.fx.chain.url, "--registry", service.fx.registry]);
    expect(verified.status).toBe(0);
    expect(verified.stdout.match(/: VALID$/gm)).toHaveLength(5);
  });

  it("submits a JSON file as { credentials }, with progress bars on a terminal", async () => {
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(7), sampleCredential(8)]);
    const out = join(folder, "b");
    const { status, stdout, stderr } = await cli(
      ["issue", input, ...api(), "-o", out, "--until", "anchored"],
      {},
      {
        ttyStderr: true,
      },
    );
    expect(status).toBe(0);
    expect(stdout).toMatch(/status +(anchored|final)/);
    expect(stderr).toMatch(/anchoring .* (anchored|final) \| \d+s/);
    expect(stderr).toMatch(/downloading bundles .*2\/2 100%/);
    expect(jsonFiles(out)).toHaveLength(2);
  });

  it("lists every invalid row with its CSV line, exits 1, and nothing is stored or anchored", async () => {
    const before = await anchoredCount(service.fx);
    const folder = tempFolder();
    const csv = writeFile(folder, "grads.csv", invalidCsv());
    const { status, stdout, stderr } = await cli(["issue", csv, ...api(), "--out", join(folder, "bundles")]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n")).toEqual([
      "credroot: 2 of 4 credentials are invalid; nothing was stored",
      "  line 3: title must have required property 'title'",
      "  line 5: workload.ects must be >= 0",
      "",
    ]);
    expect(await anchoredCount(service.fx)).toBe(before);
  });

  it("exits 1 with the service's answer for a wrong API key", async () => {
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const { status, stderr } = await cli([
      "issue",
      input,
      "--api",
      service.url,
      "--key",
      "crk_nope",
      "-o",
      join(folder, "o"),
    ]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^credroot: the service answered 401 unauthorized: /);
  });

  it("exits 2 when the service cannot be reached", async () => {
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const { status, stderr } = await cli([
      "issue",
      input,
      "--api",
      "http://127.0.0.1:9",
      "--key",
      "k",
      "-o",
      join(folder, "o"),
    ]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: cannot reach the service at http:\/\/127\.0\.0\.1:9: /);
  });
});

describe("credroot issue --rpc", () => {
  let fx: RegistryFixture;
  let env: Record<string, string>;

  beforeAll(async () => {
    fx = await startRegistry();
    env = { CREDROOT_PRIVATE_KEY: fx.chain.privateKey(1) };
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  const rpc = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  it("binds every credential to the chain, registry, signer's issuer and a new batch id, anchors it and writes v2 bundles", async () => {
    const folder = tempFolder();
    const csv = writeFile(folder, "grads.csv", credentialsCsv([0, 1, 2].map((i) => sampleCredential(i))));
    const out = join(folder, "bundles");
    const before = await anchoredCount(fx);
    const { status, stdout, stderr } = await cli(["issue", csv, ...rpc(), "-o", out], env);
    expect(stderr).toMatch(/^anchoring batch [0-9a-f-]{36}, root 0x[0-9a-f]{64} \(3 credentials\) as issuer 1…\n$/);
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        "^issued 3 credentials\\n  batch +[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\n" +
          "  issuer +1\\n  root +0x[0-9a-f]{64}\\n  tx +0x[0-9a-f]{64} \\(block \\d+\\)\\n" +
          `  bundles +${out} \\(3 files\\)\\n  time +[\\d.]+ m?s\\n$`,
      ),
    );
    const batchId = /batch +(\S+)/.exec(stdout)![1]!;
    const root = /root +(0x[0-9a-f]{64})/.exec(stdout)![1] as Hex32;
    const block = Number(/block (\d+)/.exec(stdout)![1]);
    expect(await anchoredCount(fx)).toBe(before + 1);
    expect((await fx.issuer.getBatch(fx.issuerId, batchId, root)).anchoredAt).toBeGreaterThan(0);
    const files = jsonFiles(out);
    expect(files).toHaveLength(3);
    files.forEach((file, i) => {
      const bundle = parseBundle(readFileSync(file, "utf8"));
      expect(bundle.version).toBe(2);
      expect(bundle.anchor).toEqual({
        chainId: fx.chain.chainId,
        registry: fx.registry.toLowerCase(),
        issuerId: fx.issuerId,
        batchId,
        block,
      });
      expect(bundle.credential.id).toBe(sampleCredential(i).id);
      expect(bundle.secret).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(bundleRoot(bundle)).toBe(root);
    });
    const verified = await cli(["verify", ...files, ...rpc()]);
    expect(verified.status).toBe(0);
    expect(verified.stdout.match(/: VALID$/gm)).toHaveLength(3);
  });

  it("draws progress bars when stderr is a terminal", async () => {
    const folder = tempFolder();
    const input = writeFile(
      folder,
      "batch.json",
      [0, 1, 2, 3].map((i) => sampleCredential(i)),
    );
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", join(folder, "o")], env, { ttyStderr: true });
    expect(status).toBe(0);
    expect(stderr).toMatch(/committing .*4\/4 100%/);
    expect(stderr).toMatch(/writing bundles .*4\/4 100%/);
  });

  it("lists every invalid row with its CSV line, exits 1, anchors nothing and writes nothing", async () => {
    const before = await anchoredCount(fx);
    const folder = tempFolder();
    const csv = writeFile(folder, "grads.csv", invalidCsv());
    const out = join(folder, "bundles");
    const { status, stdout, stderr } = await cli(["issue", csv, ...rpc(), "-o", out], env);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr.split("\n")).toEqual([
      "credroot: 2 of 4 credentials are invalid; nothing was anchored",
      "  line 3: title must have required property 'title'",
      "  line 5: workload.ects must be >= 0",
      "",
    ]);
    expect(await anchoredCount(fx)).toBe(before);
    expect(existsSync(out)).toBe(false);
  });

  it("names the row of an invalid credential in a JSON file", async () => {
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", {
      credentials: [sampleCredential(0), { ...sampleCredential(1), eqfLevel: 9 }],
    });
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", join(folder, "o")], env);
    expect(status).toBe(1);
    expect(stderr).toContain("\n  credential 2: /eqfLevel must be <= 8\n");
  });

  it("refuses a JSON file with a duplicate key in one line, exit 1, anchoring nothing", async () => {
    const before = await anchoredCount(fx);
    const folder = tempFolder();
    const text = JSON.stringify([sampleCredential(0)]).replace('"title":', '"title":"Doctor of Medicine","title":');
    const input = writeFile(folder, "batch.json", text);
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", join(folder, "o")], env);
    expect(status).toBe(1);
    expect(stderr).toBe(`credroot: ${input} repeats the key "title"; nothing was issued\n`);
    expect(await anchoredCount(fx)).toBe(before);
  });

  it("refuses a v1 CSV naming the awarding body, in one line, saying it comes from the registry", async () => {
    const folder = tempFolder();
    const csv = writeFile(folder, "v1.csv", "id,title,awardingBody.name\nurn:x,Course,Harvard University\n");
    const { status, stderr } = await cli(["issue", csv, ...rpc(), "-o", join(folder, "o")], env);
    expect(status).toBe(1);
    expect(stderr.split("\n")[0]).toBe(
      `credroot: ${csv}: CSV header: awardingBody.name: the awarding body now comes from the registry (the name it ` +
        "records for your issuer), not from the CSV; remove the awardingBody columns and give the issuer's country " +
        "in an issuerCountry column; nothing was anchored",
    );
  });

  it("reports a malformed CSV with its line, as invalid input", async () => {
    const folder = tempFolder();
    const csv = writeFile(folder, "grads.csv", 'id,title\n"urn:x,Course\n');
    const { status, stderr } = await cli(["issue", csv, ...rpc(), "-o", join(folder, "o")], env);
    expect(status).toBe(1);
    expect(stderr).toMatch(
      /^credroot: .*grads\.csv: CSV line 2: a quoted cell is never closed; nothing was anchored\n/,
    );
  });

  it("takes the signer key only from CREDROOT_PRIVATE_KEY", async () => {
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", join(folder, "o")], {});
    expect(status).toBe(2);
    expect(stderr).toContain("set CREDROOT_PRIVATE_KEY to the issuer signer's private key");
    const flag = await cli(["issue", input, ...rpc(), "--private-key", "0x01"], env);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("unknown option '--private-key'");
  });

  it("refuses a key that signs for no issuer, before any work, in one line", async () => {
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const key = fx.chain.privateKey(5);
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", join(folder, "o")], {
      CREDROOT_PRIVATE_KEY: key,
    });
    expect(status).toBe(1);
    expect(stderr).toBe(
      `credroot: ${new Wallet(key).address} (from CREDROOT_PRIVATE_KEY) is not a signer of any issuer in registry ${fx.registry}\n`,
    );
  });

  it("refuses a key that was removed as a signer, saying so", async () => {
    const removed = new Wallet(fx.chain.privateKey(6));
    await fx.issuer.addSigner(fx.issuerId, removed.address);
    await fx.issuer.removeSigner(fx.issuerId, removed.address);
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const before = await anchoredCount(fx);
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", join(folder, "o")], {
      CREDROOT_PRIVATE_KEY: removed.privateKey,
    });
    expect(status).toBe(1);
    expect(stderr).toContain(`${removed.address} (from CREDROOT_PRIVATE_KEY) was a signer of issuer 1 and was removed`);
    expect(await anchoredCount(fx)).toBe(before);
  });

  it("refuses a --chain-id the endpoint does not serve, before anything is anchored", async () => {
    const before = await anchoredCount(fx);
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const { status, stderr } = await cli(["issue", input, ...rpc(), "--chain-id", "1", "-o", join(folder, "o")], env);
    expect(status).toBe(2);
    expect(stderr).toBe(
      "credroot: the JSON-RPC endpoint serves chain 31337, not chain 1 (--chain-id): use a node of chain 1\n",
    );
    expect(await anchoredCount(fx)).toBe(before);
  });

  it("refuses an output folder that already holds files, before anything is anchored", async () => {
    const before = await anchoredCount(fx);
    const folder = tempFolder();
    const input = writeFile(folder, "batch.json", [sampleCredential(0)]);
    const { status, stderr } = await cli(["issue", input, ...rpc(), "-o", folder], env);
    expect(status).toBe(2);
    expect(stderr).toBe(`credroot: ${folder} is not empty: choose another --out folder\n`);
    expect(await anchoredCount(fx)).toBe(before);
    expect(readdirSync(folder)).toEqual(["batch.json"]);
  });
});
