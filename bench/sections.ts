import { benchBundleSize } from "./bundle";
import { benchAnchorGas, benchVerifyGas } from "./gas";
import { benchKeccak, benchPrepareBatch } from "./hashing";
import { benchBundleHttp, benchVerifyHttp } from "./http";
import { benchInstances } from "./instances";
import { benchCsvToFinal } from "./issuance";
import { benchPeer } from "./peer";
import { benchRpcCalls } from "./rpc";
import { benchSigning } from "./signing";
import type { Mode, Section, SectionId, Sizes } from "./lib/types";

/** Every benchmark section, by figure number. */
export const SECTIONS: Record<SectionId, Section> = {
  P1: benchAnchorGas,
  P2: benchVerifyGas,
  P3a: benchKeccak,
  P3b: benchPrepareBatch,
  P4: benchCsvToFinal,
  P5: benchVerifyHttp,
  P6: benchBundleHttp,
  P7: benchRpcCalls,
  P8: benchBundleSize,
  P9: benchInstances,
  P10: benchPeer,
  P11: benchSigning,
};

const DEFAULT_SIZES: Sizes = {
  mode: "default",
  anchorCounts: [1, 1_000, 1_000_000],
  verifyLevels: [10, 20],
  verifyProofs: 16,
  keccakHashes: 500_000,
  keccakRounds: 3,
  batchCredentials: 100_000,
  breakdownCredentials: 20_000,
  csvCredentials: 100_000,
  csvFetch: "all",
  httpBatch: 10_000,
  httpRotate: 32,
  httpConnections: 50,
  httpSeconds: 5,
  httpRounds: 2,
  bundleBatch: 1_000_000,
  peerCredentials: 10_000,
  peerRounds: 2,
};

/**
 * Sizes per mode: `smoke` runs every section in seconds (the figures mean little); `full` runs P3b
 * and P4 with 1,000,000 credentials, P4 fetching 20,000 bundles spread over the batch (a bundle GET
 * is two primary-key reads whatever the batch's size: the 100,000 default run fetches every one).
 */
export const SIZES: Record<Mode, Sizes> = {
  default: DEFAULT_SIZES,
  full: {
    ...DEFAULT_SIZES,
    mode: "full",
    batchCredentials: 1_000_000,
    csvCredentials: 1_000_000,
    csvFetch: 20_000,
  },
  smoke: {
    ...DEFAULT_SIZES,
    mode: "smoke",
    // Few proofs: the smoke test checks each figure's shape, not its precision.
    verifyProofs: 2,
    keccakHashes: 20_000,
    keccakRounds: 1,
    batchCredentials: 1_000,
    breakdownCredentials: 1_000,
    csvCredentials: 300,
    httpBatch: 40,
    httpRotate: 8,
    httpConnections: 10,
    httpSeconds: 0.5,
    httpRounds: 1,
    bundleBatch: 1_000,
    peerCredentials: 200,
    peerRounds: 1,
  },
};
