/**
 * The end-to-end demo (`npm run demo`): a local chain, the registry, an accredited issuer, one
 * batch anchored in one transaction, a proof bundle per learner written to a folder, and every
 * bundle verified against the chain alone, then selective disclosure, revocation, tampering and a
 * revoked credential re-anchored by another issuer shown.
 *
 *   npx tsx scripts/demo.ts [--count 8] [--out out/bundles]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import {
  type Bundle,
  bundleFor,
  discloseBundle,
  fromHex32,
  initHasher,
  newBatchId,
  prepareBatch,
  RegistryClient,
  type TrustedChain,
  type VerificationResult,
  verifyBundle,
} from "../src";
import { deployRegistry } from "../deploy/deploy";
import { startLocalChain } from "../deploy/local";
import { sampleCredential } from "./lib/samples";

const step = (n: number, text: string) => console.log(`\n[${n}] ${text}`);
const show = (label: string, r: VerificationResult) => {
  // The awarding body is the issuer as the registry records it, never a name from the file.
  const awarded = r.verdict === "valid" && r.issuer ? `awarded by ${r.issuer.name}` : "all checks passed";
  const reason = r.checks.filter((c) => c.ok === false).map((c) => c.message)[0] ?? awarded;
  console.log(`    ${label.padEnd(44)} → ${r.verdict.toUpperCase()}  (${reason})`);
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { count: { type: "string", default: "8" }, out: { type: "string", default: "out/bundles" } },
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 100_000)
    throw new Error(`--count must be 1..100000, got ${values.count}`);
  const outDir = resolve(values.out);
  await initHasher();

  step(1, "Starting a local Hardhat chain (in this process, 127.0.0.1 only)");
  const chain = await startLocalChain();
  try {
    console.log(`    JSON-RPC at ${chain.url}, chain id ${chain.chainId}`);

    step(2, "Deploying CredentialRegistry");
    const accreditor = await chain.signer(0);
    const issuerKey = await chain.signer(1);
    const deployment = await deployRegistry(accreditor, {
      adminDelay: 0,
      admin: accreditor.address,
      accreditor: accreditor.address,
    });
    console.log(`    registry ${deployment.registry} (admin and accreditor ${deployment.accreditor})`);

    step(3, "The accreditation body registers an issuer and its signing key");
    const asAccreditor = new RegistryClient(deployment.registry, accreditor);
    const { issuerId } = await asAccreditor.registerIssuer(
      "Universiteit van Voorbeeld",
      "https://uni.example.org",
      issuerKey.address,
    );
    console.log(`    issuer #${issuerId} "Universiteit van Voorbeeld", signer ${issuerKey.address}`);

    step(4, `Issuing a batch of ${count} micro-credentials: validate, salt and hash each field, build the Merkle tree`);
    const started = performance.now();
    // Every leaf commits to where and by whom it is anchored: chain, registry, issuer and batch id.
    const context = { chainId: chain.chainId, registry: deployment.registry, issuerId, batchId: newBatchId() };
    const batch = prepareBatch(
      Array.from({ length: count }, (_, i) => sampleCredential(i)),
      context,
    );
    console.log(
      `    ${batch.count} credentials → batch ${context.batchId}, root ${batch.root} in ${(performance.now() - started).toFixed(0)} ms`,
    );

    step(5, "Anchoring the root: one transaction for the whole batch, no personal data on chain");
    const asIssuer = new RegistryClient(deployment.registry, issuerKey);
    const anchored = await asIssuer.anchor(context.batchId, batch.root, batch.count, "");
    console.log(`    tx ${anchored.txHash} in block ${anchored.blockNumber}, gas ${anchored.gasUsed}`);

    step(6, `Writing one proof bundle per learner to ${outDir}`);
    mkdirSync(outDir, { recursive: true });
    const files = batch.credentials.map((_, i) => {
      const file = join(outDir, `credential-${String(i).padStart(4, "0")}.json`);
      writeFileSync(file, `${JSON.stringify(bundleFor(batch, i, anchored.blockNumber), null, 2)}\n`);
      return file;
    });
    console.log(`    ${files.length} files, e.g. ${files[0]}`);

    step(7, "An employer verifies each bundle file against the chain alone (one eth_call each)");
    const trusted: TrustedChain[] = [
      { chainId: chain.chainId, registries: [deployment.registry], provider: chain.provider },
    ];
    const read = (file: string) => JSON.parse(readFileSync(file, "utf8")) as Bundle;
    for (const file of files.slice(0, 5))
      show(file.slice(outDir.length + 1), await verifyBundle(read(file), { chains: trusted }));
    if (files.length > 5) {
      const rest = await Promise.all(files.slice(5).map((f) => verifyBundle(read(f), { chains: trusted })));
      console.log(`    … and ${rest.length} more: ${rest.filter((r) => r.verdict === "valid").length} valid`);
    }

    step(8, "Selective disclosure: the learner hides e-mail, student number and grade");
    const first = read(files[0]!);
    const shared = discloseBundle(first, ["learner.email", "learner.identifier", "assessment.grade"]);
    show("bundle with 3 hidden fields", await verifyBundle(shared, { chains: trusted }));

    step(9, "Revocation and tampering");
    const revoked = batch.credentials[0]!;
    await asIssuer.revokeCredential(revoked.digest, "issued in error");
    show("credential 0 after revokeCredential", await verifyBundle(first, { chains: trusted }));
    const tampered = read(files[1 % files.length]!);
    tampered.credential.title = "Master of Everything";
    show("credential 1 with its title changed", await verifyBundle(tampered, { chains: trusted }));
    const elsewhere = {
      ...read(files[0]!),
      anchor: { ...first.anchor, registry: "0x000000000000000000000000000000000000dead" },
    };
    show("credential 0 pointing at an unknown registry", await verifyBundle(elsewhere, { chains: trusted }));

    step(10, "Another accredited issuer re-anchors the revoked credential's leaf as a batch of its own");
    const otherKey = await chain.signer(2);
    const { issuerId: otherId } = await asAccreditor.registerIssuer(
      "Diploma Mill",
      "https://mill.example",
      otherKey.address,
    );
    const otherBatch = newBatchId();
    // A one-leaf batch whose root is credential 0's leaf: under v1 the edited bundle verified valid.
    await new RegistryClient(deployment.registry, otherKey).anchor(otherBatch, revoked.leaf, 1, "");
    const borrowed: Bundle = {
      ...first,
      anchor: { ...first.anchor, issuerId: otherId, batchId: otherBatch },
      root: Buffer.from(fromHex32(revoked.leaf)).toString("base64url"),
      proof: "",
    };
    show(`credential 0 claimed under issuer #${otherId}`, await verifyBundle(borrowed, { chains: trusted }));

    console.log(`\nDone. Bundles are in ${outDir}; the chain stops with this process.`);
  } finally {
    await chain.close();
  }
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
