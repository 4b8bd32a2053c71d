import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { bundleFor, newBatchId, prepareBatch } from "../../src";
import { csvCell } from "../../cli/io";
import { cli, tempFolder, writeFile } from "./harness";

/**
 * A hostile credroot service on 127.0.0.1: it accepts any batch, says it is final, and lists the credentials
 * `listing()` gives (ids and indexes of its choosing), each with a well-formed bundle of its batch.
 */
async function hostileService(listing: () => unknown[]): Promise<{ url: string; close(): Promise<void> }> {
  const batchId = newBatchId();
  const batch = prepareBatch([sampleCredential(0), sampleCredential(1)], {
    chainId: 31337,
    registry: `0x${"11".repeat(20)}`,
    issuerId: 1,
    batchId,
  });
  const status = {
    id: batchId,
    issuerId: 1,
    root: batch.root,
    count: 2,
    status: "final",
    txHash: `0x${"22".repeat(32)}`,
    blockNumber: 7,
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
  };
  let served = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const url = req.url ?? "";
      let body: unknown;
      if (req.method === "POST") body = { id: batchId, root: batch.root, count: 2, status: "pending" };
      else if (url.includes("/credentials?")) body = { credentials: listing() };
      else if (url.startsWith("/v1/credentials/")) body = bundleFor(batch, served++ % 2, 7);
      else body = status;
      res.writeHead(req.method === "POST" ? 202 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("credroot issue --api against a hostile service", () => {
  let folder: string;
  let input: string;
  let listing: unknown[] = [];
  let service: Awaited<ReturnType<typeof hostileService>>;

  beforeAll(async () => {
    service = await hostileService(() => listing);
    folder = tempFolder();
    input = writeFile(folder, "batch.json", { credentials: [sampleCredential(0), sampleCredential(1)] });
  });
  afterAll(async () => {
    await service.close();
  });

  const issue = (out: string) => cli(["issue", input, "--api", service.url, "--key", "crk_x", "--out", out]);

  describe("16: an index from the service never names a file outside --out", () => {
    it.each([
      ["a string index", "../../x"],
      ["a negative index", -1],
      ["an index past the batch", 2],
      ["a fractional index", 0.5],
      ["no index", undefined],
    ])("refuses %s (exit 2) and writes nothing outside --out", async (_case, index) => {
      listing = [
        { id: "ok-0", index: 0 },
        { id: "evil", index },
      ];
      // Two levels down: "../../x" would land beside batch.json, where the check below looks.
      const out = join(folder, `out-${String(Math.random()).slice(2)}`, "bundles");
      const { status, stderr } = await issue(out);
      expect(status, stderr).toBe(2);
      expect(stderr).toContain("the service listed");
      // Only the input and the --out folders of these tests: no file written beside them.
      expect(readdirSync(folder).filter((f) => f !== "batch.json" && !f.startsWith("out-"))).toEqual([]);
      expect(existsSync(join(folder, "x1.json"))).toBe(false);
      expect(readdirSync(out)).toEqual([]);
    });

    it("refuses an index listed twice", async () => {
      listing = [
        { id: "a", index: 0 },
        { id: "b", index: 0 },
      ];
      const { status, stderr } = await issue(join(folder, "twice"));
      expect(status).toBe(2);
      expect(stderr).toContain("index 0 twice");
    });
  });

  describe("15: credentials.csv cells are escaped", () => {
    it("quotes and neutralises every hostile id: no formula, no extra column or row", async () => {
      const ids = ['=HYPERLINK("http://evil.example","x")', "-2+3", "@SUM(A1)", "a,b\nc"];
      listing = [
        { id: ids[0], index: 0 },
        { id: ids[1], index: 1 },
      ];
      const out = join(folder, "csv");
      const { status, stderr } = await issue(out);
      expect(status, stderr).toBe(0);
      const text = readFileSync(join(out, "credentials.csv"), "utf8");
      const rows: string[][] = parse(text, { relaxQuotes: false });
      expect(rows).toHaveLength(3);
      for (const row of rows) expect(row).toHaveLength(4);
      expect(rows.slice(1).map((r) => r[2])).toEqual([`'${ids[0]}`, `'${ids[1]}`]);
      for (const row of rows.slice(1)) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    });

    it.each([
      ["plain", "plain"],
      ["=1+1", "'=1+1"],
      ["+1", "'+1"],
      ["-1", "'-1"],
      ["@x", "'@x"],
      ["\tx", "'\tx"],
      ["\rx", '"\'\rx"'],
      ["a,b", '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ["a\nb", '"a\nb"'],
      [7, "7"],
    ])("csvCell(%j) is %j", (value, cell) => {
      expect(csvCell(value)).toBe(cell);
    });
  });
});
