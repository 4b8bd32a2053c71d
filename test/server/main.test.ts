import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../server/config";
import { checkChain } from "../../server/main";
import { launchService } from "../support/child-service";
import { childEnv } from "../support/child-env";
import { closedPort } from "../support/net";
import { type RegistryFixture, startRegistry } from "../support/registry";

describe("server/main.ts start-up: the chain must be the configured one", () => {
  let registry: RegistryFixture;
  const env = (extra: Record<string, string>) =>
    childEnv(registry, { databasePath: ":memory:", extra: { DATABASE_URL: ":memory:", ...extra } });

  beforeAll(async () => {
    registry = await startRegistry();
  });
  afterAll(async () => {
    await registry.chain.close();
  });

  it("accepts the chain and registry it was given", async () => {
    const warnings: string[] = [];
    expect(await checkChain(loadConfig(env({})), (line) => warnings.push(line))).toBeNull();
    expect(warnings).toEqual([]);
  });

  it("names a CHAIN_ID the RPC does not serve and a REGISTRY_ADDRESS without code", async () => {
    const warn = () => undefined;
    expect(await checkChain(loadConfig(env({ CHAIN_ID: "10" })), warn)).toBe(
      "RPC_URL serves chain 31337, but CHAIN_ID is 10",
    );
    const empty = `0x${"42".repeat(20)}`;
    expect(await checkChain(loadConfig(env({ REGISTRY_ADDRESS: empty })), warn)).toBe(
      `no contract at REGISTRY_ADDRESS ${empty} on chain 31337`,
    );
  });

  it("starts anyway, with a warning, when the chain does not answer", async () => {
    const warnings: string[] = [];
    const down = env({ RPC_URL: `http://127.0.0.1:${await closedPort()}` });
    expect(await checkChain(loadConfig(down), (line) => warnings.push(line))).toBeNull();
    expect(warnings).toEqual(["credroot: the chain did not answer at start-up; starting anyway (see GET /ready)"]);
  });

  it("exits 2 with one line instead of serving on the wrong chain", async () => {
    const child = launchService(env({ CHAIN_ID: "10" }));
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.output.join("")).toContain("credroot could not start: RPC_URL serves chain 31337, but CHAIN_ID is 10");
  });
});
