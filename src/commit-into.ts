import { type AnchorContext, contextPrefix, digestInPlace, leafInPlace } from "./commit-fields";
import type { Credential } from "./credential";
import { toBase64url } from "./encoding";
import { CredrootError } from "./errors";
import { type Hex32, toHex } from "./hash";
import { issuanceKernel } from "./keccak-sink";
import type { JsonValue } from "./pointer";

/*
 * `commitCredential`'s work (src/commit.ts states the format), able to leave each leaf's bytes
 * where a batch lays out its tree's first layer, and drawing secrets from a pool of random bytes.
 */

/** A credential committed to: its secret, its fields, its digest and its Merkle leaf. */
export interface CommittedCredential {
  /** The per-credential secret (base64url of 16 bytes): whoever holds it can open every field. */
  secret: string;
  /** The credential's values, as committed (nested, as the credential was given). */
  credential: { [key: string]: JsonValue };
  digest: Hex32;
  leaf: Hex32;
}

export interface CommitOptions {
  /** Source of 16-byte secrets; defaults to the platform's secure random generator. */
  secret?: () => Uint8Array;
}

const SECRET_BYTES = 16;
/** Secrets are cut from a pool filled 64 KiB at a time (the most one getRandomValues call gives). */
const POOL_BYTES = 65536;
let pool = new Uint8Array(0);
let poolOffset = 0;

/**
 * 16 bytes from the platform's secure generator, one system call per 4,096 secrets; the pool's
 * bytes are handed out once each and in order, so no two secrets share a byte.
 */
export function randomSecret(): Uint8Array {
  if (poolOffset + SECRET_BYTES > pool.length) {
    pool = globalThis.crypto.getRandomValues(new Uint8Array(POOL_BYTES));
    poolOffset = 0;
  }
  poolOffset += SECRET_BYTES;
  return pool.slice(poolOffset - SECRET_BYTES, poolOffset);
}

/**
 * Commits `credential` for `context` (see `commitCredential`); with `leaves`, also copies the
 * leaf's bytes to `leaves[at..at + 32)`.
 * @throws CredrootError `INVALID_ARGUMENT` for a bad context or secret.
 */
export function commitInto(
  credential: Credential,
  context: AnchorContext,
  options: CommitOptions,
  leaves?: Uint8Array,
  at = 0,
): CommittedCredential {
  const secret = options.secret ? options.secret() : randomSecret();
  if (secret.length !== SECRET_BYTES) throw new CredrootError("INVALID_ARGUMENT", "a secret must be 16 bytes");
  const values = credential as unknown as { [key: string]: JsonValue };
  const prefix = contextPrefix(context);
  const kernel = issuanceKernel();
  digestInPlace(kernel, secret, values);
  const digest = toHex(kernel.buffer.subarray(0, 32));
  leafInPlace(kernel, prefix);
  const leaf = kernel.buffer.subarray(0, 32);
  leaves?.set(leaf, at);
  return { secret: toBase64url(secret), credential: values, digest, leaf: toHex(leaf) };
}
