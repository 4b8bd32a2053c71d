import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Issuer API keys: `crk_<id>_<secret>`. The id (public) finds the record; only the SHA-256 of the
 * secret is stored, and it is compared in constant time, so neither the database nor response
 * timing gives the key away.
 */
export interface NewApiKey {
  /** The whole key, shown to the issuer once. */
  key: string;
  id: string;
  digest: Buffer;
}

const KEY = /^crk_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})$/;

export function digestSecret(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

export function generateApiKey(): NewApiKey {
  const id = randomBytes(12).toString("base64url");
  const secret = randomBytes(32).toString("base64url");
  return { key: `crk_${id}_${secret}`, id, digest: digestSecret(secret) };
}

/** Splits a presented key into id and secret; `null` when it is not shaped like one of ours. */
export function parseApiKey(key: string): { id: string; secret: string } | null {
  const match = KEY.exec(key);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

/** Constant-time comparison of a presented secret with a stored digest. */
export function secretMatches(secret: string, digest: Buffer): boolean {
  const presented = digestSecret(secret);
  return presented.length === digest.length && timingSafeEqual(presented, digest);
}

/**
 * A credential id: 128 random bits, base64url — unguessable, so knowing it is the capability. It never starts
 * with `-`: a spreadsheet reads such a cell as a formula, so `credentials.csv` would have to alter it (a quote
 * prefix), and a registrar copying the id back would hold a wrong one. Redrawing those ids keeps ≈ 127.98 bits.
 */
export function newCredentialId(): string {
  for (;;) {
    const id = randomBytes(16).toString("base64url");
    if (!id.startsWith("-")) return id;
  }
}
