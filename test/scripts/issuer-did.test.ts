import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { IssuerKey } from "../../src/standard";
import { issuerSeed, MASTER_SECRET_NAME } from "../../server/signing-keys";
import { openStore } from "../../server/store";

const run = promisify(execFile);

const script = (env: Record<string, string>, ...args: string[]) =>
  run(process.execPath, ["--import", "tsx", "scripts/issuer-did.ts", ...args], {
    env: { ...process.env, ISSUER_SIGNING_KEY: "", ...env },
  });

describe("npm run issuer-did", () => {
  it("prints the DID the service signs with: from the database's master secret, kept across runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "credroot-did-"));
    try {
      const url = `file:${join(dir, "db.sqlite")}`;
      const first = await script({ DATABASE_URL: url }, "--issuer", "2");
      const again = await script({ DATABASE_URL: url }, "--issuer", "2");
      expect(first.stdout).toMatch(/^did:key:z6Mk\w+\n$/);
      expect(again.stdout).toBe(first.stdout);
      expect(first.stderr).toContain(`credroot accreditor add-key --issuer 2 --did ${first.stdout.trim()}`);
      const store = openStore(url);
      let master: Buffer;
      try {
        master = await store.serviceSecret(MASTER_SECRET_NAME, () => {
          throw new Error("the script stored no master secret");
        });
      } finally {
        await store.close();
      }
      expect((await IssuerKey.fromSeed(issuerSeed(master, 2))).did).toBe(first.stdout.trim());
      for (const text of [first.stdout, first.stderr]) {
        expect(text).not.toContain(master.toString("hex"));
        expect(text).not.toContain(Buffer.from(issuerSeed(master, 2)).toString("hex"));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("derives from ISSUER_SIGNING_KEY when set, and refuses a bad one or a bad issuer without echoing it", async () => {
    const master = "5a".repeat(32);
    const { stdout } = await script({ DATABASE_URL: ":memory:", ISSUER_SIGNING_KEY: master }, "--issuer", "1");
    expect(stdout.trim()).toBe((await IssuerKey.fromSeed(issuerSeed(Buffer.from(master, "hex"), 1))).did);
    await expect(
      script({ DATABASE_URL: ":memory:", ISSUER_SIGNING_KEY: "secret-ish" }, "--issuer", "1"),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.not.stringContaining("secret-ish") as unknown,
    });
    await expect(script({ DATABASE_URL: ":memory:" }, "--issuer", "0")).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/--issuer must be the issuer's id/) as unknown,
    });
  });
});
