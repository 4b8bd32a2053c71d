import { toBeHex, zeroPadValue } from "ethers";
import { batchIdToBytes16 } from "./encoding";
import type { Hex32 } from "./hash";
import { parseRegistryEvent } from "./registry-events";
import { credentialRegistryInterface } from "./registry-interface";

/** A log as a JSON-RPC node returns it: what {@link revocationReason} reads. */
export interface RevocationLog {
  address: string;
  topics: readonly string[];
  data: string;
}

/** Anything that can run an `eth_getLogs`: an ethers Provider (JsonRpcProvider, BrowserProvider…). */
export interface LogsProvider {
  getLogs(filter: {
    address: string;
    topics: (string | string[] | null)[];
    fromBlock: number | string;
    toBlock: number | string;
  }): Promise<readonly RevocationLog[]>;
}

export interface RevocationReasonParameters {
  provider: LogsProvider;
  /** The registry the bundle names (and the verifier trusts). */
  registry: string;
  issuerId: number;
  batchId: string;
  /** The credential digest (`VerificationResult.digest`). */
  digest: Hex32;
  /** Search from this block (the batch's anchoring block: nothing is revoked before it). Default 0. */
  fromBlock?: number;
}

/** Why, and how, a credential was revoked, as the registry's event records it. */
export interface RevocationReason {
  /** `credential`: this credential alone; `batch`: its whole batch. */
  scope: "credential" | "batch";
  reason: string;
  /** The signer that revoked it. */
  signer: string;
}

const CREDENTIAL_REVOKED = credentialRegistryInterface.getEvent("CredentialRevoked").topicHash;
const BATCH_REVOKED = credentialRegistryInterface.getEvent("BatchRevoked").topicHash;

/**
 * The reason a revoked credential's issuer gave, read from the chain with one `eth_getLogs`
 * (`CredentialRevoked` for this digest or `BatchRevoked` for this batch, of this issuer, from
 * this registry). Only logs the registry emitted and the issuer's indexed topics match are read:
 * the text is the chain's, never a server's. A credential revoked both ways gets the credential's
 * own reason. Returns null when the chain holds no such event.
 * @example
 * const why = await revocationReason({ provider, registry, issuerId, batchId, digest: result.digest! });
 * // { scope: "credential", reason: "issued in error", signer: "0x…" }
 */
export async function revocationReason(parameters: RevocationReasonParameters): Promise<RevocationReason | null> {
  const { provider, registry, issuerId, digest } = parameters;
  const issuerTopic = zeroPadValue(toBeHex(issuerId), 32);
  // A bytes16 topic is left-aligned: padded on the right.
  const batchTopic = `${batchIdToBytes16(parameters.batchId)}${"0".repeat(32)}`;
  const logs = await provider.getLogs({
    address: registry,
    topics: [[CREDENTIAL_REVOKED, BATCH_REVOKED], issuerTopic, [digest.toLowerCase(), batchTopic]],
    fromBlock: parameters.fromBlock ?? 0,
    toBlock: "latest",
  });
  let batch: RevocationReason | null = null;
  for (const log of logs) {
    if (log.address.toLowerCase() !== registry.toLowerCase()) continue;
    if (log.topics[1]?.toLowerCase() !== issuerTopic.toLowerCase()) continue;
    const key = log.topics[2]?.toLowerCase();
    const credential = parseRegistryEvent(log, "CredentialRevoked");
    if (credential && key === digest.toLowerCase()) {
      return { scope: "credential", reason: credential.reason, signer: credential.signer };
    }
    const revokedBatch = parseRegistryEvent(log, "BatchRevoked");
    if (revokedBatch && key === batchTopic.toLowerCase()) {
      batch ??= { scope: "batch", reason: revokedBatch.reason, signer: revokedBatch.signer };
    }
  }
  return batch;
}
