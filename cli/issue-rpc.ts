import {
  type AnchorContext,
  bundleFor,
  bytes16ToBatchId,
  isCredrootError,
  newBatchId,
  parseRegistryEvent,
  type PreparedBatch,
  prepareBatch,
  RegistryClient,
  type WriteReceipt,
} from "../src";
import { parseCredentialsCsv } from "../src/node/csv";
import { connect, rpcUrl, signerIssuer, signerWallet } from "./chain";
import {
  bundlePath,
  invalidRows,
  type IssueFlags,
  type IssueInput,
  type IssueSummary,
  rowProblems,
} from "./issue-input";
import { CliError, type CliIo, EXIT, jsonText, makeFolder, usageError, writeText } from "./io";
import { countingBar } from "./progress";

/** The credentials of the input, and the CSV line of each (null for JSON). */
function credentialsOf(input: IssueInput): { credentials: unknown[]; lines: number[] | null; uri: string } {
  if (input.kind === "json") return { credentials: input.credentials, lines: null, uri: input.uri };
  try {
    const { credentials, lines } = parseCredentialsCsv(input.text);
    return { credentials, lines, uri: "" };
  } catch (error) {
    // A malformed CSV is bad input like an invalid row: the same status, its line listed.
    if (!isCredrootError(error, "INVALID_ARGUMENT")) throw error;
    const lines = error.details.map((d) => `${d.path}: ${d.message}`);
    throw new CliError(`${input.file}: ${error.message}; nothing was anchored`, EXIT.refused, lines);
  }
}

function prepare(
  io: CliIo,
  credentials: readonly unknown[],
  lines: number[] | null,
  context: AnchorContext,
): PreparedBatch {
  const bar = countingBar(io, "committing", credentials.length);
  try {
    return prepareBatch(credentials, context, { onProgress: (done) => bar.update(done) });
  } catch (error) {
    if (!isCredrootError(error, "INVALID_CREDENTIAL")) throw error;
    throw invalidRows(`${error.message}; nothing was anchored`, rowProblems(error.details, lines));
  } finally {
    bar.stop();
  }
}

/** The issuer and batch that the `BatchAnchored` event of the receipt records (the chain's word). */
function anchoredAs(receipt: WriteReceipt): { issuerId: number; batchId: string; root: string } | null {
  for (const log of receipt.logs) {
    const event = parseRegistryEvent(log, "BatchAnchored");
    if (event) {
      return {
        issuerId: Number(event.issuerId),
        batchId: bytes16ToBatchId(event.batchId),
        root: event.root.toLowerCase(),
      };
    }
  }
  return null;
}

function writeBundles(io: CliIo, batch: PreparedBatch, block: number, folder: string): void {
  const bar = countingBar(io, "writing bundles", batch.count);
  try {
    for (let i = 0; i < batch.count; i++) {
      writeText(bundlePath(folder, i, batch.count), jsonText(bundleFor(batch, i, block)), { exclusive: true });
      bar.update(i + 1);
    }
  } finally {
    bar.stop();
  }
}

/**
 * Issues straight to the registry: validate and commit every credential bound to the chain the
 * endpoint serves, the registry, the signer's issuer and a new batch id; anchor the root; write
 * the bundles.
 */
export async function issueOnChain(io: CliIo, input: IssueInput, flags: IssueFlags): Promise<IssueSummary> {
  if (flags.registry === undefined) throw usageError("--rpc needs --registry 0x… (the registry contract)");
  const { credentials, lines, uri } = credentialsOf(input);
  const { provider, chainId } = await connect(rpcUrl(io, flags.rpc), flags.chainId);
  try {
    const wallet = signerWallet(io, provider);
    const registry = new RegistryClient(flags.registry, wallet);
    const issuerId = await signerIssuer(registry, wallet.address);
    const context: AnchorContext = { chainId, registry: flags.registry.toLowerCase(), issuerId, batchId: newBatchId() };
    const batch = prepare(io, credentials, lines, context);
    makeFolder(flags.out); // before anchoring: once the root is on chain, the bundles must be written
    io.stderr.write(
      `anchoring batch ${context.batchId}, root ${batch.root} (${batch.count} credentials) as issuer ${issuerId}…\n`,
    );
    const receipt = await registry.anchor(context.batchId, batch.root, batch.count, uri);
    const anchored = anchoredAs(receipt);
    if (anchored?.issuerId !== issuerId || anchored.batchId !== context.batchId || anchored.root !== batch.root) {
      // Every leaf is bound to this issuer and batch: bundles of another would never verify.
      throw new CliError(
        `the chain recorded tx ${receipt.txHash} as ${anchored ? `batch ${anchored.batchId} of issuer ${anchored.issuerId}` : "no anchor"}, ` +
          `not batch ${context.batchId} of issuer ${issuerId}: no bundle was written`,
        EXIT.bug,
      );
    }
    try {
      writeBundles(io, batch, receipt.blockNumber, flags.out);
    } catch (error) {
      // The secrets exist only in this process: without the bundles nobody can prove these credentials.
      const why = error instanceof Error ? error.message : String(error);
      throw new CliError(
        `batch ${context.batchId} is anchored (tx ${receipt.txHash}) but the bundles could not be written (${why}): ` +
          "revoke the batch and issue it again",
        EXIT.couldNot,
      );
    }
    return {
      count: batch.count,
      batchId: context.batchId,
      issuerId,
      root: batch.root,
      txHash: receipt.txHash,
      blockNumber: receipt.blockNumber,
    };
  } finally {
    provider.destroy();
  }
}
