/** The figures of `npm run bench`, by their number in issue 5. */
export const SECTION_IDS = ["P1", "P2", "P3a", "P3b", "P4", "P5", "P6", "P7", "P8", "P9", "P10", "P11"] as const;
export type SectionId = (typeof SECTION_IDS)[number];

/** How big a run is: `smoke` (seconds, for the test), `default`, or `full` (the 1M-credential P3b). */
export type Mode = "smoke" | "default" | "full";

export type Unit = "gas" | "hash/s" | "s" | "ms" | "req/s" | "B" | "MB" | "calls";

/** A number and what it counts. */
export interface Quantity {
  value: number;
  unit: Unit;
}

/** One line of the results table. */
export interface Row {
  id: SectionId;
  figure: string;
  /** `null` when the figure cannot be measured yet (said why in `note`). */
  measured: Quantity | null;
  /** Measured in the same run, on the same machine, with the same inputs; `null` for absolute figures. */
  baseline: Quantity | null;
  /** `measured ÷ baseline`. */
  ratio: number | null;
  /** Shown as `1.23×`, or as a percentage for throughput compared with a bare route. */
  ratioAs?: "times" | "percent";
  target: string;
  /** `null` for figures without a target (peak RSS, counts reported for information). */
  met: boolean | null;
  note?: string;
}

/** Numbers behind a section's rows (phases, raw gas, sizes), kept in `bench/results.json`. */
export type Details = Record<string, number | string | boolean | null>;

export interface SectionResult {
  id: SectionId;
  mode: Mode;
  rows: Row[];
  details: Details;
  /** Wall-clock time of the whole section, set-up included. */
  seconds: number;
}

/** Sizes of every section for one mode. */
export interface Sizes {
  mode: Mode;
  /** P1: the `count` argument of each measured `anchor`. */
  anchorCounts: readonly number[];
  /** P2: proof lengths measured (the slope is fitted through them). */
  verifyLevels: readonly [number, number];
  /** P2: random valid proofs measured at each length (their gas is averaged). */
  verifyProofs: number;
  /** P3a: hashes per timed round, and rounds per hasher (interleaved). */
  keccakHashes: number;
  keccakRounds: number;
  /** P3b: credentials prepared; the phase breakdown runs on at most `breakdownCredentials`. */
  batchCredentials: number;
  breakdownCredentials: number;
  /** P4: credentials uploaded as CSV; bundles fetched afterwards (`"all"` or a sample size). */
  csvCredentials: number;
  csvFetch: "all" | number;
  /** P5/P6: batch the bundles come from, how many are rotated, and the autocannon settings. */
  httpBatch: number;
  httpRotate: number;
  httpConnections: number;
  httpSeconds: number;
  /** P5/P6: measured rounds per target, in ABBA order (bare, service, service, bare, …). */
  httpRounds: number;
  /** P8: size of the batch the measured credential belongs to. */
  bundleBatch: number;
  /** P10: credentials each of credroot and OpenAttestation makes into files, and rounds of each. */
  peerCredentials: number;
  peerRounds: number;
}

/** A benchmark section: runs at the given sizes and reports its rows. */
export type Section = (sizes: Sizes) => Promise<SectionResult>;
