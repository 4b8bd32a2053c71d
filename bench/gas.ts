/**
 * P1 and P2: gas of `anchor` against a minimal anchor, and of `verify` as another contract pays it
 * (registry format v2: anchors recorded per (issuer, 16-byte batch id, root) in one storage slot,
 * leaves derived on chain, the root named by the verifier).
 */
import { randomBytes } from "node:crypto";
import { type Hex32, toHex } from "../src/hash";
import { processProof } from "../src/merkle";
import { deployMinimalAnchor, deployVerifyGasProbe } from "../harness/mocks";
import { registryStatusOf } from "../src/registry-status";
import { calldataGas, startBenchRegistry } from "./lib/contracts";
import { check, mean, randomHex32, section } from "./lib/measure";
import type { Details, Row, SectionResult, Sizes } from "./lib/types";

/** A 66-character metadata URI, as in the README's gas table. */
const URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
const BASE_TX_GAS = 21_000;
const P1_LIMIT = 1.05;

/** A random 16-byte batch id (never zero in practice). */
function randomBatchId(): string {
  return toHex(randomBytes(16));
}

/**
 * P1: receipt gas of `CredentialRegistry.anchor(batchId, root, count, uri)` for each count, against
 * `MinimalAnchor.anchor` with the same arguments (same selector, so the same calldata). Batch id
 * and root are random per size. Both write one new storage slot: the registry the anchoring time of
 * (issuer, batch id, root), the baseline the root of the batch id. Execution gas (receipt gas −
 * 21,000 − calldata) must not depend on the count.
 */
export async function benchAnchorGas(sizes: Sizes): Promise<SectionResult> {
  return section("P1", sizes.mode, async () => {
    const fx = await startBenchRegistry();
    try {
      const minimal = await deployMinimalAnchor(fx.issuerSigner, await fx.issuerSigner.getAddress());
      const anchorRegistry = fx.registry.anchor;
      const anchorMinimal = minimal.anchor;
      check(
        anchorRegistry.fragment.selector === anchorMinimal.fragment.selector,
        "MinimalAnchor.anchor and CredentialRegistry.anchor no longer share a selector",
      );
      const measured: { count: number; gas: number; base: number; intrinsic: number }[] = [];
      for (const count of sizes.anchorCounts) {
        const args: [batchId: string, root: string, count: number, uri: string] = [
          randomBatchId(),
          randomHex32(),
          count,
          URI,
        ];
        const intrinsic = BASE_TX_GAS + calldataGas(fx.registry.interface.encodeFunctionData("anchor", args));
        const receipt = await (await anchorRegistry.send(...args)).wait();
        const base = await (await anchorMinimal.send(...args)).wait();
        check(receipt?.status === 1, "CredentialRegistry.anchor reverted");
        check(base?.status === 1, "MinimalAnchor.anchor reverted");
        measured.push({ count, gas: Number(receipt.gasUsed), base: Number(base.gasUsed), intrinsic });
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
        batchIdBytes: 16,
        executionGasSameForEverySize: sameForEverySize,
        registryExecutionGas: [...execution].join(" / "),
        minimalExecutionGas: [...baseExecution].join(" / "),
        // The registry writes (issuer, batch id, root) → anchoredAt; the baseline batch id → root.
        registryNewStorageSlots: 1,
        minimalNewStorageSlots: 1,
      };
      for (const m of measured) details[`intrinsicGas.count${m.count}`] = m.intrinsic;
      return { rows, details };
    } finally {
      await fx.chain.close();
    }
  });
}

const P2_PER_LEVEL = 250;
/** Bits of the registry's per-issuer revocation filter: a batch id or digest maps to its value mod 184. */
const FILTER_BITS = 184n;

/** A random value of `bytes` bytes, other than `hex`, whose revocation filter bit is `hex`'s. */
function sameFilterBit(hex: string, bytes: number): string {
  for (;;) {
    const other = toHex(randomBytes(bytes));
    if (other !== hex && BigInt(other) % FILTER_BITS === BigInt(hex) % FILTER_BITS) return other;
  }
}
const P2_FIXED = 8_000;

/**
 * P2: gas of `verify` measured inside a calling contract (`VerifyGasProbe`, read with `eth_call`)
 * for valid credentials at two proof lengths (`sizes.verifyProofs` random proofs each, 16 by default, averaged); the slope between
 * them is the cost of a level and the intercept the fixed part (the on-chain leaf derivation from
 * the digest included). A proof of n levels is n random siblings above the leaf the registry
 * derives for (issuer, batch id, digest), and the root they lead to is anchored under that batch
 * id and passed to `verify(issuerId, batchId, root, digest, proof)`: to the contract it is
 * indistinguishable from a credential of a real tree of 2^n credentials.
 *
 * The issuer has revoked nothing, so `verify` reads two cold slots (the anchor, the issuer's first
 * slot) and skips the two revocation slots its revocation filter proves empty. The details also give
 * the intercept when both filter bits are set (another batch id and another digest with the same
 * bits revoked first): the two revocation slots are then read too, as for a busy issuer.
 */
export async function benchVerifyGas(sizes: Sizes): Promise<SectionResult> {
  return section("P2", sizes.mode, async () => {
    const fx = await startBenchRegistry();
    try {
      const probe = await deployVerifyGasProbe(fx.issuerSigner);
      const { leafOf, anchor } = fx.registry;
      const registry = await fx.registry.getAddress();
      const gasOf = async (levels: number, bitsSet = false): Promise<number> => {
        const batchId = randomBatchId();
        const digest = randomHex32();
        const path: Hex32[] = Array.from({ length: levels }, randomHex32);
        const leaf = (await leafOf(fx.issuerId, batchId, digest)) as Hex32;
        const root = processProof(leaf, path);
        const receipt = await (await anchor.send(batchId, root, 2 ** levels, "")).wait();
        check(receipt?.status === 1, "CredentialRegistry.anchor reverted");
        if (bitsSet) {
          await (await fx.registry.revokeBatch(sameFilterBit(batchId, 16), "bench")).wait();
          await (await fx.registry.revokeCredential(sameFilterBit(digest, 32), "bench")).wait();
        }
        const [gasUsed, status] = await probe.measureVerify(registry, fx.issuerId, batchId, root, digest, path);
        check(
          registryStatusOf(status) === "valid",
          `verify of a valid ${levels}-level proof answered ${registryStatusOf(status) ?? `status ${status}`}`,
        );
        return Number(gasUsed);
      };
      // Each level costs a little more or less depending on which sibling sorts first: average proofs.
      const gasAt = async (levels: number, bitsSet = false): Promise<number[]> => {
        const gas: number[] = [];
        for (let i = 0; i < sizes.verifyProofs; i++) gas.push(await gasOf(levels, bitsSet));
        return gas;
      };
      const [low, high] = sizes.verifyLevels;
      const lowGas = await gasAt(low);
      const highGas = await gasAt(high);
      const gasLow = mean(lowGas);
      const gasHigh = mean(highGas);
      const perLevel = (gasHigh - gasLow) / (high - low);
      const fixed = gasLow - perLevel * low;
      const lowGasBitsSet = await gasAt(low, true);
      const fixedBitsSet = mean(lowGasBitsSet) - perLevel * low;
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
          proofsPerLength: sizes.verifyProofs,
          [`meanGasAt${low}Levels`]: gasLow,
          [`meanGasAt${high}Levels`]: gasHigh,
          [`gasRangeAt${low}Levels`]: range(lowGas),
          [`gasRangeAt${high}Levels`]: range(highGas),
          fixedGasBothRevocationBitsSet: fixedBitsSet,
          [`gasRangeAt${low}LevelsBothRevocationBitsSet`]: range(lowGasBitsSet),
        },
      };
    } finally {
      await fx.chain.close();
    }
  });
}
