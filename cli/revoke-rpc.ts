import type { JsonRpcProvider } from "ethers";
import {
  type Bundle,
  type Hex32,
  isBatchId,
  isCredrootError,
  isHex32,
  parseBundle,
  RegistryClient,
  verifyBundle,
  type WriteReceipt,
} from "../src";
import { connect, rpcUrl, signerIssuer, signerWallet } from "./chain";
import { CliError, type CliIo, EXIT, readText, usageError } from "./io";

/** What to revoke straight on the registry, as the signer's issuer. */
export type ChainRevocation =
  { kind: "batch"; batchId: string } | { kind: "bundle"; file: string } | { kind: "digest"; digest: Hex32 };

export interface ChainRevokeFlags {
  rpc?: string;
  chainId?: number;
  registry?: string;
  reason: string;
}

/** Verdicts of a bundle whose digest is a credential of the issuer: revoking it means something. */
const REVOCABLE = new Set(["valid", "expired", "revoked", "issuer-not-accredited"]);

function readBundle(file: string): Bundle {
  try {
    return parseBundle(readText(file));
  } catch (error) {
    if (!isCredrootError(error, "INVALID_BUNDLE")) throw error;
    throw new CliError(`${file} is not a bundle: ${error.message}`, EXIT.couldNot);
  }
}

/**
 * The digest of the credential of `file`, once it verifies as a credential of this issuer on this
 * registry and chain: the digest of a changed copy is no credential, and revoking it would revoke
 * nothing while saying it did.
 */
async function digestOfBundle(
  file: string,
  chain: { chainId: number; registry: string; issuerId: number; provider: JsonRpcProvider },
  timeoutMs: number,
): Promise<Hex32> {
  const bundle = readBundle(file);
  const { chainId, registry, issuerId } = bundle.anchor;
  if (chainId !== chain.chainId || registry !== chain.registry.toLowerCase() || issuerId !== chain.issuerId) {
    throw new CliError(
      `${file} is a credential of issuer ${issuerId} on registry ${registry} of chain ${chainId}; CREDROOT_PRIVATE_KEY ` +
        `signs for issuer ${chain.issuerId} on registry ${chain.registry.toLowerCase()} of chain ${chain.chainId}: nothing was revoked`,
      EXIT.refused,
    );
  }
  const result = await verifyBundle(bundle, {
    chains: [{ chainId, registries: [registry], provider: chain.provider }],
    timeoutMs,
  });
  if (result.verdict === "chain-unavailable") {
    throw new CliError(`cannot check ${file} against the chain: nothing was revoked`, EXIT.couldNot);
  }
  if (!REVOCABLE.has(result.verdict) || result.digest === null) {
    throw new CliError(
      `${file} does not verify (${result.verdict}): it is no credential this issuer anchored, nothing was revoked`,
      EXIT.refused,
    );
  }
  return result.digest;
}

/**
 * Revokes a batch (by its id) or a credential (by its digest, given or computed from its bundle)
 * of the issuer the key in `CREDROOT_PRIVATE_KEY` signs for. The transaction is mined before this
 * returns; the result is one line to print.
 */
export async function revokeOnChain(io: CliIo, what: ChainRevocation, flags: ChainRevokeFlags): Promise<string> {
  if (flags.registry === undefined) throw usageError("--rpc needs --registry 0x… (the registry contract)");
  if (what.kind === "batch" && !isBatchId(what.batchId)) {
    throw usageError(`${String(what.batchId)} is not a batch id (a lowercase UUID, as \`credroot issue\` printed it)`);
  }
  if (what.kind === "digest" && !isHex32(what.digest)) {
    throw usageError("--digest must be 0x and 64 lowercase hex digits");
  }
  const { provider, chainId } = await connect(rpcUrl(io, flags.rpc), flags.chainId);
  try {
    const wallet = signerWallet(io, provider);
    const client = new RegistryClient(flags.registry, wallet);
    const issuerId = await signerIssuer(client, wallet.address);
    let receipt: WriteReceipt;
    let said: string;
    if (what.kind === "batch") {
      receipt = await client.revokeBatch(what.batchId, flags.reason);
      said = `batch ${what.batchId}`;
    } else {
      const chain = { chainId, registry: flags.registry, issuerId, provider };
      const digest = what.kind === "digest" ? what.digest : await digestOfBundle(what.file, chain, 30_000);
      receipt = await client.revokeCredential(digest, flags.reason);
      said = `credential ${digest}${what.kind === "bundle" ? ` (${what.file})` : ""}`;
    }
    return `revoked ${said} of issuer ${issuerId} on chain (tx ${receipt.txHash}, block ${receipt.blockNumber})\n`;
  } finally {
    provider.destroy();
  }
}
