import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { performance } from "node:perf_hooks";
import { type JsonRpcProvider, type Log, Transaction, type TransactionReceipt, type Wallet } from "ethers";
import {
  batchIdToBytes16,
  type CredrootError,
  decodeRegistryError,
  type Hex32,
  invariant,
  RegistryClient,
  registryInterface,
} from "../../src";
import type { BatchRecord, OpRecord, OpUpdate, Store } from "../store/types";

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
 * A `sent` or `mined` op: the hash of its transaction is recorded (its bytes and nonce too, unless
 * the op adopted a transaction sent by someone else).
 */
type TxOp = OpRecord & { txHash: string };

/** A `signed` op, or one re-signed: its nonce, hash and raw bytes are recorded. */
type SignedOp = TxOp & { nonce: number; rawTx: string };

/** `op` typed as {@link TxOp}; a sent or mined op without a transaction hash is a bug. */
function txOp(op: OpRecord): TxOp {
  invariant(op.txHash !== null, `op ${op.id} is ${op.status} but has no transaction hash`);
  return { ...op, txHash: op.txHash };
}

/** `op` typed as {@link SignedOp} when its transaction's bytes and nonce are recorded, else null. */
function asSigned(op: OpRecord): SignedOp | null {
  const { txHash, nonce, rawTx } = op;
  return txHash !== null && nonce !== null && rawTx !== null ? { ...op, txHash, nonce, rawTx } : null;
}

/** `op` typed as {@link SignedOp}; a signed op without its transaction is a bug. */
function signedOp(op: OpRecord): SignedOp {
  const signed = asSigned(op);
  invariant(signed !== null, `op ${op.id} is ${op.status} but has no recorded transaction`);
  return signed;
}

/** The credential a `revoke-credential` op names; one without is a bug (the store refuses it). */
function credentialIdOf(op: OpRecord): string {
  invariant(op.credentialId !== null, `op ${op.id} (${op.kind}) names no credential`);
  return op.credentialId;
}

/** What the registry records of an address: the issuer it serves or served, and whether it still may. */
export interface SignerStanding {
  issuerId: number;
  active: boolean;
}

/**
 * Why `signer` may not send for issuer `issuerId`, given its {@link SignerStanding}; null when it
 * may. The registry would refuse (a removed signer) or, worse, file the transaction under the
 * issuer the signer serves, so nothing is signed then.
 * @example
 * signerRefusal("0xab…", { issuerId: 2, active: true }, 1)
 * // "signer 0xab… no longer signs for issuer 1 (it is bound to issuer 2)"
 */
export function signerRefusal(signer: string, standing: SignerStanding, issuerId: number): string | null {
  if (standing.active && standing.issuerId === issuerId) return null;
  const why =
    standing.issuerId === 0
      ? "it is no issuer's signer"
      : standing.issuerId === issuerId
        ? "it was removed"
        : `it is bound to issuer ${standing.issuerId}${standing.active ? "" : ", and was removed"}`;
  return `signer ${signer} no longer signs for issuer ${issuerId} (${why})`;
}

/**
 * The anchoring worker: drains the outbox of chain operations (anchor, revoke-batch,
 * revoke-credential) for one signer, exactly once each.
 *
 * Durability: a transaction is signed and recorded (`signed`, with its nonce and raw bytes) before
 * it is broadcast, so a crash at any point is recovered on the next pass — a `signed` op is
 * broadcast again (same bytes, same hash), a `sent` op is looked up by hash. The registry refuses a
 * second anchor of the same batch id, and a batch (or revocation) the chain already holds for the
 * batch's issuer is adopted as done, never reported as a failure. A transaction that disappears
 * (dropped, reorged out) sends its op back to `queued`.
 *
 * Signer: before signing anything in a pass, the worker asks the registry what its key is
 * (`signerRecord`, once per pass). An op of an issuer the key no longer signs for (removed, or bound
 * to another issuer) is failed with that reason, shown on the op (and on an anchor op's batch):
 * never retried, never sent, never reported final. An anchor is final only once the registry
 * records the batch's root under the batch's issuer.
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
  /** The signer's standing, read at most once per pass (reset when a pass starts). */
  private standing: Promise<SignerStanding> | null = null;
  private readonly lease: { name: string; holder: string; ttlMs: number };
  /** `performance.now()` before which the lease is surely ours (0: not held). */
  private leaseUntil = 0;

  constructor(private readonly options: AnchorWorkerOptions) {
    this.registry = new RegistryClient(options.registry, options.provider);
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
    this.standing = null; // asked again in each pass that has something to sign
    const signer = this.options.wallet.address.toLowerCase();
    const ops = (await this.options.store.listOps(["signed", "sent", "mined", "queued"])).filter(
      (op) => op.signer.toLowerCase() === signer,
    );
    const order = ["signed", "sent", "mined", "queued"] as const;
    for (const status of order) {
      for (const op of ops.filter((o) => o.status === status)) {
        try {
          await this.ensureLease();
          if (status === "signed") await this.broadcast(signedOp(op));
          else if (status === "sent") await this.checkSent(txOp(op));
          else if (status === "mined") await this.checkFinal(txOp(op));
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
    const batch = await this.batchOf(op);
    if (await this.adoptIfDone(op, batch)) return;
    const refusal = signerRefusal(this.options.wallet.address, await this.signerStanding(), batch.issuerId);
    if (refusal !== null) {
      await this.fail(op, refusal);
      return;
    }
    const { provider, wallet, registry } = this.options;
    const data = await this.calldata(op, batch);
    let gas: bigint;
    try {
      gas = await provider.estimateGas({ from: wallet.address, to: registry, data });
    } catch (error) {
      const reason = decodeRegistryError(error);
      if (reason.code !== "CONTRACT_REVERT") throw reason;
      if (await this.adoptIfDone(op, batch)) return;
      const [issuerId, , root] = reason.revert?.args ?? [];
      if (
        reason.revert?.name === "BatchAlreadyAnchored" &&
        Number(issuerId) === batch.issuerId &&
        String(root).toLowerCase() === batch.root.toLowerCase()
      ) {
        return; // our own anchor is pending somewhere: adopted once its event is visible
      }
      await this.fail(op, await this.failureOf(reason, batch));
      return;
    }
    await this.broadcast(await this.sign(op, await this.nextNonce(), data, (gas * 12n) / 10n));
  }

  /** What the registry says of this worker's key, asked once per pass. */
  private signerStanding(): Promise<SignerStanding> {
    this.standing ??= this.registry.signerRecord(this.options.wallet.address).catch((error: unknown) => {
      this.standing = null; // not kept: the next op asks again
      throw error;
    });
    return this.standing;
  }

  /**
   * The error recorded for a revert: the custom error's name, or, when the registry no longer
   * takes this key (`NotASigner`), why, in words ({@link signerRefusal}).
   */
  private async failureOf(reason: CredrootError, batch: BatchRecord): Promise<CredrootError | string> {
    if (reason.revert?.name !== "NotASigner") return reason;
    this.standing = null;
    return signerRefusal(this.options.wallet.address, await this.signerStanding(), batch.issuerId) ?? reason;
  }

  /** Signs `op`'s transaction and records it (nonce, raw bytes, hash) before anything is broadcast. */
  private async sign(op: OpRecord, nonce: number, data: string, gasLimit: bigint): Promise<SignedOp> {
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
    return signedOp(signed);
  }

  /**
   * A transaction waiting too long in the mempool (fee too low) is replaced: same nonce, fees at
   * least 12.5% higher. Whichever of the two is mined, the op ends mined exactly once — the
   * registry refuses a second anchor of the batch id, and a batch already anchored is adopted.
   */
  private async replace(op: SignedOp): Promise<void> {
    const previous = Transaction.from(op.rawTx);
    this.options.log.warn(
      { op: op.id, tx: op.txHash, nonce: op.nonce },
      "transaction stuck: replacing it with higher fees",
    );
    await this.broadcast(await this.sign(op, op.nonce, previous.data, previous.gasLimit));
  }

  private async broadcast(op: SignedOp): Promise<void> {
    await this.ensureLease();
    try {
      await this.options.provider.broadcastTransaction(op.rawTx);
      this.options.faults?.afterBroadcast?.();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/nonce too low|nonce has already been used|NONCE_EXPIRED/i.test(message)) {
        const receipt = await this.options.provider.getTransactionReceipt(op.txHash);
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
        .filter((o) => o.signer.toLowerCase() === signer)
        .flatMap((o) => (o.nonce === null ? [] : [o.nonce])),
    );
    let nonce = mined;
    while (held.has(nonce)) nonce += 1;
    return nonce;
  }

  // ------------------------------------------------------------------ sent → mined → final

  private async checkSent(op: TxOp): Promise<void> {
    const { provider } = this.options;
    const receipt = await provider.getTransactionReceipt(op.txHash);
    if (receipt) {
      await this.onReceipt(op, receipt);
      return;
    }
    if (!(await provider.getTransaction(op.txHash))) {
      await this.requeue(op, "transaction dropped");
      return;
    }
    const { stuckAfterMs } = this.options;
    const signed = asSigned(op); // an adopted transaction is not ours to replace
    if (signed && stuckAfterMs !== undefined && Date.now() - Date.parse(op.updatedAt) > stuckAfterMs) {
      await this.replace(signed);
    }
  }

  private async onReceipt(op: TxOp, receipt: TransactionReceipt): Promise<void> {
    if (receipt.status === 1) {
      await this.markMined(op, receipt.hash, receipt.blockNumber, receipt.blockHash);
      return;
    }
    const reason = await this.revertReason(op, receipt.blockNumber);
    const batch = await this.batchOf(op);
    if (!(await this.adoptIfDone(op, batch))) await this.fail(op, await this.failureOf(reason, batch));
  }

  private async checkFinal(op: TxOp): Promise<void> {
    const { provider, finality } = this.options;
    const receipt = await provider.getTransactionReceipt(op.txHash);
    if (!receipt) {
      if (await provider.getTransaction(op.txHash)) {
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
    const batch = await this.batchOf(op);
    if (op.kind === "anchor") {
      // Final means the registry holds this root under this batch's issuer and id, nothing less.
      const onChain = await this.registry.getBatch(batch.issuerId, batch.id, batch.root as Hex32);
      if (onChain.anchoredAt === 0) {
        await this.fail(op, `batch ${batch.id} is not anchored for issuer ${batch.issuerId} on chain`);
        return;
      }
    }
    await this.recordRevocation(op); // again, in case the process died right after markMined
    const update: OpUpdate = { status: "final" };
    if (op.kind === "anchor" && batch.status !== "revoked") update.batchStatus = "final";
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
    if (op.kind === "revoke-credential") await this.options.store.setCredentialRevoked(credentialIdOf(op), op.reason);
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

  /** Marks `op` failed (and an anchor op's batch) with the revert's name, or `reason` itself when a text. */
  private async fail(op: OpRecord, reason: CredrootError | string): Promise<void> {
    const error = typeof reason === "string" ? reason : reason.revert ? reason.revert.name : reason.message;
    this.options.log.error({ op: op.id, kind: op.kind, err: error }, "chain operation failed");
    await this.write(op.id, {
      status: "failed",
      error,
      ...(op.kind === "anchor" ? { batchStatus: "failed" as const } : {}),
    });
  }

  /**
   * When the chain already holds what `op` asks for under the batch's issuer (the batch id anchored
   * with the batch's root, the batch or the credential revoked), records the transaction that did
   * it and returns true: an op is never done twice. Another issuer's batches and revocations live
   * apart on chain and never count.
   */
  private async adoptIfDone(op: OpRecord, batch: BatchRecord): Promise<boolean> {
    const root = batch.root as Hex32;
    const onChain = await this.registry.getBatch(batch.issuerId, batch.id, root);
    const batchId = batchIdToBytes16(batch.id);
    let found: { event: string; args: unknown[] } | null = null;
    if (op.kind === "anchor" && onChain.anchoredAt !== 0) {
      found = { event: "BatchAnchored", args: [batch.issuerId, batchId, root] };
    } else if (op.kind === "revoke-batch" && onChain.revokedAt !== 0) {
      found = { event: "BatchRevoked", args: [batch.issuerId, batchId] };
    } else if (op.kind === "revoke-credential") {
      const credential = await this.options.store.getCredential(credentialIdOf(op));
      const digest = credential?.digest as Hex32 | undefined;
      if (digest !== undefined && (await this.credentialRevoked(batch.issuerId, digest))) {
        found = { event: "CredentialRevoked", args: [batch.issuerId, digest] };
      }
    }
    if (!found) return false;
    const log = await this.findEvent(found.event, found.args);
    if (!log) return false; // not visible yet: try again next pass
    await this.markMined(op, log.transactionHash, log.blockNumber, log.blockHash);
    return true;
  }

  private async credentialRevoked(issuerId: number, digest: Hex32): Promise<boolean> {
    const revokedAt = (await this.registry.contract
      .getFunction("credentialRevokedAt")
      .staticCall(issuerId, digest)) as bigint;
    return revokedAt !== 0n;
  }

  /**
   * The latest `name` event with these topics, searched newest first in windows of
   * {@link LOG_WINDOW} blocks down to the registry's deployment block: hosted RPC endpoints refuse
   * `eth_getLogs` over wide ranges, and what the worker adopts is almost always recent.
   */
  private async findEvent(name: string, args: readonly unknown[]): Promise<Log | undefined> {
    const fragment = registryInterface.getEvent(name);
    invariant(fragment !== null, `the registry has no event ${name}`);
    const topics = registryInterface.encodeFilterTopics(fragment, args);
    const from = this.options.fromBlock ?? 0;
    const latest = await this.options.provider.getBlockNumber();
    for (let to = latest; to >= from; to -= LOG_WINDOW) {
      const logs = await this.options.provider.getLogs({
        address: this.options.registry,
        topics,
        fromBlock: Math.max(from, to - LOG_WINDOW + 1),
        toBlock: to,
      });
      if (logs.length > 0) return logs.at(-1);
    }
    return undefined;
  }

  private async batchOf(op: OpRecord): Promise<BatchRecord> {
    const batch = await this.options.store.getBatch(op.batchId);
    // The store refuses an op of an unknown batch, and batches are never deleted.
    invariant(batch !== null, `op ${op.id} names unknown batch ${op.batchId}`);
    return batch;
  }

  private async calldata(op: OpRecord, batch: BatchRecord): Promise<string> {
    const batchId = batchIdToBytes16(batch.id);
    if (op.kind === "anchor") {
      return registryInterface.encodeFunctionData("anchor", [batchId, batch.root, batch.count, batch.uri]);
    }
    if (op.kind === "revoke-batch") return registryInterface.encodeFunctionData("revokeBatch", [batchId, op.reason]);
    const credential = await this.options.store.getCredential(credentialIdOf(op));
    invariant(credential !== null, `op ${op.id} names unknown credential ${op.credentialId}`);
    return registryInterface.encodeFunctionData("revokeCredential", [credential.digest, op.reason]);
  }

  private async revertReason(op: TxOp, blockNumber: number): Promise<CredrootError> {
    try {
      const tx = op.rawTx === null ? await this.options.provider.getTransaction(op.txHash) : Transaction.from(op.rawTx);
      if (tx === null) return decodeRegistryError(new Error("the reverted transaction is not found"));
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
