import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newBatchId } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { anchorBatch, cli, issueThroughService, type ListeningService, listeningService } from "./harness";

describe("credroot status --api", () => {
  let service: ListeningService;
  const api = () => ["--api", service.url, "--key", service.fx.apiKey];

  beforeAll(async () => {
    service = await listeningService();
  });

  afterAll(async () => {
    await service.close();
  });

  it("shows the batch's state, root and transaction", async () => {
    const { batchId } = await issueThroughService(service, 2);
    const { status, stdout, stderr } = await cli(["status", batchId, ...api()]);
    expect(stderr).toBe("");
    expect(status).toBe(0);
    expect(stdout).toMatch(
      new RegExp(
        `^batch +${batchId}\\nstatus +final\\nissuer +${service.fx.issuerId}\\ncount +2\\nroot +0x[0-9a-f]{64}\\n` +
          "tx +0x[0-9a-f]{64} \\(block \\d+\\)\\ncreated +\\S+\\nupdated +\\S+\\n$",
      ),
    );
  });

  it("prints the service's record with --json", async () => {
    const { batchId } = await issueThroughService(service, 1);
    const { status, stdout } = await cli(["status", batchId, ...api(), "--json"]);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: batchId, status: "final", count: 1, issuerId: service.fx.issuerId });
  });

  it("takes the API key from CREDROOT_API_KEY", async () => {
    const { batchId } = await issueThroughService(service, 1);
    const { status } = await cli(["status", batchId, "--api", service.url], { CREDROOT_API_KEY: service.fx.apiKey });
    expect(status).toBe(0);
  });

  it("exits 1 for a batch of another issuer, and 2 without a key", async () => {
    const { batchId } = await issueThroughService(service, 1);
    await service.fx.store.upsertIssuer({ id: service.fx.issuerId + 1, name: "Another Institute" });
    const otherKey = await service.fx.newApiKey(service.fx.issuerId + 1);
    const other = await cli(["status", batchId, "--api", service.url, "--key", otherKey]);
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/^credroot: the service answered 403 forbidden: /);
    const keyless = await cli(["status", batchId, "--api", service.url]);
    expect(keyless).toMatchObject({
      status: 2,
      stderr: "credroot: no API key: pass --key KEY or set CREDROOT_API_KEY\n",
    });
  });
});

describe("credroot status --rpc", () => {
  let fx: RegistryFixture;
  const rpc = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("shows what the registry records of an issuer's batch: root, when anchored, when revoked", async () => {
    const { batch } = await anchorBatch(fx, [sampleCredential(0)]);
    const { batchId } = batch.context;
    const anchored = await cli(["status", batchId, ...rpc(), "--issuer", "1", "--root", batch.root]);
    expect(anchored.status).toBe(0);
    expect(anchored.stdout).toMatch(
      new RegExp(
        `^batch +${batchId}\\nstatus +anchored\\nissuer +1 \\(Test University\\)\\nroot +${batch.root}\\n` +
          "anchored +\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\n$",
      ),
    );
    await fx.issuer.revokeBatch(batchId, "exam annulled");
    const { stdout } = await cli(["status", batchId, ...rpc(), "--issuer", "1", "--root", batch.root, "--json"]);
    expect(JSON.parse(stdout)).toMatchObject({
      id: batchId,
      issuerId: 1,
      issuerName: "Test University",
      status: "revoked",
      root: batch.root,
      anchoredAt: expect.any(Number) as unknown,
      revokedAt: expect.any(Number) as unknown,
    });
  });

  it("says not-anchored for a batch id the issuer never anchored, and under another issuer", async () => {
    const { batch } = await anchorBatch(fx, [sampleCredential(1)]);
    const unknown = await cli(["status", newBatchId(), ...rpc(), "--issuer", "1", "--root", batch.root]);
    expect(unknown.stdout).toMatch(/^status +not-anchored$/m);
    // Anchors are kept per issuer: the same batch id and root under issuer 2 is nothing.
    const elsewhere = await cli(["status", batch.context.batchId, ...rpc(), "--issuer", "2", "--root", batch.root]);
    expect(elsewhere.status).toBe(0);
    expect(elsewhere.stdout).toMatch(/^status +not-anchored$/m);
    expect(elsewhere.stdout).toMatch(/^issuer +2$/m);
  });

  it("needs --registry, --issuer and --root with --rpc, and a UUID", async () => {
    const id = newBatchId();
    const root = `0x${"ab".repeat(32)}`;
    expect(await cli(["status", id, "--rpc", fx.chain.url, "--issuer", "1", "--root", root])).toMatchObject({
      status: 2,
      stderr: "credroot: --rpc needs --registry 0x…, --issuer ID and --root 0x… (as `credroot issue` printed them)\n",
    });
    expect((await cli(["status", "batch-1", ...rpc(), "--issuer", "1", "--root", root])).stderr).toBe(
      "credroot: batch-1 is not a batch id (a lowercase UUID)\n",
    );
  });
});
