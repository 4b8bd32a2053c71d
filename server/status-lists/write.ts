import type { Config } from "../config";
import { connectChain } from "../plugins/chain";
import { openStore } from "../store";
import { statusListPath } from "../routes/status-lists";
import { SigningKeys } from "../signing-keys";
import { RevocationScanner } from "./revocations";
import { type IssuerKeyFor, type PublishedList, StatusLists } from "./status-lists";

export interface WriteStatusListParameters {
  config: Config;
  issuerId: number;
  /** The key that signs the list (default: the issuer's key, as the service signs its credentials). */
  keyFor?: IssuerKeyFor;
}

/**
 * The URL credentials name for the issuer's list, as the service would write it: STATUS_LIST_BASE_URL,
 * else PUBLIC_URL's route (a command has no listen address to fall back on).
 * @throws Error when neither is set.
 */
export function configuredListUrl(config: Config, issuerId: number): string {
  if (config.statusListBaseUrl !== null) return `${config.statusListBaseUrl}/${issuerId}`;
  if (config.publicUrl !== null) return `${config.publicUrl.replace(/\/+$/, "")}${statusListPath(issuerId)}`;
  throw new Error("set STATUS_LIST_BASE_URL (or PUBLIC_URL) as the service has it: the list names its own URL");
}

/**
 * The issuer's signed status list exactly as the service would serve it now — from the service's
 * database (indexes) and the chain (every revocation event since REGISTRY_FROM_BLOCK) — for hosting
 * as a static file at {@link configuredListUrl}.
 * @throws Error when the issuer is not in the database, there is no signing key, or the chain cannot be read.
 */
export async function writeStatusList(parameters: WriteStatusListParameters): Promise<PublishedList & { url: string }> {
  const { config, issuerId } = parameters;
  const url = configuredListUrl(config, issuerId);
  const store = openStore(config.databaseUrl, { poolSize: 2 });
  const { providers, provider, registry, registryAddress } = connectChain(config);
  try {
    await store.migrate();
    const keys = parameters.keyFor === undefined ? await SigningKeys.open(config, store) : null;
    const lists = new StatusLists({
      store,
      scanner: new RevocationScanner(provider, registryAddress, config.registryFromBlock),
      registry,
      keyFor: parameters.keyFor ?? ((id) => keys!.forIssuer(id)),
      pollMs: 0,
    });
    const list = await lists.publish(issuerId, url);
    if (list === null) throw new Error(`issuer ${issuerId} is not in this service's database`);
    if (list === "no-key") throw new Error(`no signing key for issuer ${issuerId}`);
    return { ...list, url };
  } finally {
    for (const p of providers) p.destroy();
    await store.close();
  }
}
