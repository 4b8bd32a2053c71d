import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../support/net";
import { cli, type ListeningService, listeningService } from "./harness";

describe("credroot issuers", () => {
  let service: ListeningService;

  beforeAll(async () => {
    service = await listeningService();
    const { accreditor, chain } = service.fx;
    const second = await accreditor.registerIssuer(
      "Hogeschool Twee",
      "https://hs2.test",
      (await chain.signer(2)).address,
    );
    await accreditor.setIssuerActive(second.issuerId, false);
  });

  afterAll(async () => {
    await service.close();
  });

  const expected = ["ID  NAME             URI               STATUS", "1   Test University  https://uni.test  active"];

  it("prints a table of the issuers read from the chain with --rpc", async () => {
    const { status, stdout } = await cli(["issuers", "--rpc", service.fx.chain.url, "--registry", service.fx.registry]);
    expect(status).toBe(0);
    expect(stdout.split("\n").slice(0, 2)).toEqual(expected);
    expect(stdout.split("\n")[2]).toMatch(/^2 +Hogeschool Twee +https:\/\/hs2\.test +inactive$/);
  });

  it("prints the same table through the service with --api", async () => {
    const onChain = await cli(["issuers", "--rpc", service.fx.chain.url, "--registry", service.fx.registry]);
    const { status, stdout } = await cli(["issuers", "--api", service.url]);
    expect(status).toBe(0);
    expect(stdout).toBe(onChain.stdout);
  });

  it("prints the issuer records with --json", async () => {
    const { stdout } = await cli(["issuers", "--api", service.url, "--json"]);
    expect(JSON.parse(stdout)).toEqual([
      { id: 1, name: "Test University", uri: "https://uni.test", active: true, accreditedUntil: null },
      { id: 2, name: "Hogeschool Twee", uri: "https://hs2.test", active: false, accreditedUntil: null },
    ]);
  });

  it("needs --registry with --rpc, and one of --api and --rpc", async () => {
    expect(await cli(["issuers", "--rpc", service.fx.chain.url])).toMatchObject({
      status: 2,
      stderr: "credroot: --rpc needs --registry 0x… (the registry contract)\n",
    });
    expect((await cli(["issuers"])).status).toBe(2);
  });

  it("exits 2 when the chain cannot be reached", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { status, stderr } = await cli(["issuers", "--rpc", url, "--registry", service.fx.registry]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: chain call failed: /);
    expect(stderr).not.toContain(url);
  });
});
