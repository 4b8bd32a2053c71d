import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchJson } from "../support/http";
import { cli, issueThroughService, type ListeningService, listeningService } from "./harness";

describe("credroot revoke", () => {
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
      stderr: "credroot: say what to revoke: --batch ID or --credential ID\n",
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
