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
 * Writes every bundle of `batch` and `credentials.csv` into `out` as one zip, reading the credentials a
 * page at a time and waiting whenever `out` is full: memory stays bounded whatever the batch's size.
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
  const add = (name: string, text: string) => {
    const file = new ZipDeflate(name, { level: 6 });
    zip.add(file);
    file.push(strToU8(text), true);
  };
  const index = ["file,row,credential_id,share_url"];
  const block = batch.blockNumber ?? 0;
  for (let offset = 0; offset < batch.count; offset += PAGE) {
    const page = await app.store.listCredentials(batch.id, offset, PAGE);
    for (const credential of page) {
      const name = bundleFileName(credential.index, batch.count);
      add(name, `${JSON.stringify(bundleOfRecord(app, credential, batch, block), null, 2)}\n`);
      const share = `${base}/v/${encodeURIComponent(credential.id)}`;
      index.push([name, credential.index + 1, credential.id, share].map(csvCell).join(","));
    }
    if (out.writableNeedDrain) await once(out, "drain");
    if (out.destroyed) return;
  }
  add("credentials.csv", `${index.join("\n")}\n`);
  zip.end();
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
