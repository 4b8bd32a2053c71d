/**
 * Creates an issuer API key in the service's database and prints it once.
 *
 *   DATABASE_URL=file:.credroot/credroot.db npx tsx scripts/create-api-key.ts --issuer 1 --name "Uni" [--label ops]
 *
 * The issuer id is the one the registry gave the institution (registerIssuer); the service must
 * run with a signer of that issuer (ISSUER_PRIVATE_KEY). Only the key's digest is stored.
 *
 * Revokes a key instead (the whole key, or its id: `<id>` in `crk_<id>_<secret>`); it is refused from then on:
 *
 *   DATABASE_URL=file:.credroot/credroot.db npx tsx scripts/create-api-key.ts --revoke <id>
 */
import { parseArgs } from "node:util";
import { generateApiKey, parseApiKey } from "../server/keys";
import { openStore } from "../server/store";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      issuer: { type: "string" },
      name: { type: "string" },
      label: { type: "string", default: "created by scripts/create-api-key.ts" },
      revoke: { type: "string" },
    },
  });
  if (values.revoke !== undefined) {
    await revoke(values.revoke);
    return;
  }
  const issuerId = Number(values.issuer);
  if (!Number.isSafeInteger(issuerId) || issuerId < 1) throw new Error("--issuer must be the issuer's id (1, 2, …)");
  if (!values.name) throw new Error("--name is required (the issuer's name, for the service's records)");
  const store = openStore(process.env.DATABASE_URL ?? "file:.credroot/credroot.db");
  try {
    await store.migrate();
    await store.upsertIssuer({ id: issuerId, name: values.name });
    const key = generateApiKey();
    await store.createApiKey({ id: key.id, issuerId, digest: key.digest, label: values.label });
    console.log(key.key);
    console.error(`API key for issuer #${issuerId} created (shown once; only its digest is stored)`);
  } finally {
    await store.close();
  }
}

/** Revokes the key `idOrKey` (its id, or the whole key). */
async function revoke(idOrKey: string): Promise<void> {
  const id = parseApiKey(idOrKey)?.id ?? idOrKey;
  if (!/^[A-Za-z0-9_-]{16}$/.test(id)) throw new Error("--revoke takes an API key or its id (crk_<id>_<secret>)");
  const store = openStore(process.env.DATABASE_URL ?? "file:.credroot/credroot.db");
  try {
    await store.migrate();
    const key = await store.getApiKey(id);
    if (!key) throw new Error(`there is no API key ${id}`);
    await store.revokeApiKey(id);
    const revokedAt = (await store.getApiKey(id))?.revokedAt ?? "";
    console.error(`API key ${id} of issuer #${key.issuerId} revoked (at ${revokedAt}); it is refused from now on`);
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(`create-api-key failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
