/**
 * `npm start`: the credroot service on the embedded default — a Hardhat chain in this process,
 * the registry deployed on it, a demo issuer with its signer and a fresh API key, a SQLite file,
 * and the server on 127.0.0.1. With RPC_URL (and CHAIN_ID, REGISTRY_ADDRESS, ISSUER_PRIVATE_KEY)
 * in the environment it runs against that chain instead, like `server/main.ts`.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { RegistryClient } from "../src";
import { buildApp } from "../server/app";
import { deployRegistry } from "../server/chain/deploy";
import { type LocalChain, startLocalChain } from "../server/chain/local";
import { ConfigError, loadConfig } from "../server/config";
import { generateApiKey } from "../server/keys";
import { serve } from "../server/main";
import { sqlitePathOf } from "../server/store";
import { sampleCredential } from "./lib/samples";

const EMBEDDED_DB = "file:.credroot/embedded.db";
const ISSUER_NAME = "Universiteit van Voorbeeld";

async function startChain(): Promise<LocalChain> {
  const port = Number(process.env.CHAIN_PORT ?? 8545);
  try {
    return await startLocalChain({ port });
  } catch {
    return startLocalChain({ port: 0 }); // 8545 taken: any free port
  }
}

async function embedded(): Promise<void> {
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
  const app = await buildApp(config);
  app.addHook("onClose", async () => {
    await chain.close();
  });
  await app.store.upsertIssuer({ id: issuerId, name: ISSUER_NAME });
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
  demo batch     ${base}/v1/batches/${batchId}   (3 credentials, anchoring now)
  demo bundle    ${bundleUrl}
  verifier page  ${base}/   (share link of the demo credential: ${base}/v/${credentials[0]?.id ?? "?"})

Try:
  curl -s ${bundleUrl} > bundle.json
  curl -s -X POST ${base}/v1/verify -H 'content-type: application/json' --data @bundle.json
  curl -s ${base}/v1/batches/${batchId} -H 'authorization: Bearer ${apiKey.key}'

Ctrl-C stops the server and the chain.`);
}

async function main(): Promise<void> {
  if (process.env.RPC_URL) {
    await serve(loadConfig());
    return;
  }
  await embedded();
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `credroot could not start: ${(error as Error).message}`);
  process.exitCode = 1;
});
