// W3C Bitstring Status List (https://www.w3.org/TR/vc-bitstring-status-list/): the issuer's signed
// list credential that generic verifiers fetch. The entries credentials carry: ./status-list-entry.ts.
import { DataIntegrityProof as DataIntegritySuite } from "@digitalbazaar/data-integrity";
import { cryptosuite } from "@digitalbazaar/eddsa-rdfc-2022-cryptosuite";
import { issue } from "@digitalbazaar/vc";
import { createCredential, createList } from "@digitalbazaar/vc-bitstring-status-list";
import { CredrootError } from "../errors";
import type { DataIntegrityProof } from "../export";
import { documentLoader } from "./document-loader";
import type { IssuerKey } from "./keys";
import { checkIndex, STATUS_LIST_MIN_BITS, STATUS_PURPOSE } from "./status-list-entry";

export * from "./status-list-entry";

/** The issuer's status list credential, with its Data Integrity proof once signed. */
export interface StatusListCredential {
  "@context": string[];
  id: string;
  type: string[];
  issuer: string;
  validFrom: string;
  credentialSubject: { id: string; type: "BitstringStatusList"; statusPurpose: string; encodedList: string };
  proof?: DataIntegrityProof[];
}

export interface StatusListParameters {
  /** The list credential's URL (what entries name as `statusListCredential`). */
  url: string;
  /** The issuer's DID: the list's `issuer`, which verifiers match against the credential's. */
  issuerDid: string;
  /** Bits in the list (see {@link statusListLength}). */
  length: number;
  /** The indexes whose bit is set (revoked). */
  revoked: Iterable<number>;
  /** The list's `validFrom` (default now). */
  validFrom?: Date;
}

/**
 * The unsigned status list credential: `@digitalbazaar/vc-bitstring-status-list`'s `createList` with
 * the revoked bits set, and its `createCredential` (VC 2.0 context), issued by `issuerDid`.
 * @throws CredrootError `INVALID_ARGUMENT` for a length under the minimum or not a multiple of 8, or
 * an index outside the list.
 */
export async function buildStatusList(parameters: StatusListParameters): Promise<StatusListCredential> {
  const { url, issuerDid, length } = parameters;
  if (!Number.isSafeInteger(length) || length < STATUS_LIST_MIN_BITS || length % 8 !== 0) {
    throw new CredrootError(
      "INVALID_ARGUMENT",
      `a status list has at least ${STATUS_LIST_MIN_BITS} bits, not ${length}`,
    );
  }
  const list = await createList({ length });
  for (const index of parameters.revoked) {
    checkIndex(index);
    if (index >= length) throw new CredrootError("INVALID_ARGUMENT", `index ${index} is outside a list of ${length}`);
    list.setStatus(index, true);
  }
  const credential = await createCredential({ id: url, list, statusPurpose: STATUS_PURPOSE });
  const validFrom = (parameters.validFrom ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  return { ...credential, issuer: issuerDid, validFrom };
}

/**
 * Signs a status list credential with an embedded Data Integrity proof (`eddsa-rdfc-2022`), as
 * `signCredential` signs credentials: the same issuer key, every context preloaded.
 * @throws CredrootError `INVALID_ARGUMENT` when the list names another issuer than the key.
 * @example
 * const signed = await signStatusList(await buildStatusList({ url, issuerDid: key.did, length, revoked }), key);
 */
export async function signStatusList(list: StatusListCredential, key: IssuerKey): Promise<StatusListCredential> {
  if (list.issuer !== key.did) {
    throw new CredrootError("INVALID_ARGUMENT", `the list names issuer ${list.issuer}, not the key's ${key.did}`);
  }
  const { proof: _proof, ...credential } = list;
  const suite = new DataIntegritySuite({ signer: key.signer(), cryptosuite });
  const signed = (await issue({ credential, suite, documentLoader: documentLoader() })) as { proof?: unknown };
  const proofs = (Array.isArray(signed.proof) ? signed.proof : [signed.proof]) as DataIntegrityProof[];
  return { ...credential, proof: proofs };
}
