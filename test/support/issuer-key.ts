import type { ServiceFixture } from "../../harness/service";
import type { Store } from "../../server/store/types";

/** What `GET /v1/issuers/:id/did` answers. */
export interface IssuerDid {
  issuerId: number;
  did: string;
  publicKey: string;
  registered: boolean;
  command: string;
}

/** The service's answer to `GET /v1/issuers/:id/did`. */
export async function issuerDidOf(fx: ServiceFixture, issuerId = fx.issuerId): Promise<IssuerDid> {
  const res = await fx.app.inject({ url: `/v1/issuers/${issuerId}/did` });
  if (res.statusCode !== 200)
    throw new Error(`GET /v1/issuers/${issuerId}/did answered ${res.statusCode}: ${res.body}`);
  return res.json<IssuerDid>();
}

/**
 * Records the service's signing key of `issuerId` in the registry, as the accreditor does
 * (`credroot accreditor add-key`), so that the service signs that issuer's credentials. Returns the DID.
 */
export async function recordIssuerKey(fx: ServiceFixture, issuerId = fx.issuerId): Promise<string> {
  const { did, publicKey } = await issuerDidOf(fx, issuerId);
  await (await fx.accreditor.contract.addIssuerKey(issuerId, publicKey)).wait();
  return did;
}

/**
 * `store`, shared with another service on the same database but never closed by it (its owner
 * closes it): a second service, with another signing key, serving the same credentials.
 */
export function borrowedStore(store: Store): Store {
  return new Proxy(store, {
    get(target, name) {
      if (name === "close") return () => Promise.resolve();
      const value: unknown = Reflect.get(target, name);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
