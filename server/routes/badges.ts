import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { type Bundle, isCredrootError, toVerifiableCredential } from "../../src";
import { signCredential, signCredentialJwt } from "../../src/standard";
import { bakePng, bakeSvg, defaultBadgePng, defaultBadgeSvg } from "../../src/standard/baked";
import { hideNames, loadBundle } from "../bundles";
import { registeredKey } from "../signing-keys";
import { credentialStatusOf } from "../status-lists/entry";
import { errors, idParams } from "../schemas/common";
import { disclosedCopy, validIssuer } from "./standard-credentials";

/** The largest image BADGE_IMAGE_DIR may hold for a badge: the baked badge stays small enough to POST to /v1/verify. */
export const MAX_BADGE_SOURCE = 128 * 1024;

const IMAGE = {
  png: { type: "image/png", description: "a PNG with an `iTXt` chunk `openbadgecredential`" },
  svg: { type: "image/svg+xml", description: "an SVG with an `<openbadges:credential>` element" },
} as const;
type ImageKind = keyof typeof IMAGE;

const badgeQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    format: {
      type: "string",
      enum: ["ob3", "jwt"],
      default: "ob3",
      description:
        "what is baked in: `ob3`, the Open Badge 3.0 JSON with its Data Integrity proof; `jwt`, its VC-JOSE JWT",
    },
    hide: { type: "string", maxLength: 2048, description: "as for the bundle: `learner.email,assessment.grade`" },
  },
} as const;

/** How an achievement's title names its image file: lower case, every run of other characters than a-z 0-9 a `-`. */
export function achievementSlug(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .slice(0, 100) || "achievement"
  );
}

/** The operator's image for this achievement, else for this issuer, else null; never one larger than {@link MAX_BADGE_SOURCE}. */
async function ownImage(
  app: FastifyInstance,
  issuerId: number,
  title: string,
  kind: ImageKind,
): Promise<Buffer | null> {
  const dir = app.config.badgeImageDir;
  if (dir === null) return null;
  for (const file of [
    join(dir, String(issuerId), `${achievementSlug(title)}.${kind}`),
    join(dir, `${issuerId}.${kind}`),
  ]) {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) continue;
    if (info.size > MAX_BADGE_SOURCE) {
      app.log.warn(
        { file, size: info.size },
        `badge image larger than ${MAX_BADGE_SOURCE} bytes: the generated one is used`,
      );
      return null;
    }
    return readFile(file);
  }
  return null;
}

const titleOf = (bundle: Bundle) =>
  typeof bundle.credential.title === "string" ? bundle.credential.title : "Credential";

/**
 * `GET /v1/credentials/:id/badge.png` and `/badge.svg`: the signed Open Badge 3.0 (as JSON or JWT)
 * baked into the badge's image as OB 3.0 specifies, so the image itself is the credential. Signed as
 * `GET /v1/credentials/:id/credential` signs (the same key, `hide=`, and only while it verifies on
 * chain: 409 `not-valid` otherwise). The image is the operator's (BADGE_IMAGE_DIR, per achievement
 * or per issuer) or a generated one; an image URL in the credential is never fetched.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- keys are per issuer (app.signingKeys), nothing to set up
const badgeRoutes: FastifyPluginAsync = async (app) => {
  for (const kind of ["png", "svg"] as const) {
    app.get(
      `/v1/credentials/:id/badge.${kind}`,
      {
        config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
        schema: {
          summary: `A learner's credential as an Open Badges 3.0 baked badge (${kind.toUpperCase()})`,
          description:
            `The signed OpenBadgeCredential (format=ob3) or its JWT (format=jwt) baked into the badge image: ${IMAGE[kind].description}. ` +
            "Signed only while the credential verifies on chain (409 `not-valid` otherwise) and with the issuer's key the registry records (409 `key-not-registered` otherwise).",
          tags: ["learner"],
          params: idParams,
          querystring: badgeQuery,
          response: {
            200: {
              content: { [IMAGE[kind].type]: { schema: { type: "string", description: IMAGE[kind].description } } },
            },
            ...errors(400, 404, 409, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params as { id: string };
        const { format, hide } = request.query as { format: "ob3" | "jwt"; hide?: string };
        const bundle = disclosedCopy(await loadBundle(app, id, hideNames(hide)));
        const issuer = await validIssuer(app, bundle);
        // Signed as GET /v1/credentials/:id/credential signs: the issuer's recorded key, its status list entry.
        const { key, signAt } = await registeredKey(app, issuer.id);
        const credentialStatus = await credentialStatusOf(app, id);
        const doc = toVerifiableCredential(bundle, issuer, {
          format: "ob3",
          issuerDid: key.did,
          ...(credentialStatus === undefined ? {} : { credentialStatus }),
        });
        const options = { now: signAt };
        const text =
          format === "jwt"
            ? await signCredentialJwt(doc, key, options)
            : JSON.stringify(await signCredential(doc, key, options));
        const own = await ownImage(app, issuer.id, titleOf(bundle), kind);
        const bake = (image: Buffer | null) =>
          kind === "png"
            ? Buffer.from(bakePng(image ?? defaultBadgePng(), text))
            : bakeSvg(image?.toString("utf8") ?? defaultBadgeSvg({ title: titleOf(bundle), issuerName: issuer.name }), {
                format: format === "jwt" ? "jwt" : "json",
                text,
              });
        let badge: Buffer | string;
        try {
          badge = bake(own);
        } catch (error) {
          // The operator's file is not a readable PNG/SVG: say so in the log, and give the learner a badge anyway.
          if (own === null || !isCredrootError(error)) throw error;
          app.log.warn(
            { issuerId: issuer.id, err: error.message },
            "badge image cannot be baked: the generated one is used",
          );
          badge = bake(null);
        }
        reply.header("content-disposition", `attachment; filename="badge.${kind}"`);
        return reply.type(IMAGE[kind].type).send(badge);
      },
    );
  }
};

export default badgeRoutes;
