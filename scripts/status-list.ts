/**
 * Writes an issuer's signed revocation list (W3C Bitstring Status List credential) as a static JSON
 * file, from the same configuration (environment) and database as the service:
 *
 *   npm run status-list -- --issuer 1 --out status-lists/1
 *
 * Host the file at the URL the credentials name (printed; STATUS_LIST_BASE_URL/<issuer>, or
 * PUBLIC_URL/v1/status-lists/<issuer>) and write it again after each revocation (e.g. from cron).
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config";
import { writeStatusList } from "../server/status-lists/write";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { issuer: { type: "string" }, out: { type: "string" } } });
  const issuerId = Number(values.issuer);
  if (!Number.isSafeInteger(issuerId) || issuerId < 1) throw new Error("--issuer must be the issuer's id (1, 2, …)");
  const list = await writeStatusList({ config: loadConfig(process.env), issuerId });
  if (values.out === undefined) process.stdout.write(`${list.body}\n`);
  else writeFileSync(values.out, `${list.body}\n`);
  console.error(
    `status list of issuer #${issuerId}: ${list.revoked.length} revoked; host it at ${list.url} ` +
      `(ETag ${list.etag}${values.out === undefined ? "" : `, written to ${values.out}`})`,
  );
}

main().catch((error: unknown) => {
  console.error(`status-list: ${(error as Error).message}`);
  process.exitCode = 1;
});
