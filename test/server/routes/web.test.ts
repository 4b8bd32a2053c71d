import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import { parseTrustConfig } from "../../../src";
import { type ServiceFixture, startService } from "../../support/service";
import { type AcceptedBatch, expectError, issueFinalBatch, submitBatch } from "../helpers";

/** The sources of one Content-Security-Policy directive. */
function directive(csp: unknown, name: string): string | undefined {
  return String(csp)
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `))
    ?.slice(name.length + 1);
}

describe("web verifier routes", () => {
  let fx: ServiceFixture;
  /** Same chain, no worker, a public URL and an RPC URL that is not loopback. */
  let remote: ServiceFixture;
  let final: AcceptedBatch;
  let pending: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService();
    remote = await startService({
      registry: fx,
      worker: false,
      env: { PUBLIC_URL: "https://verify.example.edu/", RPC_URL: "https://node.example/v3/SECRETKEY" },
    });
    ({ accepted: final } = await issueFinalBatch(fx, [sampleCredential(0)]));
    pending = await submitBatch(remote, [sampleCredential(1)]);
  });
  afterAll(async () => {
    await remote.close();
    await fx.close();
  });

  const id = () => final.credentials[0]!.id;

  describe("GET /config.json", () => {
    it("trusts the service's chain and registry and hands a loopback RPC_URL to the browser", async () => {
      const res = await fx.app.inject({ url: "/config.json" });
      expect(res.statusCode, res.body).toBe(200);
      expect(parseTrustConfig(res.json())).toEqual({
        chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], rpcUrl: fx.chain.url }],
      });
    });

    it("never publishes an RPC_URL that is not loopback: rpcUrl is null and the page asks for one", async () => {
      const res = await remote.app.inject({ url: "/config.json" });
      expect(res.json()).toEqual({ chains: [{ chainId: fx.chain.chainId, registries: [fx.registry], rpcUrl: null }] });
      expect(res.body).not.toContain("SECRETKEY");
    });

    it("publishes WEB_RPC_URL when it is set", async () => {
      const other = await startService({ registry: fx, worker: false, env: { WEB_RPC_URL: "https://rpc.example" } });
      try {
        const res = await other.app.inject({ url: "/config.json" });
        expect(res.json<{ chains: { rpcUrl: string }[] }>().chains[0]!.rpcUrl).toBe("https://rpc.example");
        expect(directive(res.headers["content-security-policy"], "connect-src")).toBe("'self' https://rpc.example");
      } finally {
        await other.close();
      }
    });
  });

  describe("security headers over http and https", () => {
    it("asks no upgrade to https and sends no HSTS over plain http (a LAN address)", async () => {
      const res = await fx.app.inject({ url: "/", headers: { host: "192.168.1.20:3000" } });
      expect(res.headers["content-security-policy"]).not.toContain("upgrade-insecure-requests");
      expect(res.headers["strict-transport-security"]).toBeUndefined();
    });

    it("asks both when PUBLIC_URL is https", async () => {
      const res = await remote.app.inject({ url: "/" });
      expect(directive(`${String(res.headers["content-security-policy"])};`, "connect-src")).toBeDefined();
      expect(String(res.headers["content-security-policy"])).toMatch(/(^|;)\s*upgrade-insecure-requests(;|$)/);
      expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    });
  });

  describe("the page", () => {
    it.each(["/", "/index.html", `/v/some-credential-id`])("serves %s as the verifier page", async (url) => {
      const res = await fx.app.inject({ url });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(res.body).toContain('<base href="/" />');
      expect(res.body).toContain('data-testid="verdict"');
    });

    it("serves its script and style", async () => {
      const js = await fx.app.inject({ url: "/app.js" });
      expect(js.statusCode).toBe(200);
      expect(js.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      expect(js.body.length).toBeGreaterThan(10_000);
      const css = await fx.app.inject({ url: "/style.css" });
      expect(css.headers["content-type"]).toBe("text/css; charset=utf-8");
    });

    it("loads pdf-lib only for a PDF: app.js imports its chunk on demand, served from /chunks/", async () => {
      const js = (await fx.app.inject({ url: "/app.js" })).body;
      expect(js).not.toContain("PDFDocument");
      expect(js.length).toBeLessThan(400_000);
      const imported = [...js.matchAll(/"\.\/chunks\/([\w-]+\.js)"/g)].map((m) => m[1]!);
      expect(imported.length).toBeGreaterThan(0);
      const bodies = await Promise.all(imported.map((name) => fx.app.inject({ url: `/chunks/${name}` })));
      for (const chunk of bodies) {
        expect(chunk.statusCode).toBe(200);
        expect(chunk.headers["content-type"]).toBe("text/javascript; charset=utf-8");
        expect(chunk.headers["cache-control"]).toContain("immutable");
      }
      expect(bodies.some((chunk) => chunk.body.includes("PDFDocument"))).toBe(true);
      expect((await fx.app.inject({ url: "/chunks/none-AAAA.js" })).statusCode).toBe(404);
      expect((await fx.app.inject({ url: "/chunks/..%2Fapp.js" })).statusCode).toBe(400);
    });

    it("loads the JSON-LD stack only for a signed credential: its chunk is imported on demand, not by the page", async () => {
      const fetchJs = async (path: string) => (await fx.app.inject({ url: path })).body;
      const app = await fetchJs("/app.js");
      // What the page loads before anything is given: app.js and the chunks it imports statically.
      const eager = [app];
      const seen = new Set<string>();
      for (let i = 0; i < eager.length; i++) {
        for (const [, name] of eager[i]!.matchAll(/from"\.\/(?:chunks\/)?([\w-]+\.js)"/g)) {
          if (seen.has(name!)) continue;
          seen.add(name!);
          eager.push(await fetchJs(`/chunks/${name}`));
        }
      }
      const eagerBytes = eager.reduce((sum, js) => sum + js.length, 0);
      expect(eagerBytes).toBeLessThan(460_000);
      for (const js of eager) expect(js).not.toContain("eddsa-rdfc-2022");
      const lazy = [...app.matchAll(/import\("\.\/chunks\/([\w-]+\.js)"\)/g)].map((m) => m[1]!);
      const bodies = await Promise.all(lazy.map((name) => fetchJs(`/chunks/${name}`)));
      const standard = bodies.filter((js) => js.includes("eddsa-rdfc-2022"));
      expect(standard).toHaveLength(1);
      expect(standard[0]!.length).toBeLessThan(400_000);
    });

    it("lets the page connect only to itself and the configured RPC origin", async () => {
      const csp = (await fx.app.inject({ url: "/" })).headers["content-security-policy"];
      expect(directive(csp, "connect-src")).toBe(`'self' ${new URL(fx.chain.url).origin}`);
      expect(directive(csp, "script-src")).toBe("'self'");
    });

    it("lets the page reach any https node when it has none configured (the person enters their own)", async () => {
      const csp = (await remote.app.inject({ url: "/" })).headers["content-security-policy"];
      expect(directive(csp, "connect-src")).toBe("'self' https:");
      expect(String(csp)).not.toContain("node.example");
    });

    it("keeps the API docs working", async () => {
      expect((await fx.app.inject({ url: "/docs/json" })).statusCode).toBe(200);
      expect((await fx.app.inject({ url: "/docs/" })).statusCode).toBe(200);
    });
  });

  describe("GET /v1/credentials/:id/share", () => {
    it("gives the share link on the service's own address (never the Host header) and its QR code", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id()}/share`, headers: { host: "localhost:3000" } });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({
        url: `http://127.0.0.1:3000/v/${id()}`,
        qr: `http://127.0.0.1:3000/v1/credentials/${id()}/qr.svg`,
      });
    });

    it("carries ?hide into both links, on PUBLIC_URL, even before the batch is anchored", async () => {
      const pendingId = pending.credentials[0]!.id;
      const res = await remote.app.inject({ url: `/v1/credentials/${pendingId}/share?hide=learner.email` });
      expect(res.json()).toEqual({
        url: `https://verify.example.edu/v/${pendingId}?hide=learner.email`,
        qr: `https://verify.example.edu/v1/credentials/${pendingId}/qr.svg?hide=learner.email`,
      });
    });

    it("refuses to hide a field that does not exist or must stay shown", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id()}/share?hide=title` });
      expectError(res, 400, "invalid-argument");
      expectError(await fx.app.inject({ url: `/v1/credentials/${id()}/share?hide=nope` }), 400, "invalid-argument");
    });

    it("answers 404 with the usual error shape for an unknown credential", async () => {
      expectError(await fx.app.inject({ url: "/v1/credentials/nope/share" }), 404, "not-found");
    });

    it("is described in the OpenAPI document with the QR routes and /config.json", async () => {
      const doc = (await fx.app.inject({ url: "/docs/json" })).json<{ paths: Record<string, unknown> }>();
      for (const path of [
        "/v1/credentials/{id}/share",
        "/v1/credentials/{id}/qr.svg",
        "/v1/credentials/{id}/qr.png",
        "/config.json",
      ]) {
        expect(doc.paths).toHaveProperty([path]);
      }
      expect(doc.paths).not.toHaveProperty(["/app.js"]);
    });
  });

  describe("GET /v1/credentials/:id/qr.svg and .png", () => {
    it("draws the share link as an SVG QR code", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id()}/qr.svg?hide=learner.email` });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("image/svg+xml");
      expect(res.body).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*viewBox="0 0 (\d+) \1"/);
    });

    it("and as a PNG", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${id()}/qr.png` });
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toBe("image/png");
      expect(res.rawPayload.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    });

    it("answers 404 for an unknown credential", async () => {
      expectError(await fx.app.inject({ url: "/v1/credentials/nope/qr.svg" }), 404, "not-found");
      expectError(await fx.app.inject({ url: "/v1/credentials/nope/qr.png" }), 404, "not-found");
    });
  });
});
