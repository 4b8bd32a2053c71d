/**
 * P1 and P2: gas of `anchor` against a minimal anchor, and of `verify` as another contract pays it.
 */
import { type Hex32, processProof, registryInterface } from "../src";
import { startRegistry } from "../test/support/registry";
import { calldataGas, deployArtifact } from "./lib/contracts";
import { check, mean, randomHex32, section } from "./lib/measure";
import type { Details, Row, SectionResult, Sizes } from "./lib/types";

/** A 66-character metadata URI, as in the README's gas table. */
const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const BASE_TX_GAS = 21_000;
const P1_LIMIT = 1.05;

/**
 * P1: receipt gas of `CredentialRegistry.anchor(root, count, uri)` for each count, against
 * `MinimalAnchor.anchor` with the same arguments (same selector, so the same calldata). The root
 * is random per size. Execution gas (receipt gas − 21,000 − calldata) must not depend on the count.
 */
export async function benchAnchorGas(sizes: Sizes): Promise<SectionResult> {
  return section("P1", sizes.mode, async () => {
    const fx = await startRegistry();
    try {
      const minimal = await deployArtifact("mocks/MinimalAnchor.sol/MinimalAnchor", fx.issuerSigner, [
        fx.issuerSigner.address,
      ]);
      const anchorMinimal = minimal.getFunction("anchor");
      const measured: { count: number; gas: number; base: number; intrinsic: number }[] = [];
      for (const count of sizes.anchorCounts) {
        const root = randomHex32();
        const intrinsic = BASE_TX_GAS + calldataGas(registryInterface.encodeFunctionData("anchor", [root, count, URI]));
        const { gasUsed } = await fx.issuer.anchor(root, count, URI);
        const tx = await anchorMinimal.send(root, count, URI);
        const receipt = await tx.wait();
        check(receipt?.status === 1, "MinimalAnchor.anchor reverted");
        measured.push({ count, gas: Number(gasUsed), base: Number(receipt.gasUsed), intrinsic });
      }
      const execution = new Set(measured.map((m) => m.gas - m.intrinsic));
      const baseExecution = new Set(measured.map((m) => m.base - m.intrinsic));
      const sameForEverySize = execution.size === 1 && baseExecution.size === 1;
      const rows: Row[] = measured.map((m) => {
        const ratio = m.gas / m.base;
        return {
          id: "P1",
          figure: `\`anchor\` gas, batch of ${m.count.toLocaleString("en-US")}`,
          measured: { value: m.gas, unit: "gas" },
          baseline: { value: m.base, unit: "gas" },
          ratio,
          target: `≤ ${P1_LIMIT}×, same for every size`,
          met: ratio <= P1_LIMIT && sameForEverySize,
        };
      });
      const details: Details = {
        uri: URI,
        executionGasSameForEverySize: sameForEverySize,
        registryExecutionGas: [...execution].join(" / "),
        minimalExecutionGas: [...baseExecution].join(" / "),
      };
      for (const m of measured) details[`intrinsicGas.count${m.count}`] = m.intrinsic;
      return { rows, details };
    } finally {
      await fx.chain.close();
    }
  });
}

const P2_PER_LEVEL = 250;
const P2_FIXED = 8_000;
const PROOFS_PER_LENGTH = 16;

/**
 * P2: gas of `verify` measured inside a calling contract (`VerifyGasProbe`, read with `eth_call`)
 * for valid credentials at two proof lengths (16 random proofs each, averaged); the slope between
 * them is the cost of a level and the intercept the fixed part. A proof of n levels is n random siblings whose root is anchored:
 * to the contract it is indistinguishable from a leaf of a real tree of 2^n credentials.
 */
export async function benchVerifyGas(sizes: Sizes): Promise<SectionResult> {
  return section("P2", sizes.mode, async () => {
    const fx = await startRegistry();
    try {
      const probe = await deployArtifact("mocks/VerifyGasProbe.sol/VerifyGasProbe", fx.issuerSigner);
      const measureVerify = probe.getFunction("measureVerify");
      const gasOf = async (levels: number): Promise<number> => {
        const leaf = randomHex32();
        const path: Hex32[] = Array.from({ length: levels }, randomHex32);
        const root = processProof(leaf, path);
        await fx.issuer.anchor(root, 2 ** levels, "");
        const [gasUsed, status] = (await measureVerify.staticCall(fx.registry, root, leaf, path)) as [bigint, bigint];
        check(status === 0n, `verify of a valid ${levels}-level proof answered status ${status}`);
        return Number(gasUsed);
      };
      // Each level costs a little more or less depending on which sibling sorts first: average proofs.
      const gasAt = async (levels: number): Promise<number[]> => {
        const gas: number[] = [];
        for (let i = 0; i < PROOFS_PER_LENGTH; i++) gas.push(await gasOf(levels));
        return gas;
      };
      const [low, high] = sizes.verifyLevels;
      const lowGas = await gasAt(low);
      const highGas = await gasAt(high);
      const gasLow = mean(lowGas);
      const gasHigh = mean(highGas);
      const perLevel = (gasHigh - gasLow) / (high - low);
      const fixed = gasLow - perLevel * low;
      const rows: Row[] = [
        {
          id: "P2",
          figure: `\`verify\` gas per proof level (slope ${low}→${high} levels)`,
          measured: { value: perLevel, unit: "gas" },
          baseline: null,
          ratio: null,
          target: `≤ ${P2_PER_LEVEL}`,
          met: perLevel <= P2_PER_LEVEL,
        },
        {
          id: "P2",
          figure: "`verify` fixed gas (intercept, in a calling contract)",
          measured: { value: fixed, unit: "gas" },
          baseline: null,
          ratio: null,
          target: `≤ ${P2_FIXED.toLocaleString("en-US")}`,
          met: fixed <= P2_FIXED,
        },
      ];
      const range = (gas: number[]) => `${Math.min(...gas)}–${Math.max(...gas)}`;
      return {
        rows,
        details: {
          proofsPerLength: PROOFS_PER_LENGTH,
          [`meanGasAt${low}Levels`]: gasLow,
          [`meanGasAt${high}Levels`]: gasHigh,
          [`gasRangeAt${low}Levels`]: range(lowGas),
          [`gasRangeAt${high}Levels`]: range(highGas),
        },
      };
    } finally {
      await fx.chain.close();
    }
  });
}
