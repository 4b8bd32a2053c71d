import { once } from "node:events";
import { PassThrough } from "node:stream";
import { strToU8, Zip, ZipDeflate } from "fflate";
import { bundleOfRecord } from "../bundles";
import { HttpError, notFound } from "../errors";
import { issuerRoute } from "../rate-limits";
import { errors, idParams } from "../schemas/common";
import type { RouteInstance, RoutePlugin } from "../schemas/types";
import type { BatchRecord } from "../store/types";
import { baseUrl } from "./share";

/** Credentials read from the store at a time: what the archive holds in memory, besides the zip's own buffers. */
const PAGE = 200;

const OFFERED = new Set(["anchored", "final", "revoked"]);

/** `0001.json`: the name `credroot issue` gives a bundle in its folder (row order, at least four digits). */
export function bundleFileName(index: number, count: number): string {
  return `${String(index + 1).padStart(Math.max(4, String(count).length), "0")}.json`;
}

/**
 * One CSV cell as RFC 4180 writes it, a cell a spreadsheet would read as a formula prefixed with a quote
 * (as the CLI's `credentials.csv` does): nothing in the file becomes a column or a formula.
 */
function csvCell(value: string | number): string {
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Waits until `out` takes more (or is closed: a client that went away). */
async function room(out: PassThrough): Promise<void> {
  if (!out.writableNeedDrain || out.destroyed) return;
  const stop = new AbortController();
  const { signal } = stop;
  await Promise.race([once(out, "drain", { signal }), once(out, "close", { signal })]).finally(() => stop.abort());
}

async function ownAnchoredBatch(app: RouteInstance, id: string, issuerId: number): Promise<BatchRecord> {
  const batch = await app.store.getBatch(id);
  if (!batch) throw notFound(`batch ${id}`);
  if (batch.issuerId !== issuerId) throw new HttpError("forbidden", "this batch belongs to another issuer");
  if (!OFFERED.has(batch.status) || batch.blockNumber === null) {
    throw new HttpError(
      "not-anchored-yet",
      `the batch is ${batch.status}; its bundles are offered once it is anchored`,
    );
  }
  return batch;
}

/**
 * Writes `credentials.csv` and then every bundle of `batch` into `out` as one zip, reading the credentials
 * a page at a time (twice: once for the index, once for the bundles) and waiting whenever `out` is full:
 * memory stays bounded whatever the batch's size.
 */
async function writeArchive(app: RouteInstance, batch: BatchRecord, out: PassThrough): Promise<void> {
  const base = baseUrl(app);
  const zip = new Zip((error, chunk, final) => {
    if (error) out.destroy(error);
    else {
      out.write(chunk);
      if (final) out.end();
    }
  });
  /** Each page of the batch's credentials, once `out` has room for more. */
  async function* pages() {
    for (let offset = 0; offset < batch.count; offset += PAGE) {
      await room(out);
      if (out.destroyed) return;
      yield await app.store.listCredentials(batch.id, offset, PAGE);
    }
  }
  const index = new ZipDeflate("credentials.csv", { level: 6 });
  zip.add(index);
  index.push(strToU8("file,row,credential_id,share_url\n"));
  for await (const page of pages()) {
    const lines = page.map((c) => {
      const cells = [bundleFileName(c.index, batch.count), c.index + 1, c.id, `${base}/v/${encodeURIComponent(c.id)}`];
      return `${cells.map(csvCell).join(",")}\n`;
    });
    index.push(strToU8(lines.join("")));
  }
  index.push(new Uint8Array(0), true);
  const block = batch.blockNumber ?? 0;
  for await (const page of pages()) {
    for (const credential of page) {
      const file = new ZipDeflate(bundleFileName(credential.index, batch.count), { level: 6 });
      zip.add(file);
      file.push(strToU8(`${JSON.stringify(bundleOfRecord(app, credential, batch, block), null, 2)}\n`), true);
    }
  }
  if (!out.destroyed) zip.end();
}

/** `GET /v1/batches/:id/archive.zip`: every bundle of an anchored batch and its `credentials.csv`, one zip. */
const archiveRoute: RoutePlugin = (app, _options, done) => {
  app.get(
    "/v1/batches/:id/archive.zip",
    {
      ...issuerRoute(app),
      schema: {
        summary: "Every bundle of an anchored batch and credentials.csv, as one zip",
        description:
          "What `credroot issue` writes in its folder: `0001.json`, … (one bundle per credential, in row order) and " +
          "`credentials.csv` (`file,row,credential_id,share_url`). Streamed: the batch may be of any size. 409 " +
          "`not-anchored-yet` before the batch is anchored.",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        params: idParams,
        response: {
          200: {
            description: "the archive, a zip file",
            content: { "application/zip": { schema: { type: "string", format: "binary" } } },
          },
          ...errors(400, 401, 403, 404, 409, 429),
        },
      },
    },
    async (request, reply) => {
      const batch = await ownAnchoredBatch(app, request.params.id, request.issuerId);
      baseUrl(app); // a service with no link to give (PUBLIC_URL unset) says so before the first byte
      const out = new PassThrough();
      writeArchive(app, batch, out).catch((error: unknown) => {
        request.log.error({ err: error, batchId: batch.id }, "batch archive failed");
        out.destroy(error as Error);
      });
      return reply
        .type("application/zip")
        .header("content-disposition", `attachment; filename="credroot-batch-${batch.id}.zip"`)
        .header("cache-control", "no-store")
        .send(out);
    },
  );
  done();
};

export default archiveRoute;
