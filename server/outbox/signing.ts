/** Signing: a transaction is signed and recorded (`signed`) before anything is broadcast. */
import { keccak256 } from "ethers";
import { invariant } from "../../src";
import { hasStatus } from "../store/op-record";
import type { OpRecord, SignedOp } from "../store/types";
import { type OutboxContext, write } from "./context";
import { bumpedFees } from "./fees";

/** What a transaction to sign carries besides its fees. */
export interface Unsigned {
  nonce: number;
  data: string;
  gasLimit: bigint;
}

/**
 * Signs `op`'s transaction (fees fresh, but outbidding the op's previous transaction, if any) and
 * records it, nonce, bytes and hash, before anything is broadcast: a crash from here on is
 * recovered by broadcasting the same bytes again.
 */
export async function sign(ctx: OutboxContext, op: OpRecord, { nonce, data, gasLimit }: Unsigned): Promise<SignedOp> {
  await ctx.lease.ensure();
  const { provider, wallet, registry } = ctx.options;
  const rawTx = await wallet.signTransaction({
    type: 2,
    chainId: (await provider.getNetwork()).chainId,
    nonce,
    to: registry,
    data,
    gasLimit,
    ...bumpedFees(await provider.getFeeData(), op.rawTx),
  });
  const txHash = keccak256(rawTx); // a signed transaction's hash is that of its bytes
  const signed = await write(ctx, op.id, {
    status: "signed",
    nonce,
    txHash,
    rawTx,
    attempts: op.attempts + 1,
    ...(op.kind === "anchor" ? { batchStatus: "submitted" as const, batchTx: { txHash, blockNumber: null } } : {}),
  });
  ctx.options.faults?.afterSign?.();
  invariant(hasStatus(signed, "signed"), `op ${op.id} was written signed but reads back ${signed.status}`);
  return signed;
}
