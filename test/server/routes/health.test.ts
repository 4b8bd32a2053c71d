import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ServiceFixture, startService } from "../../support/service";
import { closedPort, rejectingRpc } from "../helpers";

interface ReadyBody {
  status?: string;
  code?: string;
  database: string;
  chain: string;
  block?: number | null;
}

describe("health routes", () => {
  let fx: ServiceFixture;

  beforeAll(async () => {
    fx = await startService({ worker: false });
  });
  afterAll(async () => {
    await fx.close();
  });

  describe("GET /health", () => {
    it("answers 200 ok", async () => {
      const res = await fx.app.inject({ url: "/health" });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ status: "ok" });
    });

    it("answers 200 even when the chain is unreachable: the process is up", async () => {
      const down = await startService({
        registry: fx,
        worker: false,
        env: { RPC_URL: `http://127.0.0.1:${await closedPort()}` },
      });
      try {
        expect((await down.app.inject({ url: "/health" })).statusCode).toBe(200);
      } finally {
        await down.close();
      }
    });
  });

  describe("GET /ready", () => {
    it("answers 200 with the database and the chain ok, and the current block", async () => {
      const res = await fx.app.inject({ url: "/ready" });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<ReadyBody>();
      expect(body).toMatchObject({ status: "ready", database: "ok", chain: "ok" });
      expect(body.block).toBe(await fx.chain.provider.getBlockNumber());
    });

    it("answers 503 not-ready naming the chain when it is unreachable", async () => {
      const down = await startService({
        registry: fx,
        worker: false,
        env: { RPC_URL: `http://127.0.0.1:${await closedPort()}` },
      });
      try {
        const res = await down.app.inject({ url: "/ready" });
        expect(res.statusCode, res.body).toBe(503);
        const body = res.json<ReadyBody>();
        expect(body).toMatchObject({ code: "not-ready", database: "ok" });
        expect(body.chain).toMatch(/^unreachable: /);
      } finally {
        await down.close();
      }
    });

    it.each([
      ["CHAIN_ID names another chain", { CHAIN_ID: "5" }, "RPC_URL serves chain 31337, but CHAIN_ID is 5"],
      [
        "REGISTRY_ADDRESS holds no contract",
        { REGISTRY_ADDRESS: `0x${"42".repeat(20)}` },
        `no contract at REGISTRY_ADDRESS 0x${"42".repeat(20)} on chain 31337`,
      ],
    ])("answers 503 not-ready when %s", async (_case, env, why) => {
      const wrong = await startService({ registry: fx, worker: false, env });
      try {
        const res = await wrong.app.inject({ url: "/ready" });
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json<ReadyBody>()).toMatchObject({ code: "not-ready", database: "ok", chain: why });
      } finally {
        await wrong.close();
      }
    });

    it("answers 503 not-ready naming the database when it cannot be reached", async () => {
      const ping = vi.spyOn(fx.store, "ping").mockRejectedValueOnce(new Error("database is locked"));
      try {
        const res = await fx.app.inject({ url: "/ready" });
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json()).toEqual({
          code: "not-ready",
          message: "a dependency is unreachable",
          details: [],
          database: "unreachable",
          chain: "ok",
        });
      } finally {
        ping.mockRestore();
      }
    });

    it("answers 503 not-ready when the chain does not answer within 3 s, without waiting longer", async () => {
      const block = vi.spyOn(fx.app.chain.provider, "getBlockNumber").mockReturnValueOnce(new Promise(() => undefined));
      try {
        const started = Date.now();
        const res = await fx.app.inject({ url: "/ready" });
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json()).toMatchObject({ code: "not-ready", database: "ok", chain: "no answer within 3000 ms" });
        expect(Date.now() - started).toBeLessThan(4500);
      } finally {
        block.mockRestore();
      }
    });

    it("is rate limited per client: 429 after READY_RATE_LIMIT_PER_MINUTE requests", async () => {
      const limited = await startService({ registry: fx, worker: false, env: { READY_RATE_LIMIT_PER_MINUTE: "2" } });
      try {
        expect((await limited.app.inject({ url: "/ready" })).statusCode).toBe(200);
        expect((await limited.app.inject({ url: "/ready" })).statusCode).toBe(200);
        const res = await limited.app.inject({ url: "/ready" });
        expect(res.statusCode, res.body).toBe(429);
        expect(res.json<{ code: string }>().code).toBe("rate-limited");
        expect((await limited.app.inject({ url: "/health" })).statusCode).toBe(200);
      } finally {
        await limited.close();
      }
    });

    it("asks the database and the chain once for requests that arrive together", async () => {
      const ping = vi.spyOn(fx.store, "ping");
      const block = vi.spyOn(fx.app.chain.provider, "getBlockNumber");
      try {
        const answers = await Promise.all(Array.from({ length: 5 }, () => fx.app.inject({ url: "/ready" })));
        expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
        expect(ping).toHaveBeenCalledTimes(1);
        expect(block).toHaveBeenCalledTimes(1);
      } finally {
        ping.mockRestore();
        block.mockRestore();
      }
    });

    // Regression: `chain` carries the provider's error text, which for an HTTP error includes
    // `info={ "requestUrl": "<RPC_URL>" }`; RPC URLs usually embed the provider API key, and
    // /ready is unauthenticated (server/routes/health.ts, the `.catch` building
    // `unreachable: ${message}`).
    it("does not reveal the RPC URL (and the key it carries)", async () => {
      const rpc = await rejectingRpc();
      const leaky = await startService({ registry: fx, worker: false, env: { RPC_URL: rpc.url } });
      try {
        const res = await leaky.app.inject({ url: "/ready" });
        expect(res.statusCode).toBe(503);
        expect(res.body).not.toContain(rpc.secret);
      } finally {
        await leaky.close();
        await rpc.close();
      }
    });
  });
});
