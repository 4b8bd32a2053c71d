/** The fees of a transaction that may replace an earlier one with the same nonce. */
import { Transaction } from "ethers";

/** EIP-1559 fees; null where the node gives none. */
export interface Fees {
  maxFeePerGas: bigint | null;
  maxPriorityFeePerGas: bigint | null;
}

/** The least raise a replacement offers: 12.5%, above the 10% nodes require. */
const BUMP_PER_MILLE = 1125n;

/**
 * Fresh fees, but at least 12.5% above `previousRaw`'s (the op's previous transaction, if any): a
 * replacement with the same nonce needs a bump of 10% or more, or the node answers "replacement
 * underpriced".
 * @example
 * bumpedFees(await provider.getFeeData(), op.rawTx)
 */
export function bumpedFees(fees: Fees, previousRaw: string | null): Fees {
  if (!previousRaw) return { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas };
  const previous = Transaction.from(previousRaw);
  const bump = (fresh: bigint | null, old: bigint | null) => {
    if (fresh === null || old === null) return fresh;
    const raised = (old * BUMP_PER_MILLE) / 1000n;
    return fresh > raised ? fresh : raised;
  };
  return {
    maxFeePerGas: bump(fees.maxFeePerGas, previous.maxFeePerGas),
    maxPriorityFeePerGas: bump(fees.maxPriorityFeePerGas, previous.maxPriorityFeePerGas),
  };
}
