/**
 * P7: how many RPC calls a trustless verification costs, counted at the provider.
 */
import { JsonRpcProvider, type JsonRpcPayload, type JsonRpcResult, type TransactionRequest } from "ethers";
import { sampleCredential } from "../scripts/lib/samples";
import {
  bundleFor,
  createPresentation,
  initHasher,
  newBatchId,
  prepareBatch,
  verifyBundle,
  verifyPresentation,
} from "../src";
import { startRegistry } from "../harness/registry";
import { check, section } from "./lib/measure";
import type { Row, SectionResult, Sizes } from "./lib/types";

/** A provider that counts the `call`s made through it and the JSON-RPC requests it sends. */
class CountingProvider extends JsonRpcProvider {
  calls = 0;
  requests = 0;

  override async call(tx: TransactionRequest): Promise<string> {
    this.calls++;
    return super.call(tx);
  }

  override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
    this.requests += Array.isArray(payload) ? payload.length : 1;
    return super._send(payload);
  }
}

const PRESENTATION = 20;

/**
 * P7: one bundle verified through a fresh counting provider (static network: no chain-id probe),
 * then 20 bundles verified one by one, then the same 20 as one presentation (`verifyMany`).
 */
export async function benchRpcCalls(sizes: Sizes): Promise<SectionResult> {
  return section("P7", sizes.mode, async () => {
    await initHasher();
    const fx = await startRegistry();
    try {
      const context = {
        chainId: fx.chain.chainId,
        registry: fx.registry,
        issuerId: fx.issuerId,
        batchId: newBatchId(),
      };
      const batch = prepareBatch(
        Array.from({ length: PRESENTATION }, (_, i) => sampleCredential(i)),
        context,
      );
      const receipt = await fx.issuer.anchor(context.batchId, batch.root, batch.count, "");
      const bundles = batch.credentials.map((_, i) => bundleFor(batch, i, receipt.blockNumber));
      const counted = async (verify: (provider: CountingProvider) => Promise<void>) => {
        const provider = new CountingProvider(fx.chain.url, fx.chain.chainId, { staticNetwork: true });
        try {
          await verify(provider);
          return { calls: provider.calls, requests: provider.requests };
        } finally {
          provider.destroy();
        }
      };
      const chains = (provider: CountingProvider) => [
        { chainId: fx.chain.chainId, registries: [fx.registry], provider },
      ];
      const one = await counted(async (provider) => {
        const { verdict } = await verifyBundle(bundles[0], { chains: chains(provider) });
        check(verdict === "valid", `a fresh bundle verified as ${verdict}`);
      });
      const separate = await counted(async (provider) => {
        for (const bundle of bundles) {
          const { verdict } = await verifyBundle(bundle, { chains: chains(provider) });
          check(verdict === "valid", `a fresh bundle verified as ${verdict}`);
        }
      });
      const presented = await counted(async (provider) => {
        const result = await verifyPresentation(createPresentation(bundles), { chains: chains(provider) });
        check(result.allValid, "a presentation of fresh bundles verified as not all valid");
      });
      const rows: Row[] = [
        {
          id: "P7",
          figure: "RPC calls per trustless verification (`call`s at the provider)",
          measured: { value: one.calls, unit: "calls" },
          baseline: null,
          ratio: null,
          target: "exactly 1",
          met: one.calls === 1 && one.requests === 1,
          note: `${one.requests} JSON-RPC request(s) on the wire`,
        },
        {
          id: "P7",
          figure: `RPC calls for a presentation of ${PRESENTATION} bundles in one call`,
          measured: { value: presented.calls, unit: "calls" },
          baseline: { value: separate.calls, unit: "calls" },
          ratio: presented.calls / separate.calls,
          target: "exactly 1 (one batched call for the lot)",
          met: presented.calls === 1 && presented.requests === 1,
          note: `${presented.requests} JSON-RPC request(s) on the wire; baseline: ${PRESENTATION} separate verifications`,
        },
        {
          id: "P7",
          figure: `RPC calls for ${PRESENTATION} separate verifications`,
          measured: { value: separate.calls, unit: "calls" },
          baseline: null,
          ratio: null,
          target: `${PRESENTATION} (1 each)`,
          met: separate.calls === PRESENTATION && separate.requests === PRESENTATION,
          note: `${separate.requests} JSON-RPC requests on the wire`,
        },
      ];
      return {
        rows,
        details: {
          oneCalls: one.calls,
          oneRequests: one.requests,
          separateCalls: separate.calls,
          separateRequests: separate.requests,
          presentationCalls: presented.calls,
          presentationRequests: presented.requests,
        },
      };
    } finally {
      await fx.chain.close();
    }
  });
}
