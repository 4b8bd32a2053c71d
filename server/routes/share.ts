import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import QRCode from "qrcode";

import { discloseBundle } from "../../src";
import { bundleOfRecord, hideNames, loadBundle } from "../bundles";
import { HttpError, notFound } from "../errors";
import { publicLimit } from "../rate-limits";
import { errors, idParams } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";

const hideQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    hide: { type: "string", maxLength: 2048, description: "fields the link hides: `learner.email,assessment.grade`" },
  },
} as const;

const IMAGE_TYPE = { svg: "image/svg+xml", png: "image/png" } as const;

const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]", ""]);

/**
 * PUBLIC_URL, or else the service's own listen address (`http://127.0.0.1:3000`): never the request's Host
 * header, which anyone can forge to have the service hand out links to their own site. Listening on every
 * address (0.0.0.0, ::) there is no own address to give: 500 telling the operator to set PUBLIC_URL.
 */
export function baseUrl(app: FastifyInstance): string {
  if (app.config.publicUrl !== null) return app.config.publicUrl.replace(/\/+$/, "");
  const address = app.server.listening ? (app.server.address() as AddressInfo | null) : null;
  const host = address?.address ?? app.config.host;
  const port = address?.port ?? app.config.port;
  if (WILDCARD_HOSTS.has(host)) {
    throw new HttpError(
      "public-url-not-set",
      `the service listens on every address (HOST=${host}), so it has no link to give: set PUBLIC_URL to the address people reach it at`,
    );
  }
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Checks the hide names against a credential whose batch is not anchored yet, as its bundle would. */
async function checkHideBeforeAnchor(app: FastifyInstance, id: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const credential = await app.store.getCredential(id);
  const batch = credential ? await app.store.getBatch(credential.batchId) : null;
  if (!credential || !batch) throw notFound(`credential ${id}`);
  const bundle = bundleOfRecord(app, credential, batch, batch.blockNumber ?? 0);
  discloseBundle(bundle, names); // throws INVALID_ARGUMENT (400) for a field that does not exist or must stay shown
}

/**
 * A QR code of `url`: error correction M, or L when the URL is too long for M; a URL too long for any QR code is
 * answered 400 naming its length (the share link itself still works).
 */
async function qrCode<T>(url: string, draw: (level: "M" | "L") => Promise<T>): Promise<T> {
  try {
    return await draw("M");
  } catch {
    try {
      return await draw("L");
    } catch {
      throw new HttpError(
        "too-long-for-qr",
        `the share link is ${url.length} characters, too long for a QR code: hide fewer fields, or send the share link itself`,
      );
    }
  }
}

/**
 * The share link of a credential and its QR code's URL (`<base>/v/<id>`, with `?hide=` when fields are hidden) after
 * checking that the credential exists and, once its bundle is offered, that the fields can be hidden.
 */
async function shareLink(
  app: FastifyInstance,
  id: string,
  hide: string | undefined,
): Promise<{ url: string; qr: string }> {
  // Each name once: a repeated name hides nothing more, and only lengthens the link.
  const names = [...new Set(hideNames(hide))];
  const credential = await app.store.getCredential(id);
  if (!credential) throw notFound(`credential ${id}`);
  try {
    await loadBundle(app, id, names);
  } catch (error) {
    // Not anchored yet: the link still works once it is; any other problem is the caller's.
    if (!(error instanceof HttpError && error.code === "not-anchored-yet")) throw error;
    await checkHideBeforeAnchor(app, id, names);
  }
  const query = names.length > 0 ? `?hide=${names.map(encodeURIComponent).join(",")}` : "";
  const base = baseUrl(app);
  return {
    url: `${base}/v/${encodeURIComponent(id)}${query}`,
    qr: `${base}/v1/credentials/${encodeURIComponent(id)}/qr.svg${query}`,
  };
}

const shareRoutes: RoutePlugin = (app, _options, done) => {
  const rateLimit = publicLimit(app.config);
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
    async (request) => shareLink(app, request.params.id, request.query.hide),
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
        const { url } = await shareLink(app, request.params.id, request.query.hide);
        reply.header("cache-control", "no-cache");
        if (format === "svg") {
          const svg = await qrCode(url, (level) =>
            QRCode.toString(url, { type: "svg", margin: 2, errorCorrectionLevel: level }),
          );
          return reply.type(IMAGE_TYPE.svg).send(svg);
        }
        const png = await qrCode(url, (level) =>
          QRCode.toBuffer(url, { type: "png", margin: 2, scale: 8, errorCorrectionLevel: level }),
        );
        return reply.type(IMAGE_TYPE.png).send(png);
      },
    );
  }
  done();
};

export default shareRoutes;
