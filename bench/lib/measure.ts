import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { type Hex32, toHex } from "../../src";
import type { Details, Mode, Row, SectionId, SectionResult } from "./types";

/** Seconds `fn` took, and what it returned. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - start) / 1000, value };
}

/** Seconds since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return (performance.now() - start) / 1000;
}

/**
 * The process's peak resident set so far, in MB. Sections run in a process of their own under
 * `npm run bench`, so there it is the section's peak; in the smoke test it is the test process's.
 */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
}

export function currentRssMb(): number {
  return process.memoryUsage().rss / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("median of nothing");
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("mean of nothing");
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** 32 random bytes as hex (a root, leaf or transaction hash that nothing else can collide with). */
export function randomHex32(): Hex32 {
  return toHex(randomBytes(32));
}

/** Runs `body` and wraps its rows and details with the section's id, mode and wall-clock time. */
export async function section(
  id: SectionId,
  mode: Mode,
  body: () => Promise<{ rows: Row[]; details: Details }>,
): Promise<SectionResult> {
  const { seconds, value } = await timed(body);
  return { id, mode, rows: value.rows, details: value.details, seconds };
}

/** A row for a process's peak RSS: reported, no target. */
export function rssRow(id: SectionId, what: string): Row {
  return {
    id,
    figure: `peak RSS, ${what}`,
    measured: { value: peakRssMb(), unit: "MB" },
    baseline: null,
    ratio: null,
    target: "—",
    met: null,
  };
}

/** Fails loudly when a benchmark's own sanity check does not hold (a figure of broken work is no figure). */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`benchmark sanity check failed: ${message}`);
}

/** `count` ids spread evenly over a batch: the bundles a load test rotates through. */
export function spreadIds(credentials: readonly { id: string }[], count: number): string[] {
  const step = Math.max(1, Math.floor(credentials.length / count));
  return credentials
    .filter((_, i) => i % step === 0)
    .slice(0, count)
    .map((c) => c.id);
}
