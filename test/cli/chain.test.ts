import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, staticProvider } from "../../cli/chain";

/*
 * ethers batches JSON-RPC requests by default: it holds each one for 10 ms (batchStallTime) and
 * sends what has gathered as one array. With batchMaxCount 1 it sends each request by itself at
 * once. Whether it batched shows in the bodies the endpoint receives, without timing anything.
 */

let server: Server;
let url: string;
const bodies: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk: Buffer) => (text += chunk.toString("utf8")));
    request.on("end", () => {
      const body = JSON.parse(text) as { id: number; method: string } | { id: number; method: string }[];
      bodies.push(body);
      const answer = (call: { id: number; method: string }) => ({
        jsonrpc: "2.0",
        id: call.id,
        result: call.method === "eth_chainId" ? "0x7a69" : "0x11",
      });
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify(Array.isArray(body) ? body.map(answer) : answer(body)));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((done) => server.close(done));
});

describe("staticProvider", () => {
  it("sends every request by itself, at once: no JSON-RPC batch, so no 10 ms batching delay", async () => {
    bodies.length = 0;
    const provider = staticProvider(url, 31337);
    try {
      const answers = await Promise.all([1, 2, 3].map(() => provider.send("eth_blockNumber", [])));
      expect(answers).toEqual(["0x11", "0x11", "0x11"]);
    } finally {
      provider.destroy();
    }
    expect(bodies).toHaveLength(3);
    expect(bodies.every((b) => !Array.isArray(b))).toBe(true);
  });

  it("spends no request on detecting the network", async () => {
    bodies.length = 0;
    const provider = staticProvider(url, 31337);
    try {
      expect((await provider.getNetwork()).chainId).toBe(31337n);
    } finally {
      provider.destroy();
    }
    expect(bodies).toEqual([]);
  });
});

describe("connect", () => {
  it("asks eth_chainId once, then gives a provider on that chain that does not batch either", async () => {
    bodies.length = 0;
    const { provider, chainId } = await connect(url, 31337);
    try {
      expect(chainId).toBe(31337);
      await Promise.all([provider.send("eth_blockNumber", []), provider.send("eth_blockNumber", [])]);
    } finally {
      provider.destroy();
    }
    expect(bodies.map((b) => (b as { method: string }).method)).toEqual([
      "eth_chainId",
      "eth_blockNumber",
      "eth_blockNumber",
    ]);
  });
});
