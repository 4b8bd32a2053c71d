import { basename, join } from "node:path";
import { type Bundle, isCredrootError, parseBundle } from "../src";
import { sleep } from "../src/timeout";
import { ApiError, type BatchStatus, type ServiceClient, serviceClient } from "./api";
import { CliError, type CliIo, csvLine, EXIT, jsonText, makeFolder, mapLimit, writeText } from "./io";
import { bundlePath, type IssueFlags, type IssueInput, type IssueSummary, invalidRows } from "./issue-input";
import { printable } from "./printable";
import { countingBar, progressBar } from "./progress";

interface Accepted {
  id: string;
  root: string;
  count: number;
  status: string;
}

interface CredentialPage {
  credentials: { id: string; index: number }[];
}

/** Order of a batch's states on its way to the chain. */
const STAGES = ["pending", "submitted", "anchored", "final"] as const;
const PAGE = 1000;
const POLL_MS = 500;
const DOWNLOADS_AT_ONCE = 8;

async function submit(client: ServiceClient, input: IssueInput): Promise<Accepted> {
  try {
    return input.kind === "csv"
      ? await client.post<Accepted>("/v1/batches", input.text, "text/csv")
      : await client.post<Accepted>("/v1/batches", {
          credentials: input.credentials,
          ...(input.uri === "" ? {} : { uri: input.uri }),
        });
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== "invalid-credential") throw error;
    const problems = error.details.map((d) => ({
      row: d.row ?? 0,
      ...(d.line === undefined ? {} : { line: d.line }),
      path: d.path ?? "/",
      message: d.message,
    }));
    throw invalidRows(error.message, problems);
  }
}

/** Polls the batch until it reaches `until`, showing its state; fails on `failed` / `revoked` / timeout. */
async function waitFor(io: CliIo, client: ServiceClient, id: string, flags: IssueFlags): Promise<BatchStatus> {
  const target = STAGES.indexOf(flags.until);
  const deadline = Date.now() + flags.timeout;
  const bar = progressBar(io, target, "anchoring {bar} {status} | {duration_formatted}", { status: "pending" });
  let last = "";
  try {
    for (;;) {
      const batch = await client.get<BatchStatus>(`/v1/batches/${encodeURIComponent(id)}`);
      if (batch.status === "failed" || batch.status === "revoked") {
        throw new CliError(`batch ${id} is ${batch.status}: ${batch.error ?? batch.revokedReason ?? ""}`, EXIT.refused);
      }
      const stage = STAGES.indexOf(batch.status);
      bar.update(Math.min(stage, target), { status: printable(batch.status) });
      // Off a terminal there is no bar: say each change of state once, for logs.
      if (!io.stderr.isTTY && batch.status !== last) io.stderr.write(`${printable(`batch ${id}: ${batch.status}`)}\n`);
      last = batch.status;
      if (stage >= target) return batch;
      if (Date.now() > deadline) {
        throw new CliError(
          `batch ${id} is still ${batch.status} after ${flags.timeout / 1000} s; it is stored and will be anchored: ` +
            `follow it with credroot status ${id}`,
          EXIT.couldNot,
        );
      }
      await sleep(POLL_MS);
    }
  } finally {
    bar.stop();
  }
}

/**
 * The batch's credentials as the service lists them, each checked: an id that is a non-empty string and an index
 * that is an integer in `0 … count - 1`, each index once. File names are built from the index alone, so a hostile
 * or broken service (an index of `"../../x"`) cannot have the CLI write outside `--out`.
 */
async function credentialIds(
  client: ServiceClient,
  batchId: string,
  count: number,
): Promise<{ id: string; index: number }[]> {
  const all: { id: string; index: number }[] = [];
  const seen = new Set<number>();
  const bad = (what: string) =>
    new CliError(`the service listed ${what} for batch ${batchId} (of ${count} credentials)`, EXIT.couldNot);
  if (!Number.isSafeInteger(count) || count < 0) throw bad("a batch whose count is not a whole number");
  for (let offset = 0; ; offset += PAGE) {
    const page = await client.get<CredentialPage>(
      `/v1/batches/${encodeURIComponent(batchId)}/credentials?offset=${offset}&limit=${PAGE}`,
    );
    const credentials: unknown = (page as { credentials?: unknown } | null)?.credentials;
    if (!Array.isArray(credentials)) throw bad("no credentials array");
    for (const item of credentials as unknown[]) {
      const { id, index } = (item ?? {}) as { id?: unknown; index?: unknown };
      if (typeof id !== "string" || id === "" || id.length > 256) throw bad("a credential without a usable id");
      if (typeof index !== "number" || !Number.isSafeInteger(index) || index < 0 || index >= count) {
        throw bad(
          `credential ${printable(id)} at index ${printable(index === undefined ? "none" : JSON.stringify(index))}`,
        );
      }
      if (seen.has(index)) throw bad(`index ${index} twice`);
      seen.add(index);
      all.push({ id, index });
    }
    if (all.length > count) throw bad(`more than ${count} credentials`);
    if (credentials.length < PAGE) return all;
  }
}

/** A bundle as the service hands it, checked as any verifier would read it (v2, strict). */
function v2Bundle(value: unknown, credentialId: string): Bundle {
  try {
    return parseBundle(value);
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    throw new CliError(
      `the service answered no usable bundle for credential ${credentialId}: ${error.message}`,
      EXIT.couldNot,
    );
  }
}

async function downloadBundles(
  io: CliIo,
  client: ServiceClient,
  batchId: string,
  count: number,
  folder: string,
): Promise<number> {
  const credentials = await credentialIds(client, batchId, count);
  const bar = countingBar(io, "downloading bundles", credentials.length);
  let done = 0;
  try {
    await mapLimit(credentials, DOWNLOADS_AT_ONCE, async ({ id, index }) => {
      const bundle = v2Bundle(await client.get<unknown>(`/v1/credentials/${encodeURIComponent(id)}/bundle`), id);
      if (bundle.anchor.batchId !== batchId) {
        throw new CliError(
          `the service answered a bundle of batch ${bundle.anchor.batchId} for credential ${id} of batch ${batchId}`,
          EXIT.couldNot,
        );
      }
      writeText(bundlePath(folder, index, count), jsonText(bundle), { exclusive: true });
      bar.update(++done);
    });
  } finally {
    bar.stop();
  }
  writeText(join(folder, INDEX_FILE), credentialIndex(client.base, folder, credentials, count), { exclusive: true });
  return credentials.length;
}

/** The file beside the bundles that maps each to its service credential id and share link. */
export const INDEX_FILE = "credentials.csv";

/**
 * `file,row,credential_id,share_url`, one line per credential in row order: the ids are what
 * `credroot revoke --credential` and the learner's `/v1/credentials/<id>/…` URLs take. Every cell is escaped
 * ({@link csvLine}): an id from the service cannot add columns or become a spreadsheet formula.
 */
function credentialIndex(
  baseUrl: string,
  folder: string,
  credentials: readonly { id: string; index: number }[],
  count: number,
): string {
  const lines = [...credentials]
    .sort((a, b) => a.index - b.index)
    .map(({ id, index }) => {
      const file = basename(bundlePath(folder, index, count));
      return csvLine([file, index + 1, id, `${baseUrl}/v/${encodeURIComponent(id)}`]);
    });
  return `file,row,credential_id,share_url\n${lines.join("\n")}\n`;
}

/** Issues through a credroot service: submit, wait for the anchor, download every bundle. */
export async function issueThroughService(io: CliIo, input: IssueInput, flags: IssueFlags): Promise<IssueSummary> {
  const client = serviceClient(io, flags, true);
  makeFolder(flags.out);
  const accepted = await submit(client, input);
  io.stderr.write(
    `${printable(`submitted batch ${accepted.id}: ${accepted.count} credentials, root ${accepted.root}`)}\n`,
  );
  const batch = await waitFor(io, client, accepted.id, flags);
  const count = await downloadBundles(io, client, accepted.id, batch.count, flags.out);
  return {
    count,
    issuerId: batch.issuerId,
    root: batch.root,
    txHash: batch.txHash ?? "",
    blockNumber: batch.blockNumber ?? 0,
    batchId: batch.id,
    status: batch.status,
    index: join(flags.out, INDEX_FILE),
  };
}
