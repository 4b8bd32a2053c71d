import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import {
  type AnchorContext,
  type Bundle,
  bundleFor,
  digestOfOpening,
  type Hex32,
  newBatchId,
  openBundle,
  type PreparedBatch,
  prepareBatch,
  toHex,
} from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import type { Output } from "../../cli/io";
import { run } from "../../cli/main";
import type { RegistryFixture } from "../../harness/registry";
import { type ServiceFixture, startService } from "../support/service";

/** What one in-process run of the CLI printed, and its exit status. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** A writer that keeps what it is given; `tty` makes it look like a terminal (progress bars draw). */
export function recorder(tty = false): Output & { text: () => string } {
  const chunks: string[] = [];
  return {
    write: (text: string) => chunks.push(text),
    isTTY: tty,
    columns: 100,
    text: () => chunks.join(""),
  };
}

/**
 * Runs `credroot …argv` in this process with `env` as its whole environment (nothing leaks in
 * from the test runner's). `ttyStderr` makes stderr look like a terminal.
 */
export async function cli(
  argv: readonly string[],
  env: Record<string, string> = {},
  options: { ttyStderr?: boolean } = {},
): Promise<CliRun> {
  const stdout = recorder();
  const stderr = recorder(options.ttyStderr ?? false);
  const status = await run(argv, { stdout, stderr, env });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}

const folders: string[] = [];
// Registered when a test file imports the harness: its folders go once the file's tests are done.
afterAll(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A fresh temporary folder, removed after the test file. */
export function tempFolder(prefix = "credroot-cli-"): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  folders.push(folder);
  return folder;
}

/** Writes `value` (JSON unless a string) to `folder/name` and returns the path. */
export function writeFile(folder: string, name: string, value: unknown): string {
  const path = join(folder, name);
  writeFileSync(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
  return path;
}

/** The `.json` files of `folder`, as paths, sorted. */
export function jsonFiles(folder: string): string[] {
  return readdirSync(folder)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => join(folder, f));
}

/** The service listening on an ephemeral 127.0.0.1 port, its chain mining a block every 100 ms. */
export interface ListeningService {
  fx: ServiceFixture;
  url: string;
  close(): Promise<void>;
}

export async function listeningService(): Promise<ListeningService> {
  // Rate limits are not under test: a test fetches many bundles from one address.
  const fx = await startService({ env: { RATE_LIMIT_PER_MINUTE: "1000000" } });
  const url = await fx.app.listen({ host: "127.0.0.1", port: 0 });
  // Blocks keep coming without transactions, so a batch reaches finality (2 blocks) by itself.
  await fx.chain.provider.send("evm_setIntervalMining", [100]);
  return {
    fx,
    url,
    close: async () => {
      await fx.chain.provider.send("evm_setIntervalMining", [0]);
      await fx.close();
    },
  };
}

/** Issues `count` sample credentials with `credroot issue --api`; the batch id and the bundle files. */
/** Credential ids {@link issueThroughService} handed out so far. */
let issuedIds = 0;

export async function issueThroughService(
  service: ListeningService,
  count: number,
): Promise<{ batchId: string; files: string[]; run: CliRun }> {
  const folder = tempFolder();
  const input = writeFile(folder, "batch.json", {
    // New credential ids each time: the service refuses an id issued before (issue 15, point 20).
    credentials: Array.from({ length: count }, (_, i) => sampleCredential(i, { id: `urn:test:issued-${++issuedIds}` })),
  });
  const out = join(folder, "bundles");
  const result = await cli(["issue", input, "--api", service.url, "--key", service.fx.apiKey, "--out", out]);
  const batchId = /^ {2}batch +(\S+)$/m.exec(result.stdout)?.[1];
  if (result.status !== 0 || batchId === undefined) throw new Error(`issue failed: ${result.stderr}`);
  return { batchId, files: jsonFiles(out), run: result };
}

/** A fresh batch of `credentials` prepared for the fixture's issuer (chain, registry, new batch id) and anchored. */
export async function anchorBatch(
  fx: RegistryFixture,
  credentials: readonly unknown[],
  context: Partial<AnchorContext> = {},
): Promise<{ batch: PreparedBatch; bundles: Bundle[] }> {
  const full: AnchorContext = {
    chainId: fx.chain.chainId,
    registry: fx.registry,
    issuerId: fx.issuerId,
    batchId: newBatchId(),
    ...context,
  };
  const batch = prepareBatch(credentials, full);
  const { blockNumber } = await fx.issuer.anchor(full.batchId, batch.root, batch.count);
  return { batch, bundles: batch.credentials.map((_, i) => bundleFor(batch, i, blockNumber)) };
}

/** The digest of a bundle's credential, as the registry keys its revocation. */
export function digestOf(bundle: Bundle): Hex32 {
  return toHex(digestOfOpening(openBundle(bundle)));
}

/** A JSON-RPC endpoint in front of `target` that counts the methods it is asked (single calls and batches). */
export async function countingRpc(target: string): Promise<{ url: string; calls: string[]; close(): Promise<void> }> {
  const calls: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const parsed = JSON.parse(body) as { method: string } | { method: string }[];
      for (const call of Array.isArray(parsed) ? parsed : [parsed]) calls.push(call.method);
      void fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body })
        .then(async (answer) => {
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(await answer.text());
        })
        .catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
