import { Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort } from "../../harness/net";
import { type RegistryFixture, startRegistry } from "../../harness/registry";
import { cli, type ListeningService, listeningService } from "./harness";

const ESC = "\u001b";

/** Registers a second issuer (inactive) and a third whose name carries escape sequences. */
async function moreIssuers(fx: RegistryFixture): Promise<void> {
  const second = await fx.accreditor.registerIssuer(
    "Hogeschool Twee",
    "https://hs2.test",
    (await fx.chain.signer(2)).address,
  );
  await fx.accreditor.setIssuerActive(second.issuerId, false);
  await fx.accreditor.registerIssuer(
    `Drie${ESC}[2K${ESC}[1A\u202e`,
    "https://drie.test",
    (await fx.chain.signer(3)).address,
  );
}

const expected = ["ID  NAME             URI                STATUS", "1   Test University  https://uni.test   active"];

describe("credroot issuers --rpc", () => {
  let fx: RegistryFixture;
  const rpc = () => ["--rpc", fx.chain.url, "--registry", fx.registry];

  beforeAll(async () => {
    fx = await startRegistry();
    await moreIssuers(fx);
  });

  afterAll(async () => {
    await fx.chain.close();
  });

  it("prints a table of the issuers read from the chain, names made printable", async () => {
    const { status, stdout } = await cli(["issuers", ...rpc()]);
    expect(status).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.slice(0, 2)).toEqual(expected);
    expect(lines[2]).toMatch(/^2 +Hogeschool Twee +https:\/\/hs2\.test +inactive$/);
    expect(lines[3]).toMatch(/^3 +Drie +https:\/\/drie\.test +active$/);
    expect(stdout).not.toContain(ESC);
  });

  it("lists each issuer's active signers with --signers", async () => {
    const extra = new Wallet(fx.chain.privateKey(9)).address;
    await fx.issuer.addSigner(fx.issuerId, extra);
    const { status, stdout } = await cli(["issuers", ...rpc(), "--signers"]);
    expect(status).toBe(0);
    const issuerSigner = fx.issuerSigner.address;
    expect(stdout.split("\n")[0]).toMatch(/^ID +NAME +URI +STATUS +SIGNERS$/);
    expect(stdout.split("\n")[1]).toMatch(new RegExp(`^1 +Test University .* active +${issuerSigner} ${extra}$`));
    const { stdout: json } = await cli(["issuers", ...rpc(), "--signers", "--json"]);
    expect((JSON.parse(json) as { signers: string[] }[])[0]!.signers).toEqual([issuerSigner, extra]);
    await fx.issuer.removeSigner(fx.issuerId, extra);
  });

  it("says which issuer an address signs or signed for with --signer", async () => {
    const signer = fx.issuerSigner.address;
    expect((await cli(["issuers", ...rpc(), "--signer", signer])).stdout).toBe(
      `${signer} signs for issuer 1 (Test University)\n`,
    );
    const removed = new Wallet(fx.chain.privateKey(10)).address;
    await fx.issuer.addSigner(fx.issuerId, removed);
    await fx.issuer.removeSigner(fx.issuerId, removed);
    expect((await cli(["issuers", ...rpc(), "--signer", removed])).stdout).toBe(
      `${removed} was a signer of issuer 1 (Test University) and was removed: it can never sign for any issuer again\n`,
    );
    const stranger = new Wallet(fx.chain.privateKey(11)).address;
    expect((await cli(["issuers", ...rpc(), "--signer", stranger])).stdout).toBe(
      `${stranger} has never been a signer in this registry\n`,
    );
    const { stdout } = await cli(["issuers", ...rpc(), "--signer", removed, "--json"]);
    expect(JSON.parse(stdout)).toMatchObject({ address: removed, issuerId: 1, active: false, issuer: { id: 1 } });
  });

  it("needs --registry with --rpc, and one of --api and --rpc", async () => {
    expect(await cli(["issuers", "--rpc", fx.chain.url])).toMatchObject({
      status: 2,
      stderr: "credroot: --rpc needs --registry 0x… (the registry contract)\n",
    });
    expect((await cli(["issuers"])).status).toBe(2);
  });

  it("exits 2 when the chain cannot be reached", async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const { status, stderr } = await cli(["issuers", "--rpc", url, "--registry", fx.registry]);
    expect(status).toBe(2);
    expect(stderr).toMatch(/^credroot: chain call failed: /);
    expect(stderr).not.toContain(url);
  });
});

describe("credroot issuers --api", () => {
  let service: ListeningService;

  beforeAll(async () => {
    service = await listeningService();
    await moreIssuers(service.fx);
  });

  afterAll(async () => {
    await service.close();
  });

  it("prints the same table through the service as from the chain", async () => {
    const onChain = await cli(["issuers", "--rpc", service.fx.chain.url, "--registry", service.fx.registry]);
    const { status, stdout } = await cli(["issuers", "--api", service.url]);
    expect(status).toBe(0);
    expect(stdout).toBe(onChain.stdout);
  });

  it("prints the issuer records with --json", async () => {
    const { stdout } = await cli(["issuers", "--api", service.url, "--json"]);
    expect((JSON.parse(stdout) as unknown[]).slice(0, 2)).toEqual([
      { id: 1, name: "Test University", uri: "https://uni.test", active: true, accreditedUntil: null },
      { id: 2, name: "Hogeschool Twee", uri: "https://hs2.test", active: false, accreditedUntil: null },
    ]);
  });
});
