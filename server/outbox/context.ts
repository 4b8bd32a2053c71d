/** What the outbox is configured with, and what every step of a pass shares. */
import type { JsonRpcProvider, Wallet } from "ethers";
import type { RegistryClient } from "../../src";
import type { OpRecord, OpUpdate, Store } from "../store/types";
import type { SignerLease } from "./lease";
import type { OutboxLog } from "./log";
import type { SignerStandingCache } from "./signer";

export type { OutboxLog } from "./log";

export interface OutboxOptions {
  store: Store;
  provider: JsonRpcProvider;
  /** The issuer's signer: it signs every transaction the outbox sends. */
  wallet: Wallet;
  registry: string;
  /** `"finalized"` or a number of confirmations. */
  finality: "finalized" | number;
  intervalMs: number;
  /** A transaction still unmined after this long is replaced with higher fees (default: never). */
  stuckAfterMs?: number;
  log: OutboxLog;
  /**
   * This instance's name in the signer's lease (default: host, process id and a random suffix, so
   * that every outbox object is an instance of its own).
   */
  instanceId?: string;
  /** How long the signer's lease lasts; renewed once half of it has passed (default 15 s). */
  leaseTtlMs?: number;
  /** The registry's deployment block: event searches start there (default 0). */
  fromBlock?: number;
  /**
   * Fault injection for crash tests: called right after a transaction is recorded as signed, and
   * right after it is broadcast (before that is recorded). Never set in production.
   */
  faults?: { afterSign?: () => void; afterBroadcast?: () => void };
}

/** What every step of a pass works with. */
export interface OutboxContext {
  readonly options: OutboxOptions;
  readonly registry: RegistryClient;
  readonly lease: SignerLease;
  readonly standing: SignerStandingCache;
}

/**
 * Writes an op's new state, while this instance still holds the lease.
 * @throws LeaseLostError when another instance holds it now (nothing is written).
 */
export async function write(ctx: OutboxContext, id: number, update: OpUpdate): Promise<OpRecord> {
  await ctx.lease.ensure();
  return ctx.options.store.updateOp(id, update);
}
