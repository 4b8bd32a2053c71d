import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { writeStatusList } from "../../server/status-lists/write";
import type { Hex32 } from "../../src";
import { type TestDatabase, testDatabase } from "../support/db";
import { recordIssuerKey } from "../support/issuer-key";
import { type ServiceFixture, startService } from "../support/service";
import { revokedBit } from "../src/standard/status-list-third-party";
import { digitalbazaarVerify } from "../src/standard/third-party";
import { issueFinalBatch } from "./helpers";

const run = promisify(execFile);
const SEED = "7c".repeat(32);
const HOSTED = "https://static.example/revocation";

describe("npm run status-list (scripts/status-list.ts)", () => {
  let fx: ServiceFixture;
  let db: TestDatabase;
  let ids: string[];
  const env = () => ({
    RPC_URL: fx.chain.url,
    CHAIN_ID: String(fx.chain.chainId),
    REGISTRY_ADDRESS: fx.registry,
    ISSUER_PRIVATE_KEY: fx.chain.privateKey(1),
    DATABASE_URL: db.url,
    ISSUER_SIGNING_KEY: SEED,
    STATUS_LIST_BASE_URL: HOSTED,
    LOG_LEVEL: "silent",
  });

  beforeAll(async () => {
    db = await testDatabase();
    fx = await startService({
      store: db.open(),
      env: { ISSUER_SIGNING_KEY: SEED, STATUS_LIST_BASE_URL: `${HOSTED}/` },
    });
    await recordIssuerKey(fx);
    const { accepted } = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]);
    ids = accepted.credentials.map((c) => c.id);
    const digest = (await fx.store.getCredential(ids[1]!))!.digest as Hex32;
    await fx.issuer.revokeCredential(digest, "issued in error");
  }, 120_000);
  afterAll(async () => {
    await fx.close();
    await db.dispose();
  });

  it("writes the list the hosted URL names, signed, with the chain's revocations", async () => {
    const res = await fx.app.inject({ url: `/v1/credentials/${ids[0]!}/credential` });
    const doc = res.json<{ credentialStatus: { statusListCredential: string } }>();
    expect(doc.credentialStatus.statusListCredential).toBe(`${HOSTED}/${fx.issuerId}`);

    const { loadConfig } = await import("../../server/config");
    const written = await writeStatusList({ config: loadConfig(env()), issuerId: fx.issuerId });
    expect(written.url).toBe(`${HOSTED}/${fx.issuerId}`);
    expect(written.revoked).toEqual([1]);
    const list = JSON.parse(written.body) as { id: string };
    expect(list.id).toBe(written.url);
    expect((await digitalbazaarVerify(list)).verified).toBe(true);
    // A verifier that fetches the hosted file sees credential 0 valid (its own copy, signed before, names it).
    const hosted = (url: string) => (url === written.url ? Promise.resolve(list) : Promise.reject(new Error(url)));
    expect(await revokedBit(doc, hosted)).toBe(false);
  });

  it("writes the file from the command line, and fails plainly for an issuer the database does not have", async () => {
    const dir = mkdtempSync(join(tmpdir(), "credroot-status-list-"));
    try {
      const out = join(dir, "1.json");
      const script = (issuer: string) =>
        run(process.execPath, ["--import", "tsx", "scripts/status-list.ts", "--issuer", issuer, "--out", out], {
          env: { ...process.env, ...env() },
        });
      const { stderr } = await script(String(fx.issuerId));
      expect(stderr).toContain(`1 revoked; host it at ${HOSTED}/${fx.issuerId}`);
      const list = JSON.parse(readFileSync(out, "utf8")) as { credentialSubject: { encodedList: string } };
      expect((await digitalbazaarVerify(list)).verified).toBe(true);
      const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
      expect([bits.getStatus(0), bits.getStatus(1)]).toEqual([false, true]);
      await expect(script("77")).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/issuer 77 is not in this service's database/) as unknown,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
