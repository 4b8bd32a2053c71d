import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bundle,
  bundlePath,
  bundleRoot,
  parseCredential,
  processProof,
  type Verdict,
  verifyBundle,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import { credentialsCsv } from "../../harness/credentials-csv";
import { fetchJson, mapLimit } from "../../harness/http";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { type ServiceFixture, startService, waitFor } from "../support/service";

interface Accepted {
  id: string;
  root: string;
  count: number;
  status: string;
  credentials: { id: string; index: number; leaf: string }[];
}
interface BatchStatus {
  id: string;
  status: string;
  txHash: string | null;
  blockNumber: number | null;
}
interface CredentialList {
  credentials: { id: string; index: number; leaf: string; revoked: boolean }[];
}
interface Verification {
  verdict: Verdict;
}

/** The service, listening on an ephemeral 127.0.0.1 port, over the shared chain. */
interface Listening {
  fx: ServiceFixture;
  url: string;
  auth: Record<string, string>;
}

describe("the service over HTTP, end to end on a local chain", () => {
  let registry: RegistryFixture;
  const services: Listening[] = [];

  const listen = async (): Promise<Listening> => {
    // Rate limits are not under test here: thousands of bundle fetches come from one address.
    const fx = await startService({ registry, env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
    const url = await fx.app.listen({ host: "127.0.0.1", port: 0 });
    const service = { fx, url, auth: fx.auth };
    services.push(service);
    return service;
  };

  /** POST /v1/batches of `count` sample credentials, as a CSV upload or as JSON. */
  const submit = (service: Listening, count: number, format: "csv" | "json") => {
    const credentials = Array.from({ length: count }, (_, i) => sampleCredential(i));
    return fetchJson<Accepted>(`${service.url}/v1/batches`, {
      method: "POST",
      headers: { ...service.auth, "content-type": format === "csv" ? "text/csv" : "application/json" },
      body: format === "csv" ? credentialsCsv(credentials) : JSON.stringify({ credentials }),
    });
  };

  /** Submits `count` sample credentials and waits until the batch is final; times both. */
  const issueAndFinalise = async (service: Listening, count: number, format: "csv" | "json") => {
    const started = performance.now();
    const posted = await submit(service, count, format);
    const acceptedMs = performance.now() - started;
    expect(posted.status).toBe(202);
    expect(posted.body).toMatchObject({ count, status: "pending" });
    const batchUrl = `${service.url}/v1/batches/${posted.body.id}`;
    const batch = await waitFor(
      async () => {
        const { body } = await fetchJson<BatchStatus>(batchUrl, { headers: service.auth });
        expect(body.status).not.toBe("failed");
        return body.status === "final" ? body : undefined;
      },
      60_000,
      "the batch to be final",
    );
    const finalMs = performance.now() - started;
    console.log(
      `batch of ${count.toLocaleString("en")} credentials (${format}): 202 after ${acceptedMs.toFixed(0)} ms, ` +
        `final after ${finalMs.toFixed(0)} ms (finality 2 blocks, 100 ms blocks, worker every 50 ms)`,
    );
    return { accepted: posted.body, batch, batchUrl };
  };

  /** Every credential of a batch through GET /v1/batches/:id/credentials, `pageSize` at a time. */
  const listCredentials = async (service: Listening, batchUrl: string, pageSize: number) => {
    const all: CredentialList["credentials"] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await fetchJson<CredentialList>(`${batchUrl}/credentials?offset=${offset}&limit=${pageSize}`, {
        headers: service.auth,
      });
      expect(page.status).toBe(200);
      all.push(...page.body.credentials);
      if (page.body.credentials.length < pageSize) return all;
    }
  };

  const fetchBundle = async (service: Listening, id: string): Promise<Bundle> => {
    const { status, body } = await fetchJson<Bundle>(`${service.url}/v1/credentials/${id}/bundle`);
    expect(status).toBe(200);
    return body;
  };

  const verifyOverHttp = async (service: Listening, bundle: Bundle): Promise<Verdict> => {
    const { status, body } = await fetchJson<Verification>(`${service.url}/v1/verify`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(bundle),
    });
    expect(status).toBe(200);
    return body.verdict;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    // Blocks every 100 ms, so confirmations accrue without anyone mining by hand.
    await registry.chain.provider.send("evm_setIntervalMining", [100]);
  });

  afterAll(async () => {
    for (const { fx } of services) await fx.close();
    await registry.chain.provider.send("evm_setIntervalMining", [0]);
    await registry.chain.close();
  });

  // Regression: the route's JSON body schema was once applied to CSV uploads too.
  it("accepts the 500 credentials as a CSV upload over HTTP", async () => {
    const service = await listen();
    const posted = await submit(service, 500, "csv");
    expect(posted.status).toBe(202);
    expect(posted.body.count).toBe(500);
  });

  it("issues 500 credentials, serves every bundle, and verifies each through the API and then the library alone", async () => {
    const service = await listen();
    const { accepted, batch, batchUrl } = await issueAndFinalise(service, 500, "csv");

    const listed = await listCredentials(service, batchUrl, 200);
    expect(listed.map((c) => c.id)).toEqual(accepted.credentials.map((c) => c.id));
    expect(listed.map((c) => c.index)).toEqual(Array.from({ length: 500 }, (_, i) => i));

    const bundles = await mapLimit(listed, 25, (c) => fetchBundle(service, c.id));
    for (const bundle of bundles) {
      expect(bundle.anchor).toEqual({
        chainId: registry.chain.chainId,
        registry: registry.registry.toLowerCase(),
        issuerId: registry.issuerId,
        batchId: accepted.id,
        block: batch.blockNumber,
      });
    }
    const verdicts = await mapLimit(bundles, 25, (b) => verifyOverHttp(service, b));
    expect(verdicts.filter((v) => v !== "valid")).toEqual([]);

    const REVOKED = 123;
    const revoked = listed[REVOKED]!;
    const revoke = await fetchJson<{ status: string }>(`${service.url}/v1/credentials/${revoked.id}/revoke`, {
      method: "POST",
      headers: { ...service.auth, "content-type": "application/json" },
      body: JSON.stringify({ reason: "issued in error" }),
    });
    expect(revoke).toEqual({ status: 202, body: { id: revoked.id, status: "revocation-queued" } });
    await waitFor(
      async () => {
        const page = await fetchJson<CredentialList>(`${batchUrl}/credentials?offset=${REVOKED}&limit=1`, {
          headers: service.auth,
        });
        return page.body.credentials[0]?.revoked ? true : undefined;
      },
      20_000,
      "the revocation to be mined",
    );
    expect(await verifyOverHttp(service, bundles[REVOKED]!)).toBe("revoked");
    expect(await verifyOverHttp(service, bundles[REVOKED + 1]!)).toBe("valid");

    // The trustless path: the service is gone, the bundles and the chain are all that is left.
    await service.fx.app.close();
    await expect(fetch(`${service.url}/health`)).rejects.toThrow();
    const results = await mapLimit(bundles, 25, (b) => verifyBundle(b, { chains: registry.trusted }));
    expect(results.map((r, i) => (r.verdict === "valid" ? null : `${i}: ${r.verdict}`)).filter(Boolean)).toEqual([
      `${REVOKED}: revoked`,
    ]);
    // Each bundle proves the leaf the service listed, under the root it announced.
    for (const [i, result] of results.entries()) {
      expect(result.leaf).toBe(listed[i]!.leaf);
      expect(processProof(result.leaf!, bundlePath(bundles[i]!))).toBe(accepted.root);
      expect(bundleRoot(bundles[i]!)).toBe(accepted.root);
    }
    // What was submitted is what the bundle proves, and the awarding body is the registry's issuer.
    for (const i of [0, 1, 2, 499]) expect(results[i]!.credential).toEqual(parseCredential(sampleCredential(i)));
    expect(results[0]!.issuer).toMatchObject({ id: registry.issuerId, name: "Test University" });
  }, 60_000);

  it("takes 10,000 credentials to final, and serves their bundles", async () => {
    const service = await listen();
    const { accepted, batch, batchUrl } = await issueAndFinalise(service, 10_000, "json");
    const listed = await listCredentials(service, batchUrl, 5000);
    expect(listed).toHaveLength(10_000);
    expect(listed.map((c) => c.id)).toEqual(accepted.credentials.map((c) => c.id));

    const sample = [0, 1, 4999, 5000, 9998, 9999, ...Array.from({ length: 14 }, (_, k) => 17 + k * 700)];
    const bundles = await mapLimit(sample, 10, (i) => fetchBundle(service, listed[i]!.id));
    const results = await Promise.all(bundles.map((b) => verifyBundle(b, { chains: registry.trusted })));
    expect(results.map((r) => r.verdict)).toEqual(sample.map(() => "valid"));
    expect(bundles.map((b) => [b.anchor.batchId, b.anchor.block])).toEqual(
      sample.map(() => [accepted.id, batch.blockNumber]),
    );
    expect(bundlePath(bundles[0]!).length).toBeGreaterThanOrEqual(14); // ⌈log2 10,000⌉
  }, 60_000);
});
