/*
 * What the issuers page shows, read from the registry contract alone (no service API): each
 * issuer's record, signers and keys by contract calls, and its history from the registry's events.
 */
import { encodeBase58, getBytes, type JsonRpcProvider } from "ethers";
import { credentialRegistryInterface, type IssuerRecord, RegistryClient } from "../../../src";
import { mapLimit } from "../../../src/map-limit";

/** A key's `retiredAt` while it is in use: uint64's maximum. */
const IN_USE = 2n ** 64n - 1n;
const READS_AT_ONCE = 6;

/** One of the issuer's signing keys, as the registry records it. */
export interface KeyView {
  did: string;
  addedAt: number;
  /** Null while in use. */
  retiredAt: number | null;
  compromised: boolean;
}

/** One event of the issuer's history. */
export interface HistoryEntry {
  /** The event's name (`IssuerRegistered`…), for tests and styling. */
  kind: string;
  blockNumber: number;
  /** The block's time (seconds), or null when the node did not give the block. */
  time: number | null;
  /** What happened, in words; every value in it comes from the chain and is shown as text. */
  text: string;
}

export interface IssuerView extends IssuerRecord {
  signers: string[];
  keys: KeyView[];
  history: HistoryEntry[];
}

/** The `did:key` of a raw 32-byte Ed25519 public key (multicodec 0xed01, base58btc). */
export function didKeyOf(publicKey: string): string {
  return `did:key:z${encodeBase58(new Uint8Array([0xed, 0x01, ...getBytes(publicKey)]))}`;
}

/** `2026-11-01 09:30 UTC`. */
export function utc(seconds: number): string {
  return `${new Date(seconds * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

const EVENTS = [
  "IssuerRegistered",
  "IssuerUpdated",
  "IssuerActiveSet",
  "AccreditationWithdrawn",
  "SignerAdded",
  "SignerRemoved",
  "IssuerKeyAdded",
  "IssuerKeyRetired",
] as const;

type Args = Record<string, unknown>;

/** The sentence of one event; `who` names the accreditor when it is the sender. */
function sentence(kind: (typeof EVENTS)[number], a: Args): string {
  const text = (value: unknown) => String(value);
  switch (kind) {
    case "IssuerRegistered":
      return `Registered as “${text(a.name)}” (${text(a.uri) || "no URI"}), with first signer ${text(a.signer)}`;
    case "IssuerUpdated":
      return `Name and URI set to “${text(a.name)}” (${text(a.uri) || "no URI"})`;
    case "IssuerActiveSet":
      return a.active === true ? "Reactivated: may anchor again" : "Deactivated: may no longer anchor";
    case "AccreditationWithdrawn":
      return `Accreditation withdrawn from ${utc(Number(a.effectiveFrom))}: ${text(a.reason)}`;
    case "SignerAdded":
      return `Signer ${text(a.signer)} added by ${text(a.by)}`;
    case "SignerRemoved":
      return `Signer ${text(a.signer)} removed by ${text(a.by)}`;
    case "IssuerKeyAdded":
      return `Signing key ${didKeyOf(text(a.publicKey))} recorded`;
    case "IssuerKeyRetired":
      return `Signing key ${didKeyOf(text(a.publicKey))} retired${a.compromised === true ? " as compromised" : ""}`;
  }
}

/** Every issuer event of `registry`, by issuer id, oldest first, with its block's time. */
async function histories(provider: JsonRpcProvider, registry: string): Promise<Map<number, HistoryEntry[]>> {
  // Only the events this ABI has: an older registry without keys still lists its issuers.
  const fragments = EVENTS.map((name) => credentialRegistryInterface.getEvent(name as "IssuerRegistered"));
  const logs = await provider.getLogs({
    address: registry,
    fromBlock: 0,
    toBlock: "latest",
    topics: [fragments.map((f) => f.topicHash)],
  });
  const blocks = [...new Set(logs.map((log) => log.blockNumber))];
  const times = new Map<number, number | null>();
  await mapLimit(blocks, READS_AT_ONCE, async (n) => {
    times.set(n, (await provider.getBlock(n))?.timestamp ?? null);
  });
  const byIssuer = new Map<number, HistoryEntry[]>();
  for (const log of logs) {
    if (log.address.toLowerCase() !== registry.toLowerCase()) continue;
    const parsed = credentialRegistryInterface.parseLog(log);
    if (parsed === null) continue;
    const kind = parsed.name as (typeof EVENTS)[number];
    const args: Args = {};
    parsed.fragment.inputs.forEach((input, i) => {
      args[input.name] = parsed.args[i] as unknown;
    });
    const id = Number(args.issuerId);
    const entry = {
      kind,
      blockNumber: log.blockNumber,
      time: times.get(log.blockNumber) ?? null,
      text: sentence(kind, args),
    };
    byIssuer.set(id, [...(byIssuer.get(id) ?? []), entry]);
  }
  return byIssuer;
}

async function keysOf(client: RegistryClient, id: number): Promise<KeyView[]> {
  const keys = await client.contract.getIssuerKeys(id);
  return mapLimit([...keys], READS_AT_ONCE, async (key) => {
    const record = await client.contract.getIssuerKey(id, key);
    return {
      did: didKeyOf(key),
      addedAt: Number(record.addedAt),
      retiredAt: record.retiredAt === IN_USE ? null : Number(record.retiredAt),
      compromised: record.compromised,
    };
  });
}

/**
 * Every issuer of `registry` with its signers, keys and history.
 * @throws CredrootError `CHAIN_UNAVAILABLE` (or `CONTRACT_REVERT`) when the chain cannot be read.
 */
export async function readIssuers(provider: JsonRpcProvider, registry: string): Promise<IssuerView[]> {
  const client = new RegistryClient(registry, provider);
  const count = await client.issuerCount();
  const [events, issuers] = await Promise.all([
    histories(provider, registry),
    mapLimit(
      Array.from({ length: count }, (_, i) => i + 1),
      READS_AT_ONCE,
      async (id) => {
        const [record, signers, keys] = await Promise.all([
          client.getIssuer(id),
          client.getSigners(id),
          keysOf(client, id),
        ]);
        return { ...record, signers, keys };
      },
    ),
  ]);
  return issuers.map((issuer) => ({ ...issuer, history: events.get(issuer.id) ?? [] }));
}
