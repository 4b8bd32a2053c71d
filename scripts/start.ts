/**
 * `npm start`: the credroot service on the embedded default — a Hardhat chain in this process,
 * the registry deployed on it, a demo issuer with its signer and a fresh API key, a SQLite file,
 * and the server on 127.0.0.1. With RPC_URL (and CHAIN_ID, REGISTRY_ADDRESS, ISSUER_PRIVATE_KEY)
 * in the environment it runs against that chain instead, like `server/main.ts`. It builds what is
 * missing or out of date first (the web page; the contracts, for the embedded chain), and only that.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { hexlify } from "ethers";
import { RegistryClient } from "../src";
import { publicKeyOfDidKey } from "../src/registry-keys";
import { buildApp } from "../server/app";
import { deployRegistry } from "../deploy/deploy";
import { type LocalChain, startLocalChain } from "../deploy/local";
import { ConfigError, loadConfig } from "../server/config";
import { generateApiKey } from "../server/keys";
import { serve } from "../server/main";
import { sqlitePathOf } from "../server/store";
import { compileContracts, ensureWebBuild } from "./lib/build";
import { sampleCredential } from "./lib/samples";

const EMBEDDED_DB = "file:.credroot/embedded.db";
const ISSUER_NAME = "Universiteit van Voorbeeld";

/** What the anchor check adds on the embedded chain when a bundle is not on it. */
const EMBEDDED_NOT_ANCHORED =
  "the embedded chain of `npm start` starts empty at each start, so a bundle issued by an earlier run is not on it " +
  "(run the service on a persistent chain with RPC_URL to keep bundles verifiable across restarts)";

/** The chain on CHAIN_PORT (default 8545), or on any free port when that one is taken. */
async function startChain(): Promise<LocalChain> {
  const port = Number(process.env.CHAIN_PORT ?? 8545);
  try {
    return await startLocalChain({ port });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    return startLocalChain({ port: 0 });
  }
}

/** Adds {@link EMBEDDED_NOT_ANCHORED} to the failed anchor check of every `not-anchored` verification. */
function explainNotAnchored(value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) explainNotAnchored(item);
    return;
  }
  const record = value as { verdict?: unknown; checks?: unknown; [key: string]: unknown };
  if (record.verdict === "not-anchored" && Array.isArray(record.checks)) {
    for (const check of record.checks as { name?: unknown; ok?: unknown; message?: unknown }[]) {
      if (check.name === "anchor" && check.ok === false && typeof check.message === "string") {
        check.message = `${check.message}: ${EMBEDDED_NOT_ANCHORED}`;
      }
    }
  }
  for (const [key, nested] of Object.entries(record)) if (key !== "checks") explainNotAnchored(nested);
}

/** Marks every chain of the web page's trust settings as one that starts empty at each start. */
function markEphemeral(value: unknown): void {
  const chains = (value as { chains?: unknown } | null)?.chains;
  if (Array.isArray(chains)) for (const chain of chains as { ephemeral?: boolean }[]) chain.ephemeral = true;
}

async function embedded(): Promise<void> {
  await compileContracts(); // the registry is deployed from artifacts/
  const chain = await startChain();
  // Blocks every second besides automining, so that confirmations (FINALITY) accrue.
  await chain.provider.send("evm_setIntervalMining", [1000]);
  // Account 0 is admin (no transfer delay: a throwaway chain) and accreditor; account 1 the issuer's signer.
  const accreditor = await chain.signer(0);
  const deployment = await deployRegistry(accreditor, {
    adminDelay: 0,
    admin: accreditor.address,
    accreditor: accreditor.address,
  });
  const issuerKey = chain.privateKey(1);
  const issuerAddress = (await chain.signer(1)).address;
  const { issuerId } = await new RegistryClient(deployment.registry, accreditor).registerIssuer(
    ISSUER_NAME,
    "https://uni.example.org",
    issuerAddress,
  );

  // The embedded chain lives in memory and starts afresh each time: so does its database.
  const databaseUrl = process.env.DATABASE_URL ?? EMBEDDED_DB;
  if (!process.env.DATABASE_URL) {
    const file = sqlitePathOf(databaseUrl);
    for (const suffix of ["", "-wal", "-shm"]) if (existsSync(file + suffix)) rmSync(file + suffix);
    mkdirSync(dirname(file), { recursive: true });
  }
  const config = loadConfig({
    FINALITY: "2",
    WORKER_INTERVAL_MS: "250",
    ...process.env,
    DATABASE_URL: databaseUrl,
    RPC_URL: chain.url,
    CHAIN_ID: String(chain.chainId),
    REGISTRY_ADDRESS: deployment.registry,
    ISSUER_PRIVATE_KEY: issuerKey,
  });
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    app = await buildApp(config);
  } catch (error) {
    await chain.close();
    throw error;
  }
  app.addHook("onClose", async () => {
    await chain.close();
  });
  app.addHook("preSerialization", async (request, _reply, payload) => {
    if (request.url.startsWith("/v1/verify")) explainNotAnchored(payload);
    // The web page computes its verdict in the browser: it says the same when told the chain is ephemeral.
    if (request.url === "/config.json") markEphemeral(payload);
    return payload;
  });
  await app.store.upsertIssuer({ id: issuerId, name: ISSUER_NAME });
  // The accreditor records the demo issuer's signing key (as `credroot accreditor add-key` would), so
  // that GET /v1/credentials/{id}/credential signs at once.
  const { did: issuerDid } = await app.signingKeys.forIssuer(issuerId);
  const accreditorClient = new RegistryClient(deployment.registry, accreditor);
  await (await accreditorClient.contract.addIssuerKey(issuerId, hexlify(publicKeyOfDidKey(issuerDid)))).wait();
  const apiKey = generateApiKey();
  await app.store.createApiKey({ id: apiKey.id, issuerId, digest: apiKey.digest, label: "npm start" });
  await serve(config, app);

  const address = app.server.address();
  const base = `http://${config.host}:${typeof address === "object" && address ? address.port : config.port}`;
  const demo = await app.inject({
    method: "POST",
    url: "/v1/batches",
    headers: { authorization: `Bearer ${apiKey.key}` },
    payload: { credentials: [0, 1, 2].map((i) => sampleCredential(i)) },
  });
  const { id: batchId, credentials } = demo.json<{ id: string; credentials: { id: string }[] }>();
  const bundleUrl = `${base}/v1/credentials/${credentials[0]?.id ?? "?"}/bundle`;
  console.log(`
credroot is running (embedded chain ${chain.url}, chain id ${chain.chainId}, registry ${deployment.registry})

  API docs       ${base}/docs
  issuer API key ${apiKey.key}
                 (shown once; issuer #${issuerId} "${ISSUER_NAME}")
  issuer DID     ${issuerDid}   (recorded in the registry: signed credentials work)
  demo batch     ${base}/v1/batches/${batchId}   (3 credentials, anchoring now)
  demo bundle    ${bundleUrl}
  signed badge   ${base}/v1/credentials/${credentials[0]?.id ?? "?"}/credential?format=ob3   (once anchored)
  verifier page  ${base}/   (share link of the demo credential: ${base}/v/${credentials[0]?.id ?? "?"})

Try:
  curl -s ${bundleUrl} > bundle.json
  curl -s -X POST ${base}/v1/verify -H 'content-type: application/json' --data @bundle.json
  curl -s ${base}/v1/batches/${batchId} -H 'authorization: Bearer ${apiKey.key}'

The embedded chain lives in memory: it starts empty at each npm start, so bundles from an earlier
run are not on it (their verdict: not-anchored). Ctrl-C (or SIGTERM) stops the server and the chain.`);
}

async function main(): Promise<void> {
  await ensureWebBuild((line) => console.log(line));
  if (process.env.RPC_URL) {
    await serve(loadConfig());
    return;
  }
  await embedded();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `credroot could not start: ${(error as Error).message}`);
  // Everything it started is closed by now; nothing it leaves (Hardhat's timers) should keep it alive.
  process.exit(1);
});
