import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServiceFixture, startService } from "../../support/service";
import { closedPort, detailPaths, expectError, rejectingRpc } from "../helpers";

interface IssuerBody {
  id: number;
  name: string;
  uri: string;
  active: boolean;
  accreditedUntil: number | null;
}

describe("issuer routes", () => {
  let fx: ServiceFixture;
  /** The same registry, reached through an RPC port nothing listens on. */
  let down: ServiceFixture;
  let secondId: number;

  beforeAll(async () => {
    fx = await startService({ worker: false });
    const signer = await fx.chain.signer(2);
    ({ issuerId: secondId } = await fx.accreditor.registerIssuer(
      "Second College",
      "https://second.test",
      signer.address,
    ));
    down = await startService({
      registry: fx,
      worker: false,
      env: { RPC_URL: `http://127.0.0.1:${await closedPort()}` },
    });
  });
  afterAll(async () => {
    await down.close();
    await fx.close();
  });

  const first: IssuerBody = {
    id: 1,
    name: "Test University",
    uri: "https://uni.test",
    active: true,
    accreditedUntil: null,
  };

  describe("GET /v1/issuers", () => {
    it("lists the issuers registered on chain", async () => {
      const res = await fx.app.inject({ url: "/v1/issuers" });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({
        total: 2,
        issuers: [
          first,
          { id: secondId, name: "Second College", uri: "https://second.test", active: true, accreditedUntil: null },
        ],
      });
    });

    it("pages with offset and limit, and gives an empty page past the end", async () => {
      const page = await fx.app.inject({ url: "/v1/issuers?offset=1&limit=1" });
      expect(page.json<{ total: number; issuers: IssuerBody[] }>()).toMatchObject({ total: 2, issuers: [{ id: 2 }] });
      const past = await fx.app.inject({ url: "/v1/issuers?offset=5" });
      expect(past.json()).toEqual({ total: 2, issuers: [] });
    });

    it.each([
      ["limit=0", "/limit"],
      ["limit=101", "/limit"],
      ["offset=-1", "/offset"],
    ])("rejects ?%s with 400 naming the parameter", async (query, path) => {
      const res = await fx.app.inject({ url: `/v1/issuers?${query}` });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual([path]);
    });

    it("rejects an unknown query parameter with 400", async () => {
      expectError(await fx.app.inject({ url: "/v1/issuers?active=true" }), 400, "invalid-request");
    });

    it("answers 503 chain-unavailable when the chain cannot be reached", async () => {
      expectError(await down.app.inject({ url: "/v1/issuers" }), 503, "chain-unavailable");
    });
  });

  describe("GET /v1/issuers/:id", () => {
    it("returns one issuer as recorded on chain", async () => {
      const res = await fx.app.inject({ url: "/v1/issuers/1" });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual(first);
    });

    it("answers 404 not-found for an id the registry does not know", async () => {
      expect(expectError(await fx.app.inject({ url: "/v1/issuers/99" }), 404, "not-found").message).toContain("99");
    });

    it.each(["abc", "0", "-1", "1.5"])("rejects the id %s with 400 naming it", async (id) => {
      const res = await fx.app.inject({ url: `/v1/issuers/${id}` });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual(["/id"]);
    });

    it("answers 503 chain-unavailable when the chain cannot be reached", async () => {
      expectError(await down.app.inject({ url: "/v1/issuers/1" }), 503, "chain-unavailable");
    });

    // Regression: chain errors are sent to the public as their provider message, which for an HTTP
    // error includes `info={ "requestUrl": "<RPC_URL>" }`: the RPC URL and the provider API key
    // in it leak (server/plugins/errors.ts sends a CHAIN_UNAVAILABLE error's message as is; the
    // text comes from decodeRegistryError in src/registry.ts).
    it("does not reveal the RPC URL (and the key it carries) in a 503", async () => {
      const rpc = await rejectingRpc();
      const leaky = await startService({ registry: fx, worker: false, env: { RPC_URL: rpc.url } });
      try {
        for (const url of ["/v1/issuers", "/v1/issuers/1"]) {
          const res = await leaky.app.inject({ url });
          expect(res.statusCode).toBe(503);
          expect(res.body).not.toContain(rpc.secret);
        }
      } finally {
        await leaky.close();
        await rpc.close();
      }
    });
  });

  it("rate-limits both routes: the 4th request in a minute answers 429 with retry-after", async () => {
    const limited = await startService({ registry: fx, worker: false, env: { RATE_LIMIT_PER_MINUTE: "3" } });
    try {
      for (const url of ["/v1/issuers", "/v1/issuers/1"]) {
        for (let i = 0; i < 3; i++) expect((await limited.app.inject({ url })).statusCode).toBe(200);
        const res = await limited.app.inject({ url });
        expectError(res, 429, "rate-limited");
        expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      }
    } finally {
      await limited.close();
    }
  });
});
