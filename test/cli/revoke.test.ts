import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assembleBatch, type Bundle, bundleFor, leafOfDigest, newBatchId, RegistryClient } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { fetchJson } from "../../harness/http";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import {
  anchorBatch,
  cli,
  digestOf,
  issueThroughService,
  type ListeningService,
  listeningService,
  tempFolder,
  writeFile,
} from "./harness";

describe("credroot revoke --api", () => {
  let service: ListeningService;
  const api = () => ["--api", service.url, "--key", service.fx.apiKey];
  const verify = (files: string[]) =>
    cli(["verify", ...files, "--rpc", service.fx.chain.url, "--registry", service.fx.registry, "--json"]);
  const verdicts = async (files: string[]) =>
    (JSON.parse((await verify(files)).stdout) as { verdict: string }[]).map((r) => r.verdict);

  /** The service's credential ids of a batch, by index. */
  const credentialIds = async (batchId: string) => {
    const { body } = await fetchJson<{ credentials: { id: string; index: number }[] }>(
      `${service.url}/v1/batches/${batchId}/credentials`,
      { headers: service.fx.auth },
    );
    return body.credentials.sort((a, b) => a.index - b.index).map((c) => c.id);
  };

  beforeAll(async () => {
    service = await listeningService();
  });

  afterAll(async () => {
    await service.close();
  });

  it("revokes one credential on chain: its bundle then verifies as revoked, the others stay valid", async () => {
    const { batchId, files } = await issueThroughService(service, 3);
    const ids = await credentialIds(batchId);
    const { status, stdout, stderr } = await cli([
      "revoke",
      ...api(),
      "--credential",
      ids[1]!,
      "--reason",
      "issued in error",
    ]);
    expect(stderr).toBe(`revocation of credential ${ids[1]} queued; waiting for the chain…\n`);
    expect(status).toBe(0);
    expect(stdout).toBe(`revoked credential ${ids[1]} on chain\n`);
    expect(await verdicts(files)).toEqual(["valid", "revoked", "valid"]);
    expect((await verify([files[1]!])).status).toBe(1);
  });

  it("revokes a whole batch: every bundle verifies as revoked and the status says so", async () => {
    const { batchId, files } = await issueThroughService(service, 2);
    const { status, stdout } = await cli(["revoke", ...api(), "--batch", batchId, "--reason", "exam annulled"]);
    expect(status).toBe(0);
    expect(stdout).toBe(`revoked batch ${batchId} on chain\n`);
    expect(await verdicts(files)).toEqual(["revoked", "revoked"]);
    const shown = await cli(["status", batchId, ...api()]);
    expect(shown.stdout).toMatch(/^status +revoked$/m);
    expect(shown.stdout).toMatch(/^revoked +exam annulled$/m);
  });

  it("exits 1 with the service's reason when the batch is already revoked", async () => {
    const { batchId } = await issueThroughService(service, 1);
    expect((await cli(["revoke", ...api(), "--batch", batchId, "--reason", "r", "--no-wait"])).status).toBe(0);
    const again = await cli(["revoke", ...api(), "--batch", batchId, "--reason", "r"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/^credroot: the service answered 409 already-/);
  });

  it("returns once queued with --no-wait", async () => {
    const { batchId } = await issueThroughService(service, 1);
    const { status, stdout } = await cli(["revoke", ...api(), "--batch", batchId, "--reason", "r", "--no-wait"]);
    expect(status).toBe(0);
    expect(stdout).toBe(`revocation of batch ${batchId} queued\n`);
  });

  it("needs exactly one of --batch and --credential, and a reason", async () => {
    const neither = await cli(["revoke", ...api(), "--reason", "r"]);
    expect(neither).toMatchObject({
      status: 2,
      stderr:
        "credroot: say what to revoke: --batch ID or --credential ID (--api), --bundle FILE or --digest 0x… (--rpc)\n",
    });
    const both = await cli(["revoke", ...api(), "--batch", "a", "--credential", "b", "--reason", "r"]);
    expect(both.status).toBe(2);
    expect(both.stderr).toContain("option '--batch <id>' cannot be used with option '--credential <id>'");
    const noReason = await cli(["revoke", ...api(), "--batch", "a"]);
    expect(noReason.status).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>' not specified");
  });

  it("exits 1 for a batch the service does not know", async () => {
    const { status, stderr } = await cli(["revoke", ...api(), "--batch", "nope", "--reason", "r"]);
    expect(status).toBe(1);
    expect(stderr).toMatch(/^credroot: the service answered (400|404) /);
  });
});

describe("credroot revoke --rpc", () => {
  let fx: RegistryFixture;
  let env: Record<string, string>;
  const rpc = () => ["--rpc", fx.chain.url, "--registry", fx.registry];
  const verdicts = async (bundles: readonly Bundle[]) => {
    const folder = tempFolder();
    const files = bundles.map((b, i) => writeFile(folder, `${i}.json`, b));
    const { stdout } = await cli(["verify", ...files, ...rpc(), "--json"]);
    return (JSON.parse(stdout) as { verdict: string }[]).map((r) => r.verdict);
  };

  beforeAll(async () => {
    fx = await startRegistry();
    env = { CREDROOT_PRIVATE_KEY: fx.chain.privateKey(1) };
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("revokes the credential of a bundle by its digest: it then verifies as revoked, the others stay valid", async () => {
    const { bundles } = await anchorBatch(
      fx,
      [0, 1, 2].map((i) => sampleCredential(i)),
    );
    const file = writeFile(tempFolder(), "bundle.json", bundles[1]);
    const { status, stdout, stderr } = await cli(
      ["revoke", ...rpc(), "--bundle", file, "--reason", "issued in error"],
      env,
    );
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^revoked credential ${digestOf(bundles[1]!)} \\(${file}\\) of issuer 1 on chain \\(tx 0x[0-9a-f]{64}, block \\d+\\)\\n$`,
      ),
    );
    expect(await verdicts(bundles)).toEqual(["valid", "revoked", "valid"]);
  });

  it("keeps a revoked credential revoked when its issuer anchors it again in a new batch", async () => {
    const { batch, bundles } = await anchorBatch(fx, [sampleCredential(4)]);
    const digest = digestOf(bundles[0]!);
    expect((await cli(["revoke", ...rpc(), "--digest", digest, "--reason", "fraud"], env)).status).toBe(0);
    // The same credential (same secret, same digest) under a new batch id: a new leaf and a new root.
    const context = { ...batch.context, batchId: newBatchId() };
    const again = assembleBatch(context, [{ ...batch.credentials[0]!, leaf: leafOfDigest(context, digest) }]);
    const { blockNumber } = await fx.issuer.anchor(context.batchId, again.root, again.count);
    expect(again.root).not.toBe(batch.root);
    expect(await verdicts([bundles[0]!, bundleFor(again, 0, blockNumber)])).toEqual(["revoked", "revoked"]);
  });

  it("revokes a whole batch by its id", async () => {
    const { batch, bundles } = await anchorBatch(fx, [sampleCredential(5), sampleCredential(6)]);
    const { batchId } = batch.context;
    const { status, stdout } = await cli(["revoke", ...rpc(), "--batch", batchId, "--reason", "exam annulled"], env);
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(`^revoked batch ${batchId} of issuer 1 on chain \\(tx 0x[0-9a-f]{64}, block \\d+\\)\\n$`),
    );
    expect(await verdicts(bundles)).toEqual(["revoked", "revoked"]);
    const shown = await cli(["status", batchId, ...rpc(), "--issuer", "1", "--root", batch.root]);
    expect(shown.stdout).toMatch(/^status +revoked$/m);
  });

  it("refuses the bundle of another issuer, and a tampered bundle, revoking nothing", async () => {
    const signer = await fx.chain.signer(8);
    const { issuerId } = await fx.accreditor.registerIssuer("Other College", "https://other.test", signer.address);
    const other = { ...fx, issuerId, issuer: new RegistryClient(fx.registry, signer) };
    const { bundles: theirs } = await anchorBatch(other, [sampleCredential(7)]);
    const folder = tempFolder();
    const foreign = await cli(
      ["revoke", ...rpc(), "--bundle", writeFile(folder, "theirs.json", theirs[0]), "--reason", "r"],
      env,
    );
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toMatch(
      new RegExp(
        `is a credential of issuer ${issuerId} on registry .*; CREDROOT_PRIVATE_KEY signs for issuer 1 .*: nothing was revoked\\n$`,
      ),
    );
    const { bundles: ours } = await anchorBatch(fx, [sampleCredential(8)]);
    const forged = structuredClone(ours[0]!);
    (forged.credential.learner as { name: string }).name = "Eve Forger";
    const tampered = await cli(
      ["revoke", ...rpc(), "--bundle", writeFile(folder, "forged.json", forged), "--reason", "r"],
      env,
    );
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toMatch(
      /does not verify \(tampered\): it is no credential this issuer anchored, nothing was revoked\n$/,
    );
    expect(await verdicts([theirs[0]!, ours[0]!])).toEqual(["valid", "valid"]);
  });

  it("exits 1 with the registry's reason when the credential is already revoked", async () => {
    const { bundles } = await anchorBatch(fx, [sampleCredential(9)]);
    const digest = digestOf(bundles[0]!);
    expect((await cli(["revoke", ...rpc(), "--digest", digest, "--reason", "r"], env)).status).toBe(0);
    const again = await cli(["revoke", ...rpc(), "--digest", digest, "--reason", "r"], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(`^credroot: registry reverted: CredentialAlreadyRevoked\\(1, ${digest}, \\d+\\)\\n$`),
    );
  });

  it("takes each target only where it means something", async () => {
    const credential = await cli(["revoke", ...rpc(), "--credential", "7Hq", "--reason", "r"], env);
    expect(credential).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("--credential takes a service's credential id") as unknown,
    });
    const bundle = await cli([
      "revoke",
      "--api",
      "http://127.0.0.1:9",
      "--key",
      "k",
      "--bundle",
      "b.json",
      "--reason",
      "r",
    ]);
    expect(bundle).toMatchObject({
      status: 2,
      stderr: expect.stringContaining("--bundle and --digest revoke straight on the registry") as unknown,
    });
    const batch = await cli(["revoke", ...rpc(), "--batch", "42", "--reason", "r"], env);
    expect(batch).toMatchObject({ status: 2, stderr: expect.stringContaining("42 is not a batch id") as unknown });
    const digest = await cli(["revoke", ...rpc(), "--digest", "0x12", "--reason", "r"], env);
    expect(digest).toMatchObject({ status: 2, stderr: "credroot: --digest must be 0x and 64 lowercase hex digits\n" });
  });
});
