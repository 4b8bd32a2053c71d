import type { FastifyInstance, FastifyPluginCallback, FastifyRequest } from "fastify";
import QRCode from "qrcode";

import { hideNames, loadBundle } from "../bundles";
import { HttpError, notFound } from "../errors";
import { errors, idParams } from "../schemas/common";

const hideQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    hide: { type: "string", maxLength: 2048, description: "fields the link hides: `learner.email,assessment.grade`" },
  },
} as const;

const IMAGE_TYPE = { svg: "image/svg+xml", png: "image/png" } as const;

/** PUBLIC_URL, or the scheme and host the request came to. */
function baseUrl(app: FastifyInstance, request: FastifyRequest): string {
  return (app.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/+$/, "");
}

/**
 * The share link of a credential and its QR code's URL (`<base>/v/<id>`, with `?hide=` when fields are hidden) after
 * checking that the credential exists and, once its bundle is offered, that the fields can be hidden.
 */
async function shareLink(app: FastifyInstance, request: FastifyRequest): Promise<{ url: string; qr: string }> {
  const { id } = request.params as { id: string };
  const names = hideNames((request.query as { hide?: string }).hide);
  const credential = await app.store.getCredential(id);
  if (!credential) throw notFound(`credential ${id}`);
  try {
    await loadBundle(app, id, names);
  } catch (error) {
    // Not anchored yet: the link still works once it is; any other problem is the caller's.
    if (!(error instanceof HttpError && error.code === "not-anchored-yet")) throw error;
  }
  const query = names.length > 0 ? `?hide=${names.map(encodeURIComponent).join(",")}` : "";
  const base = baseUrl(app, request);
  return {
    url: `${base}/v/${encodeURIComponent(id)}${query}`,
    qr: `${base}/v1/credentials/${encodeURIComponent(id)}/qr.svg${query}`,
  };
}

const shareRoutes: FastifyPluginCallback = (app, _options, done) => {
  const rateLimit = { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" };
  app.get(
    "/v1/credentials/:id/share",
    {
      config: { rateLimit },
      schema: {
        summary: "A share link to the web verifier page for this credential, and its QR code",
        description:
          "`url` opens the verifier page, which fetches the bundle (with `hide` applied) and verifies it in the browser against the chain. `qr` is an SVG QR code of `url`.",
        tags: ["learner"],
        params: idParams,
        querystring: hideQuery,
        response: {
          200: {
            type: "object",
            required: ["url", "qr"],
            properties: { url: { type: "string" }, qr: { type: "string" } },
          },
          ...errors(400, 404, 429),
        },
      },
    },
    async (request) => shareLink(app, request),
  );

  for (const format of ["svg", "png"] as const) {
    app.get(
      `/v1/credentials/:id/qr.${format}`,
      {
        config: { rateLimit },
        schema: {
          summary: `A QR code (${format.toUpperCase()}) of the credential's share link`,
          tags: ["learner"],
          params: idParams,
          querystring: hideQuery,
          response: {
            200: {
              description: `the QR code, ${format === "svg" ? "an SVG document" : "a PNG image"}`,
              content: { [IMAGE_TYPE[format]]: { schema: { type: "string", format: "binary" } } },
            },
            ...errors(400, 404, 429),
          },
        },
      },
      async (request, reply) => {
        const { url } = await shareLink(app, request);
        reply.header("cache-control", "no-cache");
        if (format === "svg") {
          return reply.type(IMAGE_TYPE.svg).send(await QRCode.toString(url, { type: "svg", margin: 2 }));
        }
        return reply.type(IMAGE_TYPE.png).send(await QRCode.toBuffer(url, { type: "png", margin: 2, scale: 8 }));
      },
    );
  }
  done();
};

export default shareRoutes;
