/** Which nonce the next transaction of the signer takes. */
import type { OutboxContext } from "./context";

/**
 * The lowest nonce from the chain's mined count up that no transaction of ours in flight holds:
 * a nonce freed by a dropped or refused transaction is filled first, so the ones above it can be
 * mined. (The signer key must be used by no one but the instances of this service, which take
 * turns through the lease.)
 */
export async function nextNonce(ctx: OutboxContext): Promise<number> {
  const { provider, store, wallet } = ctx.options;
  const mined = await provider.getTransactionCount(wallet.address, "latest");
  const signer = wallet.address.toLowerCase();
  const held = new Set(
    (await store.listOps(["signed", "sent"]))
      .filter((o) => o.signer.toLowerCase() === signer)
      .flatMap((o) => (o.nonce === null ? [] : [o.nonce])),
  );
  let nonce = mined;
  while (held.has(nonce)) nonce += 1;
  return nonce;
}
