/**
 * P8: the size of a proof bundle (compact JSON) for a credential of a large batch, every field shown.
 */
import { randomBytes } from "node:crypto";
import { sampleCredential } from "../scripts/lib/samples";
import {
  buildTree,
  commitCredential,
  type Credential,
  createBundle,
  initHasher,
  parseBundle,
  parseCredential,
  processProof,
  proofOf,
  treeRoot,
} from "../src";
import { check, randomHex32, section } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

const P8_LIMIT = 3_000;

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

/**
 * Builds a batch of `sizes.bundleBatch` leaves (the measured credentials plus random leaves: only
 * the tree's shape matters for the path) and measures the bundle of leaf 0, whose path has a
 * sibling on every level.
 */
export async function benchBundleSize(sizes: Sizes): Promise<SectionResult> {
  return section("P8", sizes.mode, async () => {
    await initHasher();
    const n = sizes.bundleBatch;
    // i ≡ 0 (mod 4): the longest sample title; a large i: the longest learner name and number.
    const index = n - 4 - (n % 4);
    const credentials = [sampleCredential(index), richCredential(index)].map((c) =>
      commitCredential(parseCredential(c)),
    );
    const leaves = [...credentials.map((c) => Buffer.from(c.leaf.slice(2), "hex"))];
    while (leaves.length < n) leaves.push(randomBytes(32));
    const tree = buildTree(leaves);
    const root = treeRoot(tree);
    const anchor = {
      chainId: 31337,
      registry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
      issuerId: 1,
      txHash: randomHex32(),
      blockNumber: 21_000_000,
    };
    const measure = (i: number) => {
      const path = proofOf(tree, i);
      const bundle = parseBundle(createBundle(credentials[i]!, { path, root }, anchor));
      check(processProof(bundle.proof.leaf, bundle.proof.path) === root, "the bundle's proof does not reach the root");
      return {
        bytes: Buffer.byteLength(JSON.stringify(bundle)),
        levels: path.length,
        fields: Object.keys(bundle.credential.fields).length,
      };
    };
    const sample = measure(0);
    const rich = measure(1);
    const batch = n.toLocaleString("en-US");
    const row = (what: string, m: typeof sample): Row => ({
      id: "P8",
      figure: `bundle size, ${what}, ${m.fields} fields shown, ${m.levels}-level path (batch of ${batch})`,
      measured: { value: m.bytes, unit: "B" },
      baseline: null,
      ratio: null,
      target: `≤ 3 KB (${P8_LIMIT.toLocaleString("en-US")} B)`,
      met: m.bytes <= P8_LIMIT,
    });
    return {
      rows: [row("sample credential", sample), row("every optional field filled", rich)],
      details: { batch: n, credentialIndex: index, pathLevels: sample.levels },
    };
  });
}
