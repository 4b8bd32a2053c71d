import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/keys";
import { openStore } from "../../server/store";

const run = promisify(execFile);

// Issue 15, point 21: the operator's command to revoke an API key (an SQLite file is enough).
describe("scripts/create-api-key.ts --revoke", () => {
  it("revokes a key by its id or the whole key, and fails on an unknown one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "credroot-keys-"));
    try {
      const url = `file:${join(dir, "db.sqlite")}`;
      const store = openStore(url);
      const [a, b] = [generateApiKey(), generateApiKey()];
      try {
        await store.migrate();
        await store.upsertIssuer({ id: 1, name: "Uni" });
        for (const key of [a, b]) await store.createApiKey({ id: key.id, issuerId: 1, digest: key.digest, label: "t" });
      } finally {
        await store.close();
      }
      const script = (arg: string) =>
        run(process.execPath, ["--import", "tsx", "scripts/create-api-key.ts", "--revoke", arg], {
          env: { ...process.env, DATABASE_URL: url },
        });
      const byId = await script(a.id);
      expect(byId.stderr).toMatch(new RegExp(`API key ${a.id} of issuer #1 revoked`));
      await script(b.key);
      await expect(script("AAAAAAAAAAAAAAAA")).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringMatching(/there is no API key AAAAAAAAAAAAAAAA/) as unknown,
      });
      const after = openStore(url);
      try {
        expect((await after.getApiKey(a.id))?.revokedAt).toEqual(expect.any(String));
        expect((await after.getApiKey(b.id))?.revokedAt).toEqual(expect.any(String));
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
