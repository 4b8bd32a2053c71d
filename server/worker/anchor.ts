import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { type JsonRpcProvider, type Log, Transaction, type TransactionReceipt, type Wallet } from "ethers";
import { CredrootError, decodeRegistryError, type Hex32, RegistryClient, registryInterface } from "../../src";
import type { OpRecord, OpUpdate, Store } from "../store/types";

/** The slice of a pino/Fastify logger the worker uses. */
export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AnchorWorkerOptions {
  store: Store;
  provider: JsonRpcProvider;
  /** The issuer's signer: it signs every transaction the worker sends. */
  wallet: Wallet;
  registry: string;
  /** The issuer id the signer acts for; read from the registry (`issuerOf`) when not given. */
  issuerId?: number;
  /** `"finalized"` or a number of confirmations. */
  finality: "finalized" | number;
  intervalMs: number;
  /** A transaction still unmined after this long is replaced with higher fees (default: never). */
  stuckAfterMs?: number;
  log: WorkerLog;
  /**
   * This instance's name in the signer's lease (default: host, process id and a random suffix, so
   * that every worker object is an instance of its own).
   */
  instanceId?: string;
  /** How long the signer's lease lasts; renewed on every pass (default 15 s). */
  leaseTtlMs?: number;
  /** The registry's deployment block: event searches start there (default 0). */
  fromBlock?: number;
  /**
   * Fault injection for crash tests: called right after a transaction is recorded as signed, and
   * right after it is broadcast (before that is recorded). Never set in production.
   */
  faults?: { afterSign?: () => void; afterBroadcast?: () => void };
}

/** Blocks per `eth_getLogs` request (common hosted limits are 2,000–10,000). */
export const LOG_WINDOW = 2000;

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EPIPE",
  "NETWORK_ERROR",
  "TIMEOUT",
  "SERVER_ERROR",
]);

/** True when the node could not be reached (as opposed to a node that answered with a refusal). */
function isNetworkError(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === "object" && e !== null && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return true;
    e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return false;
}

/**
 * Fresh fees, but at least 12.5% above the op's previous transaction (if any): a replacement
 * with the same nonce needs a bump of 10% or more, or the node answers "replacement underpriced".
 */
function bumpedFees(
  fees: { maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null },
  previousRaw: string | null,
): { maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null } {
  if (!previousRaw) return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
  const previous = Transaction.from(previousRaw);
  const bump = (fresh: bigint | null, old: bigint | null) => {
    if (fresh === null || old === null) return fresh;
    const raised = (old * 1125n) / 1000n;
    return fresh > raised ? fresh : raised;
  };
  return {
    maxFeePerGas: bump(fees.maxFeePerGas, previous.maxFeePerGas),
    maxPriorityFeePerGas: bump(fees.maxPriorityFeePerGas, previous.maxPriorityFeePerGas),
  };
}

const DEFAULT_LEASE_TTL_MS = 15_000;

/** Another instance holds the signer's lease: this one must not sign or broadcast. */
class LeaseLostError extends Error {
  constructor() {
    super("the lease on the signer is held by another instance");
    this.name = "LeaseLostError";
  }
}

/** Back to the queue; the previous raw transaction is kept, since a re-signed replacement must outbid it. */
const REQUEUE: OpUpdate = { status: "queued", nonce: null, txHash: null, blockNumber: null, blockHash: null };

/**
 * The anchoring worker: drains the outbox of chain operations (anchor, revoke-batch,
 * revoke-credential) for one signer, exactly once each.
 *
 * Durability: a transaction is signed and recorded (`signed`, with its nonce and raw bytes) before
 * it is broadcast, so a crash at any point is recovered on the next pass — a `signed` op is
 * broadcast again (same bytes, same hash), a `sent` op is looked up by hash. The registry refuses a
 * second anchor of the same root, and a root (or revocation) the chain already holds for this
 * issuer is adopted as done, never reported as a failure. A transaction that disappears (dropped,
 * reorged out) sends its op back to `queued`.
 *
 * Several instances: each pass starts by taking (or renewing) the signer's lease in the database,
 * and an instance that does not hold it does nothing, so only one instance signs and broadcasts a
 * signer's transactions at a time. Everything a pass acts on (ops, held nonces) is read from the
 * database after the lease is taken, so a new holder carries on where the last one stopped. The
 * lease is renewed again before signing or broadcasting once half its time is gone; when that
 * fails the pass stops at once. `stop()` gives the lease up.
 */
export class AnchorWorker {
  private readonly registry: RegistryClient;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pass: Promise<void> | null = null;
  private stopped = true;
  private wakeRequested = false;
  private issuerId: number;
  private readonly lease: { name: string; holder: string; ttlMs: number };
  /** `performance.now()` before which the lease is surely ours (0: not held). */
  private leaseUntil = 0;

  constructor(private readonly options: AnchorWorkerOptions) {
    this.registry = new RegistryClient(options.registry, options.provider);
    this.issuerId = options.issuerId ?? 0;
    this.lease = {
      name: `signer:${options.wallet.address.toLowerCase()}`,
      holder: options.instanceId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`,
      ttlMs: options.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
    };
  }

  /** This instance's name in the signer's lease. */
  get instanceId(): string {
    return this.lease.holder;
  }

  /** Starts passes every `intervalMs` until {@link stop}. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /**
   * Stops scheduling, waits for the pass in progress and gives the signer's lease up, so that
   * another instance takes over at once. Nothing in flight is lost: it resumes on the next start.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pass;
    if (this.leaseUntil === 0) return;
    this.leaseUntil = 0;
    try {
      await this.options.store.releaseLease(this.lease.name, this.lease.holder);
    } catch (error) {
      // It then lapses by itself within its TTL.
      this.options.log.warn({ err: (error as Error).message }, "could not give the signer's lease up");
    }
  }

  /**
   * Takes or renews the signer's lease. The deadline is counted from before the request, on this
   * process's monotonic clock, so it never runs past the database's.
   */
  private async holdLease(): Promise<boolean> {
    const { name, holder, ttlMs } = this.lease;
    const asked = performance.now();
    const lease = await this.options.store.acquireLease(name, holder, ttlMs);
    const held = this.leaseUntil !== 0;
    if (lease === null) {
      if (held) this.options.log.warn({ lease: name, holder }, "lease lost to another instance: sending stops");
      this.leaseUntil = 0;
      return false;
    }
    if (!held) this.options.log.info({ lease: name, holder }, "lease taken: this instance sends for the signer");
    this.leaseUntil = asked + ttlMs;
    return true;
  }

  /** Writes an op's new state, while this instance still holds the lease. */
  private async write(id: number, update: OpUpdate): Promise<OpRecord> {
    await this.ensureLease();
    return this.options.store.updateOp(id, update);
  }

  /**
   * Before each op, signature, broadcast and write: renews the lease once half its time is gone.
   * @throws LeaseLostError when another instance holds it now.
   */
  private async ensureLease(): Promise<void> {
    if (performance.now() < this.leaseUntil - this.lease.ttlMs / 2) return;
    if (!(await this.holdLease())) throw new LeaseLostError();
  }

  private schedule(delay: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.tick().finally(() => {
        const again = this.wakeRequested ? 0 : this.options.intervalMs;
        this.wakeRequested = false;
        if (!this.stopped) this.schedule(again);
      });
    }, delay);
  }

  /** One pass over the outbox. Concurrent calls share the pass in progress; failures are logged. */
  tick(): Promise<void> {
    this.pass ??= this.runPass()
      .catch((error: unknown) => {
        this.options.log.warn({ err: decodeRegistryError(error).message }, "anchoring pass deferred");
      })
      .finally(() => {
        this.pass = null;
      });
    return this.pass;
  }

  /** Runs a pass soon (after a batch or revocation was queued) instead of waiting for the interval. */
  wake(): void {
    if (this.stopped) return;
    if (this.pass)
      this.wakeRequested = true; // one more pass right after this one
    else this.schedule(0);
  }

  private async runPass(): Promise<void> {
    if (!(await this.holdLease())) return; // another instance sends for this signer
    if (this.issuerId === 0) {
      this.issuerId = Number(
        await this.registry.contract.getFunction("issuerOf").staticCall(this.options.wallet.address),
      );
      if (this.issuerId === 0) {
        this.options.log.warn(
          { signer: this.options.wallet.address },
          "the signer acts for no issuer: nothing is sent",
        );
        return;
      }
    }
    const signer = this.options.wallet.address.toLowerCase();
    const ops = (await this.options.store.listOps(["signed", "sent", "mined", "queued"])).filter(
      (op) => op.signer.toLowerCase() === signer,
    );
    const order = ["signed", "sent", "mined", "queued"] as const;
    for (const status of order) {
      for (const op of ops.filter((o) => o.status === status)) {
        try {
          await this.ensureLease();
          if (status === "signed") await this.broadcast(op);
          else if (status === "sent") await this.checkSent(op);
          else if (status === "mined") await this.checkFinal(op);
          else await this.send(op);
        } catch (error) {
          if (error instanceof LeaseLostError) return; // the new holder carries on
          const reason = decodeRegistryError(error);
          this.options.log.warn({ op: op.id, kind: op.kind, err: reason.message }, "chain operation deferred");
          if (reason.code === "CHAIN_UNAVAILABLE") return; // the next pass retries
        }
      }
    }
  }

  // ------------------------------------------------------------------ queued → signed → sent

  private async send(op: OpRecord): Promise<void> {
    const batch = await this.options.store.getBatch(op.batchId);
    if (batch && batch.issuerId !== this.issuerId) {
      const message = `batch of issuer ${batch.issuerId} cannot be sent by a signer of issuer ${this.issuerId}`;
      await this.fail(op, new CredrootError("INVALID_ARGUMENT", message));
      return;
    }
    if (await this.adoptIfDone(op)) return;
    const { provider, wallet, registry } = this.options;
    const data = await this.calldata(op);
    let gas: bigint;
    try {
      gas = await provider.estimateGas({ from: wallet.address, to: registry, data });
    } catch (error) {
      const reason = decodeRegistryError(error);
      if (reason.code !== "CONTRACT_REVERT") throw reason;
      if (await this.adoptIfDone(op)) return;
      const anchoredBy = reason.revert?.args[1];
      if (reason.revert?.name === "BatchAlreadyAnchored" && Number(anchoredBy) === this.issuerId) {
        return; // our own anchor is pending somewhere: adopted once its event is visible
      }
      await this.fail(op, reason);
      return;
    }
    await this.broadcast(await this.sign(op, await this.nextNonce(), data, (gas * 12n) / 10n));
  }

  /** Signs `op`'s transaction and records it (nonce, raw bytes, hash) before anything is broadcast. */
  private async sign(op: OpRecord, nonce: number, data: string, gasLimit: bigint): Promise<OpRecord> {
    await this.ensureLease();
    const { provider, wallet, registry } = this.options;
    const raw = await wallet.signTransaction({
      type: 2,
      chainId: (await provider.getNetwork()).chainId,
      nonce,
      to: registry,
      data,
      gasLimit,
      ...bumpedFees(await provider.getFeeData(), op.rawTx),
    });
    const txHash = Transaction.from(raw).hash!;
    const signed = await this.write(op.id, {
      status: "signed",
      nonce,
      txHash,
      rawTx: raw,
      attempts: op.attempts + 1,
      ...(op.kind === "anchor" ? { batchStatus: "submitted" as const, batchTx: { txHash, blockNumber: null } } : {}),
    });
    this.options.faults?.afterSign?.();
    return signed;
  }

  /**
   * A transaction waiting too long in the mempool (fee too low) is replaced: same nonce, fees at
   * least 12.5% higher. Whichever of the two is mined, the op ends mined exactly once — the
   * registry refuses a second anchor of the root, and a root already anchored is adopted.
   */
  private async replace(op: OpRecord): Promise<void> {
    const previous = Transaction.from(op.rawTx!);
    this.options.log.warn(
      { op: op.id, tx: op.txHash, nonce: op.nonce },
      "transaction stuck: replacing it with higher fees",
    );
    await this.broadcast(await this.sign(op, op.nonce!, previous.data, previous.gasLimit));
  }

  private async broadcast(op: OpRecord): Promise<void> {
    await this.ensureLease();
    try {
      await this.options.provider.broadcastTransaction(op.rawTx!);
      this.options.faults?.afterBroadcast?.();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/nonce too low|nonce has already been used|NONCE_EXPIRED/i.test(message)) {
        const receipt = await this.options.provider.getTransactionReceipt(op.txHash!);
        if (!receipt) {
          // Our nonce went to another transaction: sign again with a fresh one.
          await this.requeue(op, "nonce used by another transaction");
          return;
        }
      } else if (!/already known|known transaction|already imported/i.test(message)) {
        if (isNetworkError(error)) throw error;
        // The node answered and refused this transaction (fee below the base fee, replacement
        // underpriced, …): sign it again with fresh fees; the nonce it held is reused.
        await this.requeue(op, `refused by the node (${message.split("\n")[0] ?? ""})`);
        return;
      }
    }
    await this.write(op.id, { status: "sent" });
    this.options.log.info({ op: op.id, kind: op.kind, tx: op.txHash, nonce: op.nonce }, "transaction sent");
  }

  /**
   * The lowest nonce from the chain's mined count up that no transaction of ours in flight holds:
   * a nonce freed by a dropped or refused transaction is filled first, so the ones above it can be
   * mined. (The signer key must be used by no one but the instances of this service, which take
   * turns through the lease.)
   */
  private async nextNonce(): Promise<number> {
    const mined = await this.options.provider.getTransactionCount(this.options.wallet.address, "latest");
    const signer = this.options.wallet.address.toLowerCase();
    const held = new Set(
      (await this.options.store.listOps(["signed", "sent"]))
        .filter((o) => o.signer.toLowerCase() === signer && o.nonce !== null)
        .map((o) => o.nonce!),
    );
    let nonce = mined;
    while (held.has(nonce)) nonce += 1;
    return nonce;
  }

  // ------------------------------------------------------------------ sent → mined → final

  private async checkSent(op: OpRecord): Promise<void> {
    const { provider } = this.options;
    const receipt = await provider.getTransactionReceipt(op.txHash!);
    if (receipt) {
      await this.onReceipt(op, receipt);
      return;
    }
    if (!(await provider.getTransaction(op.txHash!))) {
      await this.requeue(op, "transaction dropped");
      return;
    }
    const { stuckAfterMs } = this.options;
    if (stuckAfterMs !== undefined && Date.now() - Date.parse(op.updatedAt) > stuckAfterMs) await this.replace(op);
  }

  private async onReceipt(op: OpRecord, receipt: TransactionReceipt): Promise<void> {
    if (receipt.status === 1) {
      await this.markMined(op, receipt.hash, receipt.blockNumber, receipt.blockHash);
      return;
    }
    const reason = await this.revertReason(op, receipt.blockNumber);
    if (!(await this.adoptIfDone(op))) await this.fail(op, reason);
  }

  private async checkFinal(op: OpRecord): Promise<void> {
    const { provider, finality } = this.options;
    const receipt = await provider.getTransactionReceipt(op.txHash!);
    if (!receipt) {
      if (await provider.getTransaction(op.txHash!)) {
        // Reorged out but back in the mempool: wait for it to be mined again.
        await this.write(op.id, {
          status: "sent",
          blockNumber: null,
          blockHash: null,
          ...(op.kind === "anchor" ? { batchStatus: "submitted" as const } : {}),
        });
        return;
      }
      await this.requeue(op, "transaction reorged out");
      return;
    }
    if (receipt.blockHash !== op.blockHash) {
      await this.markMined(op, receipt.hash, receipt.blockNumber, receipt.blockHash);
      return;
    }
    const final =
      finality === "finalized"
        ? ((await provider.getBlock("finalized"))?.number ?? -1) >= receipt.blockNumber
        : (await provider.getBlockNumber()) - receipt.blockNumber + 1 >= finality;
    if (!final) return;
    await this.recordRevocation(op); // again, in case the process died right after markMined
    const batch = await this.options.store.getBatch(op.batchId);
    const update: OpUpdate = { status: "final" };
    if (op.kind === "anchor" && batch?.status !== "revoked") update.batchStatus = "final";
    await this.write(op.id, update);
    this.options.log.info({ op: op.id, kind: op.kind, block: receipt.blockNumber }, "transaction final");
  }

  // ------------------------------------------------------------------ outcomes

  private async markMined(op: OpRecord, txHash: string, blockNumber: number, blockHash: string): Promise<void> {
    const update: OpUpdate = { status: "mined", txHash, blockNumber, blockHash };
    if (op.kind === "anchor") {
      const batch = await this.options.store.getBatch(op.batchId);
      if (batch?.status !== "revoked") update.batchStatus = "anchored";
      update.batchTx = { txHash, blockNumber };
    }
    await this.write(op.id, update);
    await this.recordRevocation(op);
    this.options.log.info({ op: op.id, kind: op.kind, tx: txHash, block: blockNumber }, "transaction mined");
  }

  /** Records a mined revocation in the database (idempotent; repeated before the op turns final). */
  private async recordRevocation(op: OpRecord): Promise<void> {
    await this.ensureLease();
    if (op.kind === "revoke-credential") await this.options.store.setCredentialRevoked(op.credentialId!, op.reason);
    if (op.kind === "revoke-batch") await this.options.store.setBatchStatus(op.batchId, "revoked", op.reason);
  }

  private async requeue(op: OpRecord, why: string): Promise<void> {
    this.options.log.warn({ op: op.id, kind: op.kind, tx: op.txHash }, `${why}: queued again`);
    await this.write(op.id, {
      ...REQUEUE,
      ...(op.kind === "anchor"
        ? { batchStatus: "pending" as const, batchTx: { txHash: null, blockNumber: null } }
        : {}),
    });
  }

  private async fail(op: OpRecord, reason: CredrootError): Promise<void> {
    this.options.log.error({ op: op.id, kind: op.kind, err: reason.message }, "chain operation failed");
    await this.write(op.id, {
      status: "failed",
      error: reason.revert ? reason.revert.name : reason.message,
      ...(op.kind === "anchor" ? { batchStatus: "failed" as const } : {}),
    });
  }

  /**
   * When the chain already holds what `op` asks for (a root anchored by this issuer, a revocation
   * made), records the transaction that did it and returns true: an op is never done twice.
   */
  private async adoptIfDone(op: OpRecord): Promise<boolean> {
    const batch = await this.options.store.getBatch(op.batchId);
    if (!batch) return false;
    const root = batch.root as Hex32;
    const onChain = await this.registry.getBatch(root);
    let event: string | null = null;
    let topics: (string | null)[] = [root];
    if (op.kind === "anchor" && onChain.issuerId !== 0) {
      if (onChain.issuerId !== this.issuerId) {
        const message = `root already anchored by issuer ${onChain.issuerId}`;
        await this.fail(op, new CredrootError("CONTRACT_REVERT", message));
        return true;
      }
      event = "BatchAnchored";
    } else if (op.kind === "revoke-batch" && onChain.revokedAt !== 0) {
      event = "BatchRevoked";
    } else if (op.kind === "revoke-credential") {
      const credential = await this.options.store.getCredential(op.credentialId!);
      if (credential && (await this.credentialRevoked(root, credential.leaf as Hex32))) {
        event = "CredentialRevoked";
        topics = [root, credential.leaf];
      }
    }
    if (!event) return false;
    const log = await this.findEvent(event, topics);
    if (!log) return false; // not visible yet: try again next pass
    await this.markMined(op, log.transactionHash, log.blockNumber, log.blockHash);
    return true;
  }

  private async credentialRevoked(root: Hex32, leaf: Hex32): Promise<boolean> {
    const revokedAt = (await this.registry.contract
      .getFunction("credentialRevokedAt")
      .staticCall(root, leaf)) as bigint;
    return revokedAt !== 0n;
  }

  /**
   * The latest `name` event with these topics, searched newest first in windows of
   * {@link LOG_WINDOW} blocks down to the registry's deployment block: hosted RPC endpoints refuse
   * `eth_getLogs` over wide ranges, and what the worker adopts is almost always recent.
   */
  private async findEvent(name: string, topics: (string | null)[]): Promise<Log | undefined> {
    const fragment = registryInterface.getEvent(name)!;
    const from = this.options.fromBlock ?? 0;
    const latest = await this.options.provider.getBlockNumber();
    for (let to = latest; to >= from; to -= LOG_WINDOW) {
      const logs = await this.options.provider.getLogs({
        address: this.options.registry,
        topics: [fragment.topicHash, ...topics],
        fromBlock: Math.max(from, to - LOG_WINDOW + 1),
        toBlock: to,
      });
      if (logs.length > 0) return logs.at(-1);
    }
    return undefined;
  }

  private async calldata(op: OpRecord): Promise<string> {
    const batch = await this.options.store.getBatch(op.batchId);
    if (!batch) throw new Error(`op ${op.id} names unknown batch ${op.batchId}`);
    if (op.kind === "anchor")
      return registryInterface.encodeFunctionData("anchor", [batch.root, batch.count, batch.uri]);
    if (op.kind === "revoke-batch") return registryInterface.encodeFunctionData("revokeBatch", [batch.root, op.reason]);
    const credential = await this.options.store.getCredential(op.credentialId!);
    if (!credential) throw new Error(`op ${op.id} names unknown credential`);
    return registryInterface.encodeFunctionData("revokeCredential", [batch.root, credential.leaf, op.reason]);
  }

  private async revertReason(op: OpRecord, blockNumber: number): Promise<CredrootError> {
    try {
      const tx = Transaction.from(op.rawTx!);
      // Replayed on the state after its block: what an earlier transaction in that block changed
      // (issuer deactivated, root anchored) is what made it revert.
      await this.options.provider.call({
        from: this.options.wallet.address,
        to: tx.to,
        data: tx.data,
        blockTag: blockNumber,
      });
      return decodeRegistryError(new Error("transaction reverted without a reason"));
    } catch (error) {
      return decodeRegistryError(error);
    }
  }
}
