/**
 * P10: credroot against its closest peer, OpenAttestation v2 (`wrapDocuments`, the DocumentStore
 * flow), in one process: the same credentials made into one file per learner by each, rounds
 * interleaved (ABBA), and the size of those files. credroot runs as a library user would call it,
 * without awaiting `initHasher()`.
 */
import { performance } from "node:perf_hooks";
import { v2, verifySignature, wrapDocuments } from "@govtechsg/open-attestation";
import { sampleCredential } from "../scripts/lib/samples";
import {
  type AnchorContext,
  bundleFor,
  bundlePath,
  bundleRoot,
  type Credential,
  digestOfOpening,
  hasherKind,
  leafOf,
  newBatchId,
  openBundle,
  parseBundle,
  prepareBatch,
  processProof,
  toHex,
} from "../src";
import { check, mean, section, since } from "./lib/measure";
import type { Details, Row, SectionResult, Sizes } from "./lib/types";

/** Issue 16: credroot at least 5× faster than OpenAttestation at 10,000 credentials. */
const SPEED_LIMIT = 0.2;
const REGISTRY = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
/** The block a bundle names: any will do for its size and its checks. */
const BLOCK = 21_000_000;

/** One issuer for both: OpenAttestation names it in every document, credroot by its issuer id. */
const OA_ISSUER: v2.Issuer = {
  name: "Universiteit van Voorbeeld",
  documentStore: REGISTRY,
  identityProof: { type: v2.IdentityProofType.DNSTxt, location: "uni.example.org" },
};

/** Each learner's file, as text: credroot's proof bundles. */
function credrootFiles(credentials: readonly Credential[]): string[] {
  const context: AnchorContext = { chainId: 31337, registry: REGISTRY, issuerId: 1, batchId: newBatchId() };
  const batch = prepareBatch(credentials, context);
  return credentials.map((_, i) => JSON.stringify(bundleFor(batch, i, BLOCK)));
}

/** Each learner's file, as text: OpenAttestation's wrapped documents. */
function openAttestationFiles(credentials: readonly Credential[]): string[] {
  const documents = credentials.map((c) => ({ ...c, issuers: [OA_ISSUER] }));
  return wrapDocuments(documents).map((wrapped) => JSON.stringify(wrapped));
}

/** Seconds `build` takes, and the files it built. */
function timed(build: () => string[]): { seconds: number; files: string[] } {
  const start = performance.now();
  const files = build();
  return { seconds: since(start), files };
}

const bytesOf = (files: readonly string[]) => mean(files.map((f) => Buffer.byteLength(f)));

/** Each side's own check of one file: a figure of broken files is no figure. */
function checkFiles(credroot: readonly string[], openAttestation: readonly string[], index: number): void {
  const bundle = parseBundle(credroot[index]!);
  const leaf = toHex(leafOf(bundle.anchor, digestOfOpening(openBundle(bundle))));
  check(processProof(leaf, bundlePath(bundle)) === bundleRoot(bundle), "a credroot bundle misses its root");
  const wrapped = JSON.parse(openAttestation[index]!) as v2.WrappedDocument;
  check(verifySignature(wrapped), "an OpenAttestation document fails its own signature check");
}

interface Race {
  credroot: number[];
  openAttestation: number[];
  /** The files of each side's last round. */
  files: { credroot: string[]; openAttestation: string[] };
}

/** `rounds` rounds of each side over `credentials`, in ABBA order. */
function race(credentials: readonly Credential[], rounds: number): Race {
  const result: Race = { credroot: [], openAttestation: [], files: { credroot: [], openAttestation: [] } };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? (["oa", "credroot"] as const) : (["credroot", "oa"] as const);
    for (const who of order) {
      if (who === "oa") {
        const run = timed(() => openAttestationFiles(credentials));
        result.openAttestation.push(run.seconds);
        result.files.openAttestation = run.files;
      } else {
        const run = timed(() => credrootFiles(credentials));
        result.credroot.push(run.seconds);
        result.files.credroot = run.files;
      }
    }
  }
  return result;
}

function rowsOf(result: Race, n: number, rounds: number): Row[] {
  const measured = mean(result.credroot);
  const baseline = mean(result.openAttestation);
  const crBytes = bytesOf(result.files.credroot);
  const oaBytes = bytesOf(result.files.openAttestation);
  const count = n.toLocaleString("en-US");
  return [
    {
      id: "P10",
      figure: `${count} credentials to one file per learner (validate, hash, tree, proofs, JSON), credroot vs OpenAttestation`,
      measured: { value: measured, unit: "s" },
      baseline: { value: baseline, unit: "s" },
      ratio: measured / baseline,
      target: `≤ ${SPEED_LIMIT}× OpenAttestation's \`wrapDocuments\` (≥ ${1 / SPEED_LIMIT}× faster)`,
      met: measured / baseline <= SPEED_LIMIT,
      note: `credroot ${(baseline / measured).toFixed(1)}× faster; ${rounds} rounds each, interleaved`,
    },
    {
      id: "P10",
      figure: `file per learner, mean of ${count}: credroot bundle vs OpenAttestation wrapped document`,
      measured: { value: crBytes, unit: "B" },
      baseline: { value: oaBytes, unit: "B" },
      ratio: crBytes / oaBytes,
      target: "< 1× OpenAttestation's (smaller)",
      met: crBytes < oaBytes,
    },
  ];
}

/**
 * P10: `sizes.peerCredentials` sample credentials made into one file per learner by credroot
 * (`prepareBatch` + `bundleFor`) and by OpenAttestation (`wrapDocuments`), both to JSON text,
 * `sizes.peerRounds` rounds each in ABBA order after a warm-up; the mean round of each reported.
 */
export async function benchPeer(sizes: Sizes): Promise<SectionResult> {
  return section("P10", sizes.mode, () => {
    const n = sizes.peerCredentials;
    const credentials = Array.from({ length: n }, (_, i) => sampleCredential(i));
    const warmup = credentials.slice(0, Math.min(n, 200));
    credrootFiles(warmup);
    openAttestationFiles(warmup);
    check(hasherKind() === "wasm", "prepareBatch did not load the WebAssembly keccak by itself");
    const result = race(credentials, sizes.peerRounds);
    checkFiles(result.files.credroot, result.files.openAttestation, n - 1);
    const details: Details = {
      credentials: n,
      rounds: sizes.peerRounds,
      credrootRounds: result.credroot.map((s) => s.toFixed(3)).join(" / "),
      openAttestationRounds: result.openAttestation.map((s) => s.toFixed(3)).join(" / "),
      credrootBytesPerLearner: bytesOf(result.files.credroot),
      openAttestationBytesPerLearner: bytesOf(result.files.openAttestation),
      hasher: hasherKind(),
    };
    return Promise.resolve({ rows: rowsOf(result, n, sizes.peerRounds), details });
  });
}
