/**
 * Sends an accreditor call with the key in `ACCREDITOR_PRIVATE_KEY`: checks first what the chain
 * can say without a transaction (a contract at the address, the role, the issuer), then sends,
 * waits for the receipt and decodes the registry's events. A revert becomes one sentence.
 */
import { type JsonRpcProvider, type Log, Wallet } from "ethers";
import { credentialRegistryInterface, decodeRegistryError, isCredrootError, RegistryClient } from "../../src";
import { connect, rpcUrl } from "../chain";
import { CliError, type CliIo, EXIT, usageError } from "../io";
import { didKeyOf } from "./inputs";
import { type AccreditorCall, isoOf, type Operation, type OperationFlags } from "./operations";

export interface SendTarget {
  rpc?: string;
  chainId?: number;
  registry: string;
}

/** A registry event of the receipt, its arguments as text. */
export interface SentEvent {
  name: string;
  args: Record<string, string>;
}

export interface SendResult {
  call: AccreditorCall;
  chainId: number;
  from: string;
  txHash: string;
  blockNumber: number;
  events: SentEvent[];
}

/** The accreditor's wallet, from `ACCREDITOR_PRIVATE_KEY` only (a flag would land in shell history). */
function accreditorWallet(io: CliIo, provider: JsonRpcProvider): Wallet {
  const key = io.env.ACCREDITOR_PRIVATE_KEY;
  if (key === undefined || key === "") {
    throw usageError(
      "set ACCREDITOR_PRIVATE_KEY to the accreditor's private key (it is never taken as a flag), " +
        "or write a Safe batch with --safe FILE --chain-id N",
    );
  }
  try {
    return new Wallet(key, provider);
  } catch {
    throw usageError("ACCREDITOR_PRIVATE_KEY is not a private key (0x and 64 hex digits)");
  }
}

const refused = (message: string) => new CliError(message, EXIT.refused);

/** A registry revert in words; any other failure as it was. */
export function explainRevert(error: unknown, registry: string): unknown {
  const decoded = decodeRegistryError(error);
  if (!isCredrootError(decoded, "CONTRACT_REVERT") || decoded.revert === undefined) return decoded;
  const { name, args } = decoded.revert;
  const [a, b, c] = args.map((arg) => String(arg));
  const did = (key: string | undefined) => (key !== undefined && /^0x[0-9a-f]{64}$/.test(key) ? didKeyOf(key) : "?");
  // A time argument in words; uint64's maximum is the contract's "no end".
  const when = (seconds: string | undefined) => {
    const ms = Number(seconds) * 1000;
    return Number.isFinite(ms) && ms <= 8.64e15 ? isoOf(Number(seconds)) : "no end";
  };
  const words: Record<string, string> = {
    AccessControlUnauthorizedAccount: `${a} does not hold the accreditor role in registry ${registry}`,
    UnknownIssuer: `issuer ${a} is not registered in registry ${registry}`,
    NotIssuerSigner: `${a} is neither the accreditor nor a signer of issuer ${b}`,
    SignerAlreadyAssigned: `${a} is or was a signer of issuer ${b}: an address serves one issuer, ever`,
    SignerNotAssigned: `${a} is not an active signer of issuer ${b}`,
    TooManySigners: `issuer ${a} already has the most signers allowed (${b})`,
    IssuerActiveUnchanged: `issuer ${a} is already ${b === "true" ? "active" : "deactivated"}`,
    AccreditationNotShortened:
      `issuer ${a}'s accreditation already ends at ${when(b)}: ` +
      `a withdrawal may only move it earlier (asked ${when(c)})`,
    EmptyIssuerName: "an issuer needs a name",
    ZeroAddress: "the zero address cannot be a signer",
    ZeroPublicKey: "the zero key cannot be an issuer key",
    IssuerKeyAlreadyUsed: `${did(a)} is or was a key of issuer ${b}: a key serves one issuer, ever`,
    IssuerKeyNotOfIssuer: `${did(b)} is not a key of issuer ${a}`,
    IssuerKeyAlreadyRetired: `${did(b)} of issuer ${a} was already retired at ${when(c)}`,
    TooManyIssuerKeys: `issuer ${a} already has the most keys allowed (${b})`,
  };
  const sentence = words[name] ?? `the registry refused: ${name}(${args.map((x) => String(x)).join(", ")})`;
  return refused(`${sentence}: nothing was changed`);
}

/** The registry's events among `logs`, decoded. */
function eventsOf(logs: readonly Log[], registry: string): SentEvent[] {
  const events: SentEvent[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== registry.toLowerCase()) continue;
    const parsed = credentialRegistryInterface.parseLog(log);
    if (parsed === null) continue;
    const args = Object.fromEntries(parsed.fragment.inputs.map((input, i) => [input.name, String(parsed.args[i])]));
    events.push({ name: parsed.name, args });
  }
  return events;
}

/** Refuses, before sending, a key without the role the call needs, or an issuer that does not exist. */
async function preflight(client: RegistryClient, from: string, operation: Operation, call: AccreditorCall) {
  const { contract } = client;
  const isAccreditor = await contract.hasRole(await contract.ACCREDITOR_ROLE(), from);
  const count = await client.issuerCount();
  if (call.issuerId !== undefined && call.issuerId > count) {
    throw refused(
      `issuer ${call.issuerId} is not registered in registry ${client.address} (it has ${count} issuer` +
        `${count === 1 ? "" : "s"}): nothing was sent`,
    );
  }
  if (isAccreditor) return;
  if (!operation.accreditorOnly && call.issuerId !== undefined) {
    const record = await client.signerRecord(from);
    if (record.active && record.issuerId === call.issuerId) return;
  }
  const who = operation.accreditorOnly
    ? "the accreditor role"
    : `the accreditor role nor signs for issuer ${call.issuerId}`;
  throw refused(
    `${from} (from ACCREDITOR_PRIVATE_KEY) does not hold ${who} in registry ${client.address}: nothing was sent`,
  );
}

/** Sends `operation` with `flags` to the registry of `target` and waits for it to be mined. */
export async function sendOperation(
  io: CliIo,
  target: SendTarget,
  operation: Operation,
  flags: OperationFlags,
): Promise<SendResult> {
  const { provider, chainId } = await connect(rpcUrl(io, target.rpc), target.chainId);
  try {
    const wallet = accreditorWallet(io, provider);
    let latest: { timestamp: number } | null;
    try {
      if ((await provider.getCode(target.registry)) === "0x") {
        throw refused(`there is no contract at ${target.registry} on chain ${chainId} (--registry)`);
      }
      latest = await provider.getBlock("latest");
    } catch (error) {
      throw error instanceof CliError ? error : decodeRegistryError(error);
    }
    // `--from now` is the chain's now: the latest block's time, not this machine's clock.
    const call = operation.call(flags, latest?.timestamp ?? Math.floor(Date.now() / 1000));
    const client = new RegistryClient(target.registry, wallet);
    try {
      await preflight(client, wallet.address, operation, call);
      const sent = await client.contract.getFunction(call.method).send(...call.args);
      const receipt = await sent.wait();
      if (receipt === null) throw new CliError("the transaction was not mined", EXIT.couldNot);
      const events = eventsOf(receipt.logs, target.registry);
      return { call, chainId, from: wallet.address, txHash: receipt.hash, blockNumber: receipt.blockNumber, events };
    } catch (error) {
      throw error instanceof CliError ? error : explainRevert(error, target.registry);
    }
  } finally {
    provider.destroy();
  }
}
