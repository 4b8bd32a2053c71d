import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from "fastify";
import { hideNames, loadBundle } from "../bundles";
import { HttpError, notFound } from "../errors";
import { errors, idParams } from "../schemas/common";
import { baseUrl } from "./share";

const hideQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    hide: {
      type: "string",
      maxLength: 2048,
      description: "fields the certificate leaves out (its bundle hides them): `learner.email,assessment.grade`",
    },
  },
} as const;

/** `certificate-<id>.pdf`, the id kept to characters every file system and header takes. */
const fileName = (id: string) => `certificate-${id.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 100)}.pdf`;

/**
 * The PDF certificate of credential `id` with the `hide` fields hidden: made from the same (disclosed) bundle the
 * bundle route serves, naming the awarding body as the registry records the batch's issuer, its QR code leading to
 * this service's verifier page with the bundle in the link (or to the share link when it does not fit).
 * @throws HttpError 404 for an unknown credential, 409 before its batch is anchored or once it is revoked;
 * CredrootError `INVALID_ARGUMENT` (400) for a field that cannot be hidden or a name the fonts cannot print.
 */
async function certificateOf(app: FastifyInstance, request: FastifyRequest): Promise<Uint8Array> {
  const { id } = request.params as { id: string };
  const names = [...new Set(hideNames((request.query as { hide?: string }).hide))];
  const bundle = await loadBundle(app, id, names);
  const credential = await app.store.getCredential(id);
  const batch = credential ? await app.store.getBatch(credential.batchId) : null;
  if (!credential || !batch) throw notFound(`credential ${id}`);
  if (batch.status === "revoked" || credential.revokedReason !== null) {
    throw new HttpError("not-valid", "the credential is revoked: no certificate is made of it");
  }
  const issuer = await app.chain.registry.getIssuer(batch.issuerId);
  const base = baseUrl(app);
  const query = names.length > 0 ? `?hide=${names.map(encodeURIComponent).join(",")}` : "";
  // Loaded on the first certificate, not with the service: pdf-lib and its font engine take a second to load.
  const { certificatePdf } = await import("../../src/certificate");
  const { certificateFonts } = await import("../../src/node/certificate-fonts");
  return certificatePdf(bundle, issuer.name, {
    verifierUrl: `${base}/`,
    shareUrl: `${base}/v/${encodeURIComponent(id)}${query}`,
    fonts: certificateFonts(),
  });
}

const certificateRoutes: FastifyPluginCallback = (app, _options, done) => {
  app.get(
    "/v1/credentials/:id/certificate.pdf",
    {
      config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        summary: "A printable PDF certificate of this credential, its bundle attached",
        description:
          "The credential in words, the awarding body as the registry records it, a QR code that opens the web verifier " +
          "page with the whole bundle in its link (the share link when the bundle is too large for a QR code), and the " +
          "bundle itself attached as `credroot-bundle.json`, which `credroot verify` and the verifier page check. With " +
          "`hide`, made from the disclosed copy: the hidden fields are nowhere in the PDF.",
        tags: ["learner"],
        params: idParams,
        querystring: hideQuery,
        response: {
          200: {
            description: "the certificate, a PDF document",
            content: { "application/pdf": { schema: { type: "string", format: "binary" } } },
          },
          ...errors(400, 404, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const pdf = await certificateOf(app, request);
      const { id } = request.params as { id: string };
      return reply
        .type("application/pdf")
        .header("content-disposition", `attachment; filename="${fileName(id)}"`)
        .header("cache-control", "no-store")
        .send(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength));
    },
  );
  done();
};

export default certificateRoutes;
