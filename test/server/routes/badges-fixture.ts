import type { ServiceFixture } from "../../support/service";
import { recordIssuerKey } from "../../support/issuer-key";

/** The master secret (ISSUER_SIGNING_KEY) of the badge and verify-standard tests' services. */
export const BADGE_SEED = "5b".repeat(32);

/** Records the service's key of its issuer on chain, as the accreditor does; its DID. */
export async function recordedKey(fx: ServiceFixture): Promise<{ did: string }> {
  return { did: await recordIssuerKey(fx) };
}
