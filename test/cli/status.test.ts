import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, issueThroughService, type ListeningService, listeningService } from "./harness";

describe("credroot status", () => {
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
