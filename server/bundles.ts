import type { FastifyInstance } from "fastify";
import { assembleBundle, type Bundle, discloseBundle, type JsonValue } from "../src";
import { HttpError, notFound } from "./errors";
import type { BatchRecord, CredentialRecord } from "./store/types";

const OFFERED = new Set(["anchored", "final", "revoked"]);

/** `learner.email, assessment.grade` → `["learner.email", "assessment.grade"]`. */
export function hideNames(hide: string | undefined): string[] {
  return (hide ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Hashes as `0x…` hex → the base64url of their concatenation, in one native pass. */
function base64urlOfHex(hashes: readonly string[]): string {
  return Buffer.from(hashes.map((hash) => hash.slice(2)).join(""), "hex").toString("base64url");
}

/**
 * The full bundle of a stored credential: its secret and values, its path and its batch's root, and
 * where it is anchored (this service's chain and registry, the batch's issuer and id, `block`).
 * The bundle takes `credential`'s values object itself: each store read parses a new one.
 */
export function bundleOfRecord(
  app: FastifyInstance,
  credential: CredentialRecord,
  batch: BatchRecord,
  block: number,
): Bundle {
  return assembleBundle(
    {
      credential: credential.credential as { [key: string]: JsonValue },
      secret: credential.secret,
      root: base64urlOfHex([batch.root]),
      proof: base64urlOfHex(credential.proof),
    },
    {
      chainId: app.chain.chainId,
      registry: app.chain.registryAddress,
      issuerId: batch.issuerId,
      batchId: batch.id,
      block,
    },
  );
}

/**
 * The (version 2) bundle of credential `id` with the named fields hidden: its secret and values as
 * stored, its path and its batch's root, and where it is anchored — this service's chain and registry, the batch's
 * issuer and id (what its leaf commits to), and the block of the anchoring transaction.
 * @throws HttpError 404 for an unknown credential, 409 `not-anchored-yet` before its batch is
 * anchored; CredrootError `INVALID_ARGUMENT` (400) for a field that does not exist or must stay shown.
 */
export async function loadBundle(app: FastifyInstance, id: string, hide: readonly string[]): Promise<Bundle> {
  const { credential, batch, block } = await loadRecords(app, id);
  const bundle = bundleOfRecord(app, credential, batch, block);
  return hide.length > 0 ? discloseBundle(bundle, hide) : bundle;
}

/** Credential `id`, its batch (read with `batchOf`) and its block. @throws HttpError as {@link loadBundle} does. */
async function loadRecords(
  app: FastifyInstance,
  id: string,
  batchOf: (batchId: string) => Promise<BatchRecord | null> = (batchId) => app.store.getBatch(batchId),
): Promise<{ credential: CredentialRecord; batch: BatchRecord; block: number }> {
  const credential = await app.store.getCredential(id);
  const batch = credential ? await batchOf(credential.batchId) : null;
  if (!credential || !batch) throw notFound(`credential ${id}`);
  return { credential, batch, block: offeredBlock(batch) };
}

/** The block of an offered batch's anchoring. @throws HttpError 409 before it is anchored. */
function offeredBlock(batch: BatchRecord): number {
  if (!OFFERED.has(batch.status) || batch.blockNumber === null) {
    throw new HttpError("not-anchored-yet", `the batch is ${batch.status}; the bundle is offered once it is anchored`);
  }
  return batch.blockNumber;
}

/** A full bundle as sent, and what of its batch it was made from. */
interface Serialised {
  batchId: string;
  root: string;
  block: number;
  /** The batch was final: its root and block can no longer change (revoked, it is still offered). */
  final: boolean;
  payload: string;
}

/** How many final batches' records {@link SerialisedBundles} keeps (each a few hundred bytes). */
const FINAL_BATCHES_KEPT = 1_024;

/**
 * Full bundles of stored credentials, kept as the JSON text the route sends. A bundle asked again
 * costs one read of its batch (still offered? same root and block?) instead of two reads, the
 * parsing of the credential's row, the bundle's assembly and its serialisation; of a final batch,
 * no read at all. A final batch stays final or becomes revoked, both offered with the same root
 * and block (the outbox never moves a final op back), so its record is also kept for the other
 * credentials of the batch. Bounded by bytes; full, it starts empty again (a learner fetching a
 * bundle twice in a row is the case served).
 */
export class SerialisedBundles {
  private readonly entries = new Map<string, Serialised>();
  private readonly finalBatches = new Map<string, BatchRecord>();
  private bytes = 0;

  constructor(private readonly maxBytes = 32 * 1024 * 1024) {}

  /**
   * The JSON text of credential `id`'s full bundle, as `serialise` writes it.
   * @throws HttpError as {@link loadBundle} does.
   */
  async get(app: FastifyInstance, id: string, serialise: (bundle: Bundle) => string): Promise<string> {
    const known = this.entries.get(id);
    if (known?.final) return known.payload;
    if (known) {
      const batch = await app.store.getBatch(known.batchId);
      if (!batch) throw notFound(`credential ${id}`);
      if (offeredBlock(batch) === known.block && batch.root === known.root) {
        known.final = batch.status === "final"; // final now: never checked again
        return known.payload;
      }
      this.entries.delete(id);
    }
    const { credential, batch, block } = await loadRecords(app, id, (batchId) => this.batchOf(app, batchId));
    const payload = serialise(bundleOfRecord(app, credential, batch, block));
    const size = 2 * (id.length + payload.length);
    if (this.bytes + size > this.maxBytes) {
      this.entries.clear();
      this.bytes = 0;
    }
    this.entries.set(id, { batchId: batch.id, root: batch.root, block, final: batch.status === "final", payload });
    this.bytes += size;
    return payload;
  }

  /** Batch `id`'s record: kept once final, else read. */
  private async batchOf(app: FastifyInstance, id: string): Promise<BatchRecord | null> {
    const kept = this.finalBatches.get(id);
    if (kept) return kept;
    const batch = await app.store.getBatch(id);
    if (batch?.status === "final") {
      if (this.finalBatches.size >= FINAL_BATCHES_KEPT) this.finalBatches.clear();
      this.finalBatches.set(id, batch);
    }
    return batch;
  }
}
