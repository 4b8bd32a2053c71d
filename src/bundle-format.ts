import { SALT_BYTES } from "./commit";
import type { JsonValue } from "./pointer";

/** Where a credential is anchored: what its leaf commits to, and the block of the anchoring transaction. */
export interface BundleAnchor {
  chainId: number;
  /** Registry contract address, lowercase `0x` + 40 hex digits. */
  registry: string;
  issuerId: number;
  /** The issuer's batch id, a lowercase UUID (16 bytes on chain). */
  batchId: string;
  /** Block of the anchoring transaction (for finding it; not needed to verify). */
  block: number;
}

/**
 * Version 2 of the proof bundle a learner keeps: everything needed to verify but the chain. A full
 * bundle carries the credential's `secret` (every salt derives from it); a disclosed copy carries
 * instead the `salts` of its shown fields and the value hashes of its `hidden` ones.
 */
export interface Bundle {
  type: "credroot/bundle";
  version: 2;
  anchor: BundleAnchor;
  /** The shown fields, nested as in the credential. */
  credential: { [key: string]: JsonValue };
  /** Full bundle: the 16-byte per-credential secret, base64url. */
  secret?: string;
  /** Disclosed copy: the 16-byte salts of the shown fields, concatenated in ascending pointer order, base64url. */
  salts?: string;
  /** Disclosed copy: pointer → 32-byte value hash (base64url) of each hidden field. */
  hidden?: Record<string, string>;
  /** The batch's Merkle root (32 bytes, base64url). */
  root: string;
  /** The Merkle path, leaf to root: 32-byte sibling hashes concatenated, base64url ("" for a batch of one). */
  proof: string;
}

/**
 * Fields that cannot be hidden: what the credential is (`/id`, `/title`), when it was issued and
 * until when it is valid, without which a verifier cannot identify it or check expiry.
 */
export const ALWAYS_DISCLOSED: readonly string[] = ["/id", "/title", "/issuedOn", "/validUntil"];

const b64 = (bytes: number) => ({ type: "string", pattern: `^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$` });
const pointer = { type: "string", pattern: "^(/[^/]{1,128}){1,8}$" } as const;
/** The longest Merkle path a bundle may carry (a batch of up to 2^64 credentials). */
const MAX_PATH = 64;
/** The most fields, shown and hidden, a bundle may carry. */
export const MAX_FIELDS = 256;

/** JSON Schema (draft-07) of {@link Bundle} version 2. */
export const bundleSchema = {
  $id: "https://credroot.dev/schemas/bundle-v2.json",
  type: "object",
  additionalProperties: false,
  required: ["type", "version", "anchor", "credential", "root", "proof"],
  properties: {
    type: { const: "credroot/bundle" },
    version: { const: 2 },
    anchor: {
      type: "object",
      additionalProperties: false,
      required: ["chainId", "registry", "issuerId", "batchId", "block"],
      properties: {
        chainId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        registry: { type: "string", pattern: "^0x[0-9a-f]{40}$" },
        issuerId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
        batchId: { type: "string", pattern: "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" },
        block: { type: "integer", minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      },
    },
    credential: {
      type: "object",
      required: ["id", "title", "issuedOn"],
      properties: { id: { type: "string" }, title: { type: "string" }, issuedOn: { type: "string" } },
    },
    secret: b64(16),
    salts: { type: "string", pattern: "^[A-Za-z0-9_-]*$", maxLength: Math.ceil((MAX_FIELDS * SALT_BYTES * 4) / 3) },
    hidden: { type: "object", maxProperties: MAX_FIELDS, propertyNames: pointer, additionalProperties: b64(32) },
    root: b64(32),
    proof: { type: "string", pattern: "^[A-Za-z0-9_-]*$", maxLength: Math.ceil((MAX_PATH * 32 * 4) / 3) },
  },
} as const;
