import { createHash } from "node:crypto";
import type { FastifyReply } from "fastify";
import {
  type AnchorContext,
  type CredrootError,
  type ErrorDetail,
  isCredrootError,
  newBatchId,
  type PreparedBatch,
} from "../../src";
import { columnOf, parseCredentialsCsv } from "../../src/node/csv";
import { HttpError, type HttpErrorDetail, notFound } from "../errors";
import { newCredentialId } from "../keys";
import { issuerRoute } from "../rate-limits";
import { signerMismatch } from "../revocations";
import {
  acceptedBatch,
  csvBody,
  envelopeCompiler,
  type SubmitEnvelope,
  submitBody,
  submitHeaders,
} from "../schemas/batch";
import { errors } from "../schemas/common";
import type { RouteInstance } from "../schemas/types";
import { StoreConflictError, StoreIssuedError } from "../store/errors";
import { PendingCredential } from "../issuance/pending-credential";

/**
 * Format v1 credentials named their awarding body; v2 ones cannot (any issuer could award in any
 * institution's name): it is the issuer the registry records. Said plainly to whoever still sends it.
 */
export const AWARDING_BODY_GONE =
  "the awarding body now comes from the registry (the name it records for your issuer), not from the credential";
export const isAwardingBody = (path: string) => /^\/awardingBody(\/|$)/.test(path);

/**
 * `/3/learner/name` from prepareBatch → row 4 (rows count from 1, as the CLI counts them), field
 * /learner/name; from a CSV, the field is named by its column (`learner.name`) and `line` is the
 * line of the file the row starts on.
 */
export function rowDetails(details: readonly ErrorDetail[], lines: readonly number[] | null): HttpErrorDetail[] {
  return details.map((d) => {
    const [, row, ...rest] = d.path.split("/");
    const index = Number(row);
    const line = lines?.[index];
    const pointer = `/${rest.join("/")}`;
    const message = isAwardingBody(pointer) ? `${AWARDING_BODY_GONE}: remove awardingBody` : d.message;
    const path = lines === null ? pointer : columnOf(pointer);
    return { path, message, row: index + 1, ...(line === undefined ? {} : { line }) };
  });
}

/** An `Idempotency-Key`: 1 to 255 visible ASCII characters (a UUID, say). */
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** What a submission's `Idempotency-Key` is compared on: the body as sent (CSV) or as parsed (JSON). */
function bodyDigest(body: unknown): string {
  const text = typeof body === "string" ? `text/csv\n${body}` : `application/json\n${JSON.stringify(body)}`;
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** A credential `/id` twice in one upload: the rows, for a 409 naming both. */
export function repeatedId(
  credentials: readonly { credential: Record<string, unknown> }[],
): [number, number, string] | null {
  const seen = new Map<string, number>();
  for (const [index, { credential }] of credentials.entries()) {
    const id = credential.id;
    if (typeof id !== "string") continue;
    const first = seen.get(id);
    if (first !== undefined) return [first, index, id];
    seen.set(id, index);
  }
  return null;
}

const keyReused = (key: string) =>
  new HttpError(
    "idempotency-key-reused",
    `Idempotency-Key ${JSON.stringify(key)} was already used with a different body: ` +
      "send the same body to get that batch again, or a new key for a new batch; nothing was stored",
  );

/** How an upload's row `index` is named in errors: counted from 1, as `rowDetails` does, with its CSV line. */
export function rowNamer(lines: readonly number[] | null) {
  const where = (index: number) => {
    const line = lines?.[index];
    return { row: index + 1, ...(line === undefined ? {} : { line }) };
  };
  const words = (index: number) => {
    const line = lines?.[index];
    return `row ${index + 1}${line === undefined ? "" : ` (line ${line})`}`;
  };
  return { where, words };
}

const DESCRIPTION =
  "Every credential is validated first; if any is invalid the response lists each bad row and field and nothing is stored. " +
  "Send `application/json` `{ credentials: [...] }` or `text/csv` with one row per credential and columns named after the fields (`learner.name`; arrays joined with `|`). " +
  "Every leaf commits to this service's chain, registry, your issuer id and the batch id, chosen here. " +
  "A credential `id` you already issued in an earlier batch (or twice in this one) is refused with 409 " +
  "`already-issued` naming the row and the batch that holds it. " +
  "Send an `Idempotency-Key` header (1–255 visible ASCII characters, e.g. a UUID) to retry safely: the same key " +
  "with the same body answers the same batch again (202, `Idempotent-Replayed: true`, its current status) and " +
  "stores nothing; the same key with another body is refused with 422 `idempotency-key-reused`. Keys are kept per issuer.";

/** The 400 for an upload's bad rows (its CSV lines when `lines` are given), saying that nothing was stored. */
function invalidRows(error: CredrootError, lines: readonly number[] | null): HttpError {
  const details = rowDetails(error.details, lines);
  const old = details.some((d) => isAwardingBody(d.path)) ? ` (${AWARDING_BODY_GONE}: remove awardingBody)` : "";
  return new HttpError("invalid-credential", `${error.message}${old}; nothing was stored`, details);
}

/**
 * Every row of an upload validated and committed for `context` (the commit pool's threads).
 * @throws HttpError 400 `invalid-credential` naming each bad row (its CSV line when `lines` are given)
 * and field; nothing is stored.
 */
export async function preparedRows(
  app: Pick<RouteInstance, "commitPool">,
  inputs: Parameters<RouteInstance["commitPool"]["prepare"]>[0],
  lines: readonly number[] | null,
  context: AnchorContext,
): ReturnType<RouteInstance["commitPool"]["prepare"]> {
  try {
    return await app.commitPool.prepare(inputs, context);
  } catch (error) {
    if (!isCredrootError(error, "INVALID_CREDENTIAL")) throw error;
    throw invalidRows(error, lines);
  }
}

/**
 * Every row of a CSV upload parsed, validated and committed for `context`: a large upload in pieces
 * on the commit pool's threads, a small or malformed one parsed here (for the error naming its line).
 * @throws CredrootError `INVALID_ARGUMENT` for malformed CSV; HttpError as {@link preparedRows}.
 */
export async function preparedCsv(
  app: Pick<RouteInstance, "commitPool">,
  text: string,
  context: AnchorContext,
): Promise<{ batch: PreparedBatch; lines: number[] }> {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const pieces = await app.commitPool.prepareCsv(body, context);
  if (pieces === null) {
    const { credentials, lines } = parseCredentialsCsv(body);
    return { batch: await preparedRows(app, credentials, lines, context), lines };
  }
  if ("invalid" in pieces) throw invalidRows(pieces.invalid, pieces.lines);
  return pieces;
}

/**
 * `POST /v1/batches`: validates every credential (naming each bad row and field), commits them to
 * a new batch id and stores the batch for the anchoring worker; idempotent under `Idempotency-Key`.
 * Registered by the batch routes' plugin, which reads `text/csv` bodies and strict JSON.
 */
export function submitRoute(app: RouteInstance): void {
  /** The 202 a submission got, again: the batch `key` stands for (its status as it is now). */
  const replay = async (reply: FastifyReply, batchId: string) => {
    const batch = await app.store.getBatch(batchId);
    if (!batch) throw notFound(`batch ${batchId}`);
    const rows = await app.store.listCredentials(batchId, 0, batch.count);
    return reply
      .status(202)
      .header("location", `/v1/batches/${batchId}`)
      .header("idempotent-replayed", "true")
      .send({
        id: batch.id,
        root: batch.root,
        count: batch.count,
        status: batch.status,
        credentials: rows.map((c) => ({ id: c.id, index: c.index, leaf: c.leaf })),
      });
  };

  // Two bodies in one schema (`content`), which no type provider reads: the route says what they are.
  app.post<{ Body: SubmitEnvelope | string }>(
    "/v1/batches",
    {
      ...issuerRoute(app),
      validatorCompiler: envelopeCompiler(app.validatorCompiler!),
      schema: {
        summary: "Submit a batch of credentials (JSON or CSV) for anchoring",
        description: DESCRIPTION,
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        headers: submitHeaders,
        body: {
          content: {
            "application/json": { schema: submitBody },
            "text/csv": { schema: csvBody },
          },
        },
        response: { 202: acceptedBatch, ...errors(400, 401, 403, 409, 413, 415, 422, 429) },
      },
    },
    async (request, reply) => {
      const signerIssuer = await app.chain.signerIssuerId();
      if (signerIssuer !== null && signerIssuer !== request.issuerId) {
        throw new HttpError(
          "forbidden",
          `${signerMismatch(app.chain.wallet.address, signerIssuer)}; issuer ${request.issuerId} cannot anchor through it`,
        );
      }
      const { body } = request;
      const idempotencyKey = request.headers["idempotency-key"];
      const idempotency =
        typeof idempotencyKey === "string" && IDEMPOTENCY_KEY.test(idempotencyKey)
          ? { key: idempotencyKey, digest: bodyDigest(body) }
          : undefined;
      if (idempotency) {
        const earlier = await app.store.getIdempotencyKey(request.issuerId, idempotency.key);
        if (earlier) {
          if (earlier.digest !== idempotency.digest) throw keyReused(idempotency.key);
          return replay(reply, earlier.batchId);
        }
      }
      // The id comes first: every leaf commits to it (and to the chain, registry and issuer).
      const id = newBatchId();
      const context: AnchorContext = {
        chainId: app.chain.chainId,
        registry: app.chain.registryAddress,
        issuerId: request.issuerId,
        batchId: id,
      };
      // A CSV's rows are named in errors by their line too; a JSON body's have no lines.
      const { batch, lines } =
        typeof body === "string"
          ? await preparedCsv(app, body, context)
          : { batch: await preparedRows(app, body.credentials, null, context), lines: null };
      const credentials = batch.credentials.map(
        (c, index) => new PendingCredential(newCredentialId(), index, c, batch.tree),
      );
      const row = rowNamer(lines);
      const twice = repeatedId(credentials);
      if (twice) {
        const [first, second, credentialId] = twice;
        throw new HttpError(
          "already-issued",
          `credential id ${credentialId} is in this upload twice (${row.words(first)} and ${row.words(second)}); nothing was stored`,
          [{ path: "/id", message: `also in ${row.words(first)}`, ...row.where(second) }],
        );
      }
      const uri = typeof body === "string" ? "" : (body.uri ?? "");
      let stored;
      try {
        stored = await app.store.insertBatch(
          {
            id,
            issuerId: request.issuerId,
            root: batch.root,
            count: batch.count,
            uri,
            signer: app.chain.wallet.address,
            refuseIssuedIds: true,
            ...(idempotency ? { idempotency } : {}),
          },
          credentials,
        );
      } catch (error) {
        if (error instanceof StoreIssuedError) {
          const { credentialId, index, earlier } = error;
          const message = `credential id ${credentialId} was already issued in batch ${earlier.batchId} (its row ${earlier.index + 1})`;
          throw new HttpError(
            "already-issued",
            `${row.words(index)}: ${message}: give this one a new id (revoke the earlier one if it was issued in error); nothing was stored`,
            [{ path: "/id", message, ...row.where(index) }],
          );
        }
        // A submission with the same key was stored meanwhile: answer as if it had come first.
        if (idempotency && error instanceof StoreConflictError && error.target === "idempotency-key") {
          const earlier = await app.store.getIdempotencyKey(request.issuerId, idempotency.key);
          if (earlier && earlier.digest !== idempotency.digest) throw keyReused(idempotency.key);
          if (earlier) return replay(reply, earlier.batchId);
        }
        throw error;
      }
      app.wakeWorker();
      return reply
        .status(202)
        .header("location", `/v1/batches/${id}`)
        .send({
          id,
          root: stored.root,
          count: stored.count,
          status: stored.status,
          credentials: credentials.map((c) => ({ id: c.id, index: c.index, leaf: c.leaf })),
        });
    },
  );
}
