/**
 * The issuers' credential-signing keys. Each issuer signs with its own Ed25519 key, a `did:key`
 * the accreditor records for it in the registry (`addIssuerKey`); every key derives from one master
 * secret with HKDF-SHA256, so the service keeps one secret whatever the number of issuers. The
 * master is ISSUER_SIGNING_KEY, or, when that is unset, a random secret the service creates on first
 * start and keeps in its database (migration 5), so signing works out of the box. Neither the
 * master nor a derived key ever reaches a log, an error, a response or /config.
 */
import { randomBytes } from "node:crypto";
import { hkdf } from "@noble/hashes/hkdf";
import { sha256 } from "@noble/hashes/sha2";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { isCredrootError } from "../src";
import { decodeRegistryError } from "../src/registry-errors";
import { describeIssuerKeyStatus, issuerKeyStatus, judgeIssuerKey } from "../src/registry-keys";
import { IssuerKey, parseSigningKey } from "../src/standard";
import type { Config } from "./config";
import { HttpError } from "./errors";
import type { Store } from "./store/types";

/** The name the master secret is kept under in the database (`service_secrets`). */
export const MASTER_SECRET_NAME = "issuer-signing-master";

/** HKDF `info` prefix; the issuer id follows as 8 bytes, big-endian. */
const INFO = new TextEncoder().encode("credroot issuer key");

/**
 * Issuer `issuerId`'s 32-byte Ed25519 seed: HKDF-SHA256 (RFC 5869) of the master secret, no salt,
 * info = "credroot issuer key" ‖ issuerId as a big-endian uint64.
 */
export function issuerSeed(master: Uint8Array, issuerId: number): Uint8Array {
  if (!Number.isSafeInteger(issuerId) || issuerId < 1) throw new RangeError(`no issuer ${issuerId}`);
  const info = new Uint8Array(INFO.length + 8);
  info.set(INFO);
  new DataView(info.buffer).setBigUint64(INFO.length, BigInt(issuerId));
  return hkdf(sha256, master, undefined, info, 32);
}

/** The command an accreditor runs to record `did` for `issuerId`. */
export const addKeyCommand = (issuerId: number, did: string) =>
  `credroot accreditor add-key --issuer ${issuerId} --did ${did}`;

/** Every issuer's key, derived on demand from the master secret held inside. */
export class SigningKeys {
  readonly #master: Uint8Array;
  readonly #keys = new Map<number, Promise<IssuerKey>>();

  /** Where the master comes from: the environment, or the service's database. */
  readonly source: "ISSUER_SIGNING_KEY" | "database";

  constructor(master: Uint8Array, source: SigningKeys["source"]) {
    if (master.length !== 32) throw new RangeError("the master secret is 32 bytes");
    this.#master = Uint8Array.from(master);
    this.source = source;
  }

  /** The master from ISSUER_SIGNING_KEY, else the one in the database (created there on first use). */
  static async open(config: Pick<Config, "issuerSigningKey">, store: Store): Promise<SigningKeys> {
    if (config.issuerSigningKey !== undefined) {
      return new SigningKeys(parseSigningKey(config.issuerSigningKey), "ISSUER_SIGNING_KEY");
    }
    const master = await store.serviceSecret(MASTER_SECRET_NAME, () => randomBytes(32));
    return new SigningKeys(Uint8Array.from(master), "database");
  }

  /** Issuer `issuerId`'s key (derived once, then kept). */
  forIssuer(issuerId: number): Promise<IssuerKey> {
    let key = this.#keys.get(issuerId);
    if (key === undefined) {
      key = IssuerKey.fromSeed(issuerSeed(this.#master, issuerId));
      this.#keys.set(issuerId, key);
    }
    return key;
  }

  /** Only where the secret comes from: never the secret. */
  toJSON(): { source: string } {
    return { source: this.source };
  }
}

declare module "fastify" {
  interface FastifyInstance {
    signingKeys: SigningKeys;
  }
}

/** Decorates the app with `signingKeys` (after the store plugin). */
export const signingKeysPlugin = fp(
  async (app: FastifyInstance) => {
    app.decorate("signingKeys", await SigningKeys.open(app.config, app.store));
  },
  { name: "signing-keys" },
);

/** An issuer's key the registry records and has in use, and the time to sign at. */
export interface RegisteredKey {
  key: IssuerKey;
  /** Now, or the key's recording time when the chain's clock runs ahead of ours (a local chain). */
  signAt: Date;
}

/**
 * Issuer `issuerId`'s key, once the registry records it for that issuer and in use right now: the
 * service signs nothing a verifier following the registry would refuse.
 * @throws HttpError 409 `key-not-registered` naming the DID and the command that records it;
 * 503 `chain-unavailable` when the chain cannot be asked.
 */
export async function registeredKey(app: FastifyInstance, issuerId: number): Promise<RegisteredKey> {
  const key = await app.signingKeys.forIssuer(issuerId);
  const now = new Date();
  let status;
  try {
    const { provider, registryAddress: registry } = app.chain;
    status = await issuerKeyStatus({ provider, registry }, issuerId, key.did, now);
  } catch (error) {
    if (isCredrootError(error, "INVALID_ARGUMENT")) throw error;
    const reason = decodeRegistryError(error).message;
    throw new HttpError("chain-unavailable", `cannot read issuer ${issuerId}'s keys: ${reason}`);
  }
  const signAt = new Date(Math.max(now.getTime(), status.key.addedAt * 1000));
  const judged = judgeIssuerKey(status.key, Math.floor(signAt.getTime() / 1000));
  if (judged.reason === "in-use") return { key, signAt };
  const { retiredAt, compromised } = status.key;
  if (retiredAt === null || judged.reason === "not-recorded") {
    throw new HttpError(
      "key-not-registered",
      `${describeIssuerKeyStatus(judged, key.did, issuerId)}, so this service signs nothing for it. ` +
        `The accreditor records it with: ${addKeyCommand(issuerId, key.did)}`,
    );
  }
  // A key is recorded once, ever: a retired one cannot come back.
  throw new HttpError(
    "key-not-registered",
    `${key.did}, issuer ${issuerId}'s signing key here, was retired in the registry at ` +
      `${new Date(retiredAt * 1000).toISOString()}${compromised ? " as compromised" : ""}, so this service signs nothing ` +
      "for it. A key is recorded once: set a new ISSUER_SIGNING_KEY, then have the accreditor record the DID " +
      `\`npm run issuer-did -- --issuer ${issuerId}\` prints (credroot accreditor add-key --issuer ${issuerId} --did <did>)`,
  );
}
