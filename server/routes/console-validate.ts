import { type AnchorContext, newBatchId } from "../../src";
import { parseCredentialsCsv } from "../../src/node/csv";
import { HttpError } from "../errors";
import { issuerRoute } from "../rate-limits";
import { csvBody, envelopeCompiler, type SubmitEnvelope, submitBody } from "../schemas/batch";
import { errors } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";
import { preparedRows, repeatedId, rowNamer } from "./batch-submit";
import { useStrictJson } from "./json-body";

const checkedBatch = {
  type: "object",
  required: ["valid", "count"],
  properties: {
    valid: { type: "boolean", const: true },
    count: { type: "integer", description: "How many credentials the upload holds" },
  },
} as const;

/**
 * `POST /v1/batches/validate`: the checks of `POST /v1/batches` (every bad row and column, a credential id
 * twice in the upload or issued before) without storing anything, so that the console can show a registrar
 * every mistake in place before the real submission. The errors are the submission's, word for word.
 */
const validateRoute: RoutePlugin = (app, _options, done) => {
  useStrictJson(app);
  app.addContentTypeParser("text/csv", { parseAs: "string" }, (_request, body, parsed) => {
    parsed(null, body);
  });

  app.post<{ Body: SubmitEnvelope | string }>(
    "/v1/batches/validate",
    {
      ...issuerRoute(app),
      validatorCompiler: envelopeCompiler(app.validatorCompiler!),
      schema: {
        summary: "Check a batch (JSON or CSV) as POST /v1/batches would, storing nothing",
        description:
          "The same body and the same errors as `POST /v1/batches` (422 `invalid-credential` naming every bad row " +
          "and column, 409 `already-issued`), but nothing is stored and nothing is anchored: 200 when the batch " +
          "would be accepted. A dry run: a credential id the issuer issues between this check and the submission " +
          "is still refused by the submission.",
        tags: ["issuer"],
        security: [{ apiKey: [] }],
        body: {
          content: {
            "application/json": { schema: submitBody },
            "text/csv": { schema: csvBody },
          },
        },
        response: { 200: checkedBatch, ...errors(400, 401, 403, 409, 413, 415, 422, 429) },
      },
    },
    async (request) => {
      const { body } = request;
      const { credentials: inputs, lines } =
        typeof body === "string" ? parseCredentialsCsv(body) : { credentials: body.credentials, lines: null };
      const context: AnchorContext = {
        chainId: app.chain.chainId,
        registry: app.chain.registryAddress,
        issuerId: request.issuerId,
        batchId: newBatchId(),
      };
      const batch = await preparedRows(app, inputs, lines, context);
      const row = rowNamer(lines);
      const twice = repeatedId(batch.credentials);
      if (twice) {
        const [first, second, credentialId] = twice;
        throw new HttpError(
          "already-issued",
          `credential id ${credentialId} is in this upload twice (${row.words(first)} and ${row.words(second)}); nothing was stored`,
          [{ path: "/id", message: `also in ${row.words(first)}`, ...row.where(second) }],
        );
      }
      for (const [index, { credential }] of batch.credentials.entries()) {
        if (typeof credential.id !== "string") continue;
        const [earlier] = await app.store.findCredentials(request.issuerId, { credentialId: credential.id }, 1);
        if (!earlier) continue;
        const message = `credential id ${credential.id} was already issued in batch ${earlier.batchId} (its row ${earlier.index + 1})`;
        throw new HttpError(
          "already-issued",
          `${row.words(index)}: ${message}: give this one a new id (revoke the earlier one if it was issued in error); nothing was stored`,
          [{ path: "/id", message, ...row.where(index) }],
        );
      }
      return { valid: true, count: batch.count };
    },
  );
  done();
};

export default validateRoute;
