import { CredentialRegistry__factory } from "../../../src";
import { IssuerKey } from "../../../src/standard";
import type { ServiceFixture } from "../../support/service";

/** The signing seed of the badge and verify-standard tests' service. */
export const BADGE_SEED = "5b".repeat(32);

/** Records `key`'s did:key for the fixture's issuer on chain, as the accreditor (signer 0) does. */
export async function recordIssuerKey(fx: ServiceFixture, key: IssuerKey, issuerId = fx.issuerId): Promise<void> {
  const registry = CredentialRegistry__factory.connect(fx.registry, await fx.chain.signer(0));
  const publicKey = `0x${Buffer.from(key.publicJwk.x, "base64url").toString("hex")}`;
  await (await registry.addIssuerKey(issuerId, publicKey)).wait();
}

/** The service's key, recorded for its issuer. */
export async function recordedKey(fx: ServiceFixture, seed = BADGE_SEED): Promise<IssuerKey> {
  const key = await IssuerKey.fromSeed(seed);
  await recordIssuerKey(fx, key);
  return key;
}
