/**
 * P3a and P3b: keccak throughput of the library's hasher, and the cost of preparing a batch
 * (validation, field hashes, digests, tree, every proof) against the bare hashing it contains.
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import canonicalize from "canonicalize";
import keccak256Package from "keccak256";
import { sampleCredential } from "../scripts/lib/samples";
import {
  type AnchorContext,
  buildTree,
  commitCredential,
  type Credential,
  flatten,
  fromHex32,
  hasherKind,
  initHasher,
  type JsonValue,
  keccak256,
  newBatchId,
  parseCredential,
  prepareBatch,
  proofOf,
} from "../src";
import { check, currentRssMb, mean, median, rssRow, section, since } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

const INPUT_BYTES = 64;
const POOL = 4096;

/** `POOL` random 64-byte inputs, cycled through so that the hashers do not hash one buffer over and over. */
function inputPool(): Buffer[] {
  return Array.from({ length: POOL }, () => randomBytes(INPUT_BYTES));
}

/** Hashes per second of `hash` over `count` inputs from `pool`; the XOR of first bytes keeps the work alive. */
function throughput(hash: (input: Buffer) => Uint8Array, pool: readonly Buffer[], count: number): number {
  let sink = 0;
  const start = performance.now();
  for (let i = 0; i < count; i++) sink ^= hash(pool[i & (POOL - 1)]!)[0]!;
  const seconds = since(start);
  check(sink >= 0, "unreachable");
  return count / seconds;
}

/** Seconds the library hasher takes for `count` hashes of 64-byte inputs. */
function rawHashSeconds(pool: readonly Buffer[], count: number): number {
  return count / throughput(keccak256, pool, count);
}

const P3A_LIMIT = 4;

/**
 * P3a: the library's `keccak256` (hash-wasm's WebAssembly module once loaded) against the `keccak256` npm
 * package on the same 64-byte inputs; rounds interleaved, the median round of each reported.
 */
export async function benchKeccak(sizes: Sizes): Promise<SectionResult> {
  return section("P3a", sizes.mode, async () => {
    await initHasher();
    check(hasherKind() === "wasm", "initHasher() did not load the WebAssembly keccak");
    const pool = inputPool();
    const same = pool.slice(0, 16).every((input) => Buffer.from(keccak256(input)).equals(keccak256Package(input)));
    check(same, "the two hashers disagree");
    const warmup = Math.min(sizes.keccakHashes, 50_000);
    throughput(keccak256, pool, warmup);
    throughput(keccak256Package, pool, warmup);
    const library: number[] = [];
    const npm: number[] = [];
    for (let round = 0; round < sizes.keccakRounds; round++) {
      library.push(throughput(keccak256, pool, sizes.keccakHashes));
      npm.push(throughput(keccak256Package, pool, sizes.keccakHashes));
    }
    const measured = median(library);
    const baseline = median(npm);
    const ratio = measured / baseline;
    const row: Row = {
      id: "P3a",
      figure: "keccak-256 throughput, library hasher (hash-wasm's module, called directly), 64-byte inputs",
      measured: { value: measured, unit: "hash/s" },
      baseline: { value: baseline, unit: "hash/s" },
      ratio,
      target: `≥ ${P3A_LIMIT}× the \`keccak256\` package`,
      met: ratio >= P3A_LIMIT,
    };
    return {
      rows: [row],
      details: {
        hashesPerRound: sizes.keccakHashes,
        rounds: sizes.keccakRounds,
        libraryRounds: library.map(Math.round).join(" / "),
        keccak256PackageRounds: npm.map(Math.round).join(" / "),
      },
    };
  });
}

/**
 * Keccak calls of preparing `fieldCounts.length` credentials: 3 per field (salt from the secret,
 * value hash, field hash), 1 digest, 2 leaf, and the n − 1 tree nodes.
 */
export function batchHashCount(fieldCounts: readonly number[]): number {
  return fieldCounts.reduce((sum, fields) => sum + 3 * fields + 3, 0) + fieldCounts.length - 1;
}

/** keccak-f[1600] permutations of hashing `bytes` bytes: one per started 136-byte block of the rate. */
const permutations = (bytes: number) => Math.floor(bytes / 136) + 1;

/**
 * Permutations of committing `credential` (salt, value and field hash per field; digest; leaf):
 * long values and the digest's 22 + 32·n bytes take several, where a 64-byte baseline call takes one.
 */
function commitPermutations(credential: Credential): number {
  const fields = flatten(credential as unknown as { [key: string]: JsonValue });
  let count = permutations(22 + 32 * fields.size) + permutations(160) + permutations(32);
  for (const [pointer, value] of fields) {
    const p = Buffer.byteLength(pointer);
    count +=
      permutations(32 + p) + permutations(16 + Buffer.byteLength(canonicalize(value) ?? "")) + permutations(p + 32);
  }
  return count;
}

/** Where the benchmark's batches would be anchored: only its bytes matter to the hashing. */
function benchContext(): AnchorContext {
  return { chainId: 31337, registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3", issuerId: 1, batchId: newBatchId() };
}

/** Fields of a committed credential: what its hash count depends on. */
const fieldCount = (credential: { [key: string]: JsonValue }) => flatten(credential).size;

/** Seconds of each phase of `prepareBatch` + proofs, timed one by one with the library's own functions. */
function phaseBreakdown(credentials: readonly Credential[]): Record<string, number> {
  const context = benchContext();
  let start = performance.now();
  const valid = credentials.map((c) => parseCredential(c));
  const validate = since(start);
  start = performance.now();
  const committed = valid.map((c) => commitCredential(c, context));
  const commit = since(start);
  start = performance.now();
  const tree = buildTree(committed.map((c) => fromHex32(c.leaf)));
  const treeSeconds = since(start);
  start = performance.now();
  for (let i = 0; i < committed.length; i++) proofOf(tree, i);
  return { validate, commit, tree: treeSeconds, proofs: since(start) };
}

/**
 * `prepareBatch` then `proofOf` for every credential, timed; the batch is dropped before this
 * returns, so that the phase breakdown after it does not run with the whole batch still in the heap.
 */
function timeBatch(credentials: readonly Credential[]): {
  prepareSeconds: number;
  proofSeconds: number;
  hashes: number;
} {
  let start = performance.now();
  const batch = prepareBatch(credentials, benchContext());
  const prepareSeconds = since(start);
  start = performance.now();
  let pathEntries = 0;
  for (let i = 0; i < batch.count; i++) pathEntries += proofOf(batch.tree, i).length;
  const proofSeconds = since(start);
  check(batch.count === credentials.length && pathEntries > 0, "prepareBatch lost credentials");
  const hashes = batchHashCount(batch.credentials.map((c) => fieldCount(c.credential)));
  return { prepareSeconds, proofSeconds, hashes };
}

/** `time split on 20,000 credentials: validate 1%, commit 90%, …`. */
function splitNote(breakdown: Record<string, number>, count: number): string {
  const total = Object.values(breakdown).reduce((a, b) => a + b, 0);
  const shares = Object.entries(breakdown).map(([phase, s]) => `${phase} ${((100 * s) / total).toFixed(0)}%`);
  return `time split on ${count.toLocaleString("en-US")} credentials: ${shares.join(", ")}`;
}

const P3B_LIMIT = 1.5; // issue 16

/**
 * P3b: `prepareBatch` over N sample credentials, then `proofOf` for every one of them, against the
 * library hasher doing the same number of keccak calls on 64-byte inputs (before and after; the
 * mean is the baseline). One core: everything runs on the main thread.
 */
export async function benchPrepareBatch(sizes: Sizes): Promise<SectionResult> {
  return section("P3b", sizes.mode, async () => {
    await initHasher();
    const n = sizes.batchCredentials;
    const credentials = Array.from({ length: n }, (_, i) => sampleCredential(i));
    const pool = inputPool();
    prepareBatch(credentials.slice(0, 200), benchContext()); // warm-up, as the baseline gets
    rawHashSeconds(pool, 200_000);
    const rssBefore = currentRssMb();

    // Sample credentials all have the same fields; the exact count is taken from the batch below.
    const fields = fieldCount(commitCredential(parseCredential(credentials[0]), benchContext()).credential);
    const expected = batchHashCount(new Array<number>(n).fill(fields));
    const before = rawHashSeconds(pool, expected);

    const { prepareSeconds, proofSeconds, hashes } = timeBatch(credentials);
    const measured = prepareSeconds + proofSeconds;
    const baselineBefore = (before * hashes) / expected;
    const baselineAfter = rawHashSeconds(pool, hashes);
    const baseline = mean([baselineBefore, baselineAfter]);
    const breakdownCount = Math.min(n, sizes.breakdownCredentials);
    const breakdown = phaseBreakdown(credentials.slice(0, breakdownCount));
    const ratio = measured / baseline;
    const count = n.toLocaleString("en-US");
    const perms = credentials.reduce((sum, c) => sum + commitPermutations(parseCredential(c)), n - 1);
    const perPermutation = ratio / (perms / hashes);
    const rows: Row[] = [
      {
        id: "P3b",
        figure: `prepare ${count} credentials + every proof, one core`,
        measured: { value: measured, unit: "s" },
        baseline: { value: baseline, unit: "s" },
        ratio,
        target: `≤ ${P3B_LIMIT}× the raw keccak of as many hashes`,
        met: ratio <= P3B_LIMIT,
        note:
          `${hashes.toLocaleString("en-US")} keccak calls (${perms.toLocaleString("en-US")} permutations: ` +
          `${perPermutation.toFixed(2)}× per permutation); ${splitNote(breakdown, breakdownCount)}`,
      },
      rssRow("P3b", `preparing ${count} credentials`),
    ];
    return {
      rows,
      details: {
        credentials: n,
        keccakCalls: hashes,
        keccakPermutations: perms,
        ratioPerPermutation: perPermutation,
        fieldsPerCredential: fields,
        prepareBatchSeconds: prepareSeconds,
        proofsSeconds: proofSeconds,
        baselineBeforeSeconds: baselineBefore,
        baselineAfterSeconds: baselineAfter,
        rssBeforeMb: rssBefore,
        breakdownCredentials: breakdownCount,
        ...Object.fromEntries(Object.entries(breakdown).map(([phase, s]) => [`breakdown.${phase}Seconds`, s])),
      },
    };
  });
}
