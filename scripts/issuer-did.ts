/**
 * Prints the did:key the service signs an issuer's credentials with, for the accreditor to record:
 *
 *   npm run issuer-did -- --issuer 1
 *
 * It reads what the server reads: ISSUER_SIGNING_KEY when set, else the master secret in the
 * database at DATABASE_URL (default file:.credroot/credroot.db), created there if the service never
 * ran, so the server then signs with the same keys. Prints the DID on stdout; on stderr, the raw
 * public key and the command that records it. Never the secret.
 */
import { parseArgs } from "node:util";
import { hexlify } from "ethers";
import { publicKeyOfDidKey } from "../src/registry-keys";
import { openStore } from "../server/store";
import { addKeyCommand, SigningKeys } from "../server/signing-keys";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { issuer: { type: "string" } } });
  const issuerId = Number(values.issuer);
  if (!Number.isSafeInteger(issuerId) || issuerId < 1) throw new Error("--issuer must be the issuer's id (1, 2, …)");
  const store = openStore(process.env.DATABASE_URL ?? "file:.credroot/credroot.db");
  try {
    await store.migrate();
    const keys = await SigningKeys.open({ issuerSigningKey: process.env.ISSUER_SIGNING_KEY || undefined }, store);
    const { did } = await keys.forIssuer(issuerId);
    console.log(did);
    console.error(
      `issuer #${issuerId} signs as ${did} (Ed25519 public key ${hexlify(publicKeyOfDidKey(did))}, ` +
        `master secret from ${keys.source === "database" ? "the database" : "ISSUER_SIGNING_KEY"}).\n` +
        `The accreditor records it with:\n  ${addKeyCommand(issuerId, did)}`,
    );
  } finally {
    await store.close();
  }
}

main().catch((error: unknown) => {
  console.error(`issuer-did: ${(error as Error).message}`);
  process.exitCode = 1;
});
