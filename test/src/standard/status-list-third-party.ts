/**
 * The revocation check a generic verifier makes, from other people's code only:
 * `@digitalbazaar/vc-bitstring-status-list`'s `checkStatus`, its list credential verified by
 * `@digitalbazaar/vc` (eddsa-rdfc-2022), with a document loader that serves the preloaded contexts
 * and fetches status lists only through `fetchList` (in tests: the test's own 127.0.0.1 service or
 * a map in memory), nothing else.
 */
import { DataIntegrityProof } from "@digitalbazaar/data-integrity";
import { cryptosuite } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { checkStatus } from "@digitalbazaar/vc-bitstring-status-list";
import { thirdPartyLoader } from "./third-party";

/** Fetches the list credential at `url` (refusing any URL it does not serve). */
export type FetchList = (url: string) => Promise<object>;

/** A loader with every context preloaded that loads anything else through `fetchList`. */
export function statusLoader(fetchList: FetchList) {
  const contexts = thirdPartyLoader();
  return async (url: string) => {
    try {
      return await contexts(url);
    } catch {
      return { contextUrl: null, documentUrl: url, document: await fetchList(url) };
    }
  };
}

/**
 * The bit of `credential`'s status entry as the library reads it: `true` revoked, `false` not;
 * throws when the library could not check it (the list did not load or verify, issuers differ…).
 */
export async function revokedBit(credential: object, fetchList: FetchList): Promise<boolean> {
  const result = await checkStatus({
    credential: structuredClone(credential),
    documentLoader: statusLoader(fetchList),
    suite: new DataIntegrityProof({ cryptosuite }),
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  });
  if (!result.verified) throw result.error ?? new Error("checkStatus did not verify");
  return result.results![0]!.status;
}

/** A `fetchList` over HTTP, allowed to ask only `origin` (the test's own service on 127.0.0.1). */
export function fetchFrom(origin: string): FetchList {
  return async (url) => {
    if (new URL(url).origin !== origin) throw new Error(`refusing to fetch ${url}: not ${origin}`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return (await res.json()) as object;
  };
}
