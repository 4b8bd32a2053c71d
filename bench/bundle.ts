/**
 * P8: the size of a v2 proof bundle (compact JSON) for a credential of a large batch: the full
 * bundle, and the disclosed copy of the README's example (`--hide learner.email,assessment.grade`),
 * which must fit one QR code.
 */
import { randomBytes } from "node:crypto";
import { sampleCredential } from "../scripts/lib/samples";
import {
  type AnchorContext,
  type Bundle,
  buildTree,
  bundlePath,
  bundleRoot,
  type CommittedCredential,
  commitCredential,
  type Credential,
  createBundle,
  digestOfOpening,
  discloseBundle,
  initHasher,
  leafOf,
  newBatchId,
  openBundle,
  parseBundle,
  parseCredential,
  processProof,
  proofOf,
  toHex,
  treeRoot,
} from "../src";
import { check, randomHex32, section } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

/** Issue 11: the full bundle of the sample credential with a 20-level path. */
const FULL_LIMIT = 2_500;
/** Bytes a QR code (version 40) holds at error correction M: a printed certificate carries its proof. */
const QR_LIMIT = 2_331;
/** P8 on format v1 (sample credential, 19 fields, 20-level path), for comparison. */
const V1_BYTES = 4_304;
/** The README's selective-disclosure example. */
const HIDE = ["learner.email", "assessment.grade"];

/** A sample credential with every optional field filled as an issuer plausibly would. */
function richCredential(i: number): Credential {
  const base = sampleCredential(i);
  return {
    ...base,
    description:
      "A short course for engineers who design and run systems that process personal data: lawful bases, " +
      "data protection by design, records of processing, breach handling and international transfers.",
    learner: { ...base.learner, dateOfBirth: "1998-04-17" },
    nqfLevel: "NL-NLQF 6",
    prerequisites: ["A bachelor's degree in engineering or computer science, or equivalent experience"],
    stackability: {
      countsTowards: "MSc Data Science and Society, Universiteit van Voorbeeld (elective space, 3 ECTS)",
      buildsOn: [randomHex32()],
    },
    validUntil: "2031-06-30",
    evidenceUrl: `https://uni.example.org/evidence/${base.learner.identifier ?? i}`,
  };
}

interface Measured {
  bytes: number;
  levels: number;
  shown: number;
  hidden: number;
}

const fieldsOf = (m: Measured) => (m.hidden > 0 ? `${m.shown} fields shown, ${m.hidden} hidden` : `${m.shown} fields`);

/** Parses the bundle back, rebuilds its leaf from what it carries and checks the path reaches `root`. */
function measure(bundle: Bundle, context: AnchorContext, root: string): Measured {
  const text = JSON.stringify(bundle);
  const parsed = parseBundle(text);
  const opening = openBundle(parsed);
  const path = bundlePath(parsed);
  const leaf = toHex(leafOf(context, digestOfOpening(opening)));
  check(bundleRoot(parsed) === root, "the bundle names another root");
  check(processProof(leaf, path) === root, "the bundle's proof does not reach the root");
  return {
    bytes: Buffer.byteLength(text),
    levels: path.length,
    shown: opening.shown.size,
    hidden: opening.hidden.size,
  };
}

/**
 * Builds a batch of `sizes.bundleBatch` leaves (the measured credentials plus random leaves: only
 * the tree's shape matters for the path) and measures the bundles of leaves 0 and 1, whose paths
 * have a sibling on every level.
 */
export async function benchBundleSize(sizes: Sizes): Promise<SectionResult> {
  return section("P8", sizes.mode, async () => {
    await initHasher();
    const n = sizes.bundleBatch;
    // i ≡ 0 (mod 4): the longest sample title; a large i: the longest learner name and number.
    const index = n - 4 - (n % 4);
    const context: AnchorContext = {
      chainId: 31337,
      registry: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
      issuerId: 1,
      batchId: newBatchId(),
    };
    const credentials: CommittedCredential[] = [sampleCredential(index), richCredential(index)].map((c) =>
      commitCredential(parseCredential(c), context),
    );
    const leaves = credentials.map((c) => Buffer.from(c.leaf.slice(2), "hex"));
    while (leaves.length < n) leaves.push(randomBytes(32));
    const tree = buildTree(leaves);
    const root = treeRoot(tree);
    const anchor = { ...context, block: 21_000_000 };
    const full = (i: number) => createBundle(credentials[i]!, { path: proofOf(tree, i), root }, anchor);
    const sample = measure(full(0), context, root);
    const disclosed = measure(discloseBundle(full(0), HIDE), context, root);
    const rich = measure(full(1), context, root);
    const batch = n.toLocaleString("en-US");
    const row = (what: string, m: Measured, target: string, limit: number | null): Row => ({
      id: "P8",
      figure: `bundle size, ${what} (${fieldsOf(m)}), ${m.levels}-level path (batch of ${batch})`,
      measured: { value: m.bytes, unit: "B" },
      baseline: null,
      ratio: null,
      target,
      met: limit === null ? null : m.bytes <= limit,
    });
    const v1 = `v1: ${V1_BYTES.toLocaleString("en-US")} B`;
    return {
      rows: [
        row("sample credential, full bundle", sample, `≤ ${FULL_LIMIT.toLocaleString("en-US")} B (${v1})`, FULL_LIMIT),
        row(
          "sample credential, disclosed copy",
          disclosed,
          `≤ ${QR_LIMIT.toLocaleString("en-US")} B, one QR code at level M (${v1})`,
          QR_LIMIT,
        ),
        row("every optional field filled, full bundle", rich, "report", null),
      ],
      details: {
        batch: n,
        credentialIndex: index,
        pathLevels: sample.levels,
        v1SampleBytes: V1_BYTES,
        disclosedHidden: HIDE.join(","),
      },
    };
  });
}
