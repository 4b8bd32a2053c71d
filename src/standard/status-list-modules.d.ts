// Types of @digitalbazaar/vc-bitstring-status-list 2.x, which ships none (only what credroot uses).

declare module "@digitalbazaar/vc-bitstring-status-list" {
  export class BitstringStatusList {
    constructor(options: { length?: number; buffer?: Uint8Array });
    readonly length: number;
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
  }
  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
  export function createCredential(options: {
    id: string;
    list: BitstringStatusList;
    statusPurpose: string;
    context?: string[];
  }): Promise<{
    "@context": string[];
    id: string;
    type: string[];
    credentialSubject: { id: string; type: "BitstringStatusList"; statusPurpose: string; encodedList: string };
  }>;
  /** What `checkStatus` resolves to: `results[i].status` is the bit of the i-th entry. */
  export interface CheckStatusResult {
    verified: boolean;
    error?: Error;
    results?: { verified: boolean; status: boolean; credentialStatus: object }[];
  }
  export function checkStatus(options: {
    credential: object;
    documentLoader: (url: string) => Promise<{ document: object }>;
    suite?: object | object[];
    verifyBitstringStatusListCredential?: boolean;
    verifyMatchingIssuers?: boolean;
  }): Promise<CheckStatusResult>;
}
