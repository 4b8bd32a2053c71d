import { type JsonRpcProvider, Wallet } from "ethers";
import {
  type AnchorRef,
  bundleFor,
  decodeRegistryError,
  isCredrootError,
  type PreparedBatch,
  prepareBatch,
  RegistryClient,
  registryInterface,
  type WriteReceipt,
} from "..";
import { parseCredentialsCsv } from "../csv";
import { connect, rpcUrl } from "./chain";
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

function signer(io: CliIo, provider: JsonRpcProvider): Wallet {
  const key = io.env.CREDROOT_PRIVATE_KEY;
  if (key === undefined || key === "") {
    throw usageError("set CREDROOT_PRIVATE_KEY to the issuer signer's private key (it is never taken as a flag)");
  }
  try {
    return new Wallet(key, provider);
  } catch {
    throw usageError("CREDROOT_PRIVATE_KEY is not a private key (0x and 64 hex digits)");
  }
}

/** The issuer the wallet signs for, so that a wrong key fails before any work. */
async function issuerOf(registry: RegistryClient, account: string): Promise<number> {
  let id: bigint;
  try {
    id = (await registry.contract.getFunction("issuerOf").staticCall(account)) as bigint;
  } catch (error) {
    throw decodeRegistryError(error);
  }
  if (id === 0n) {
    throw new CliError(
      `${account} (from CREDROOT_PRIVATE_KEY) is not a signer of any issuer in registry ${registry.address}`,
      EXIT.refused,
    );
  }
  return Number(id);
}

function prepare(io: CliIo, credentials: readonly unknown[], lines: number[] | null): PreparedBatch {
  const bar = countingBar(io, "committing", credentials.length);
  try {
    return prepareBatch(credentials, { onProgress: (done) => bar.update(done) });
  } catch (error) {
    if (!isCredrootError(error, "INVALID_CREDENTIAL")) throw error;
    throw invalidRows(`${error.message}; nothing was anchored`, rowProblems(error.details, lines));
  } finally {
    bar.stop();
  }
}

/** The issuer id that the `BatchAnchored` event of the receipt records (the chain's word). */
function anchoredBy(receipt: WriteReceipt, fallback: number): number {
  for (const log of receipt.logs) {
    const event = registryInterface.parseLog(log);
    if (event?.name === "BatchAnchored") return Number(event.args[1]);
  }
  return fallback;
}

function writeBundles(io: CliIo, batch: PreparedBatch, anchor: AnchorRef, folder: string): void {
  const bar = countingBar(io, "writing bundles", batch.count);
  try {
    for (let i = 0; i < batch.count; i++) {
      writeText(bundlePath(folder, i, batch.count), jsonText(bundleFor(batch, i, anchor)), { exclusive: true });
      bar.update(i + 1);
    }
  } finally {
    bar.stop();
  }
}

/** Issues straight to the registry: validate and commit, anchor the root, write the bundles. */
export async function issueOnChain(io: CliIo, input: IssueInput, flags: IssueFlags): Promise<IssueSummary> {
  if (flags.registry === undefined) throw usageError("--rpc needs --registry 0x… (the registry contract)");
  const { credentials, lines, uri } = credentialsOf(input);
  const provider = await connect(rpcUrl(io, flags.rpc), flags.chainId);
  try {
    const wallet = signer(io, provider);
    const registry = new RegistryClient(flags.registry, wallet);
    const issuerId = await issuerOf(registry, wallet.address);
    const batch = prepare(io, credentials, lines);
    makeFolder(flags.out); // before anchoring: once the root is on chain, the bundles must be written
    io.stderr.write(`anchoring root ${batch.root} (${batch.count} credentials) as issuer ${issuerId}…\n`);
    const receipt = await registry.anchor(batch.root, batch.count, uri);
    const anchor: AnchorRef = {
      chainId: Number((await provider.getNetwork()).chainId),
      registry: flags.registry,
      issuerId: anchoredBy(receipt, issuerId),
      txHash: receipt.txHash,
      blockNumber: receipt.blockNumber,
    };
    try {
      writeBundles(io, batch, anchor, flags.out);
    } catch (error) {
      // The salts exist only in this process: without the bundles nobody can prove these credentials.
      const why = error instanceof Error ? error.message : String(error);
      throw new CliError(
        `root ${batch.root} is anchored (tx ${receipt.txHash}) but the bundles could not be written (${why}): ` +
          "revoke the batch and issue it again",
        EXIT.couldNot,
      );
    }
    return { count: batch.count, root: batch.root, txHash: receipt.txHash, blockNumber: receipt.blockNumber };
  } finally {
    provider.destroy();
  }
}
