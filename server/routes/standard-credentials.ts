import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import { type Bundle, discloseBundle, type IssuerRecord, toVerifiableCredential, verifyBundle } from "../../src";
import {
  CREDROOT_CONTEXT,
  CREDROOT_CONTEXT_URL,
  issueSdJwtVc,
  SD_JWT_VC_MEDIA_TYPE,
  signCredential,
  signCredentialJwt,
} from "../../src/standard";
import { hideNames, loadBundle } from "../bundles";
import { HttpError } from "../errors";
import { registeredKey } from "../signing-keys";
import { errors, idParams } from "../schemas/common";
import { credentialStatusOf, sdJwtStatusOf } from "../status-lists/entry";

/** The formats `GET /v1/credentials/:id/credential` serves. */
export const CREDENTIAL_FORMATS = ["ob3", "vc", "jwt", "sd-jwt"] as const;
type CredentialFormat = (typeof CREDENTIAL_FORMATS)[number];

/** VC 2.0's media types: the JSON-LD credential and its VC-JOSE form. */
const MEDIA_TYPE = { json: "application/vc", jwt: "application/vc+jwt" } as const;

/** Where the service serves credroot's JSON-LD context (the same document as {@link CREDROOT_CONTEXT_URL}). */
export const CONTEXT_PATH = "/contexts/credroot-v1.jsonld";

const credentialQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    format: {
      type: "string",
      enum: [...CREDENTIAL_FORMATS],
      default: "ob3",
      description:
        "`ob3`: an Open Badges 3.0 OpenBadgeCredential; `vc`: a plain W3C VC 2.0 credential (both JSON-LD with an " +
        "`eddsa-rdfc-2022` Data Integrity proof); `jwt`: the OB3 credential as a VC-JOSE JWT (EdDSA); `sd-jwt`: an " +
        "IETF SD-JWT VC (`dc+sd-jwt`) with every field selectively disclosable",
    },
    hide: { type: "string", maxLength: 2048, description: "as for the bundle: `learner.email,assessment.grade`" },
  },
} as const;

const signedCredential = {
  type: "object",
  additionalProperties: true,
  required: ["@context", "id", "type", "issuer", "validFrom", "credentialSubject", "evidence", "proof"],
  description: "The credential with its Data Integrity proof (an array); its evidence carries the proof bundle",
} as const;

/** The holder's copy as it is signed: the shown fields with their own salts, never the credential's secret. */
export function disclosedCopy(bundle: Bundle): Bundle {
  return bundle.secret === undefined ? bundle : discloseBundle(bundle, []);
}

/**
 * The registry's record of the bundle's issuer, once the bundle verifies on chain right now: a
 * signature tells standard verifiers the credential holds, so the service never signs one that is
 * revoked, expired, not anchored or of an issuer no longer accredited.
 * @throws HttpError 409 `not-valid` naming the verdict, 503 `chain-unavailable`.
 */
export async function validIssuer(app: FastifyInstance, bundle: Bundle): Promise<IssuerRecord> {
  const result = await verifyBundle(bundle, { chains: app.chain.trusted });
  const failed = result.checks.find((check) => check.ok === false) ?? result.checks.at(-1);
  if (result.verdict === "chain-unavailable") {
    throw new HttpError("chain-unavailable", failed?.message ?? "the chain could not be asked");
  }
  if (result.verdict !== "valid" || result.issuer === null) {
    throw new HttpError(
      "not-valid",
      `the credential is ${result.verdict}${failed ? ` (${failed.message})` : ""}: only a credential that verifies is signed`,
    );
  }
  return result.issuer;
}

/**
 * `GET /v1/credentials/:id/credential`: the credential as a signed standard document, with the fields
 * the holder hides (`hide=`, as for the bundle) left out of both the claims and the embedded bundle;
 * and `GET /contexts/credroot-v1.jsonld`, the context its credroot terms are defined in. Each issuer
 * signs with its own key (server/signing-keys.ts), only once the registry records it for the issuer
 * (else 409 `key-not-registered`), and only a credential that verifies on chain at that moment.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- nothing to set up since keys are per issuer (app.signingKeys)
const standardCredentialRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    CONTEXT_PATH,
    { schema: { summary: "credroot's JSON-LD context", tags: ["anyone"], response: { 200: { type: "object" } } } },
    async (_request, reply) => reply.type("application/ld+json").send(JSON.stringify(CREDROOT_CONTEXT)),
  );

  app.get(
    "/v1/credentials/:id/credential",
    {
      config: { rateLimit: { max: app.config.rateLimitPerMinute, timeWindow: "1 minute" } },
      schema: {
        summary:
          "A learner's credential as a signed Open Badge 3.0, W3C VC 2.0, VC-JOSE JWT or SD-JWT VC, optionally with fields hidden",
        description:
          "The id is unguessable: knowing it is what entitles you to the credential. Signed with the service's issuer key " +
          `(a did:key, the credential's \`issuer.id\`); every term is defined by the VC 2.0, OB 3.0 and credroot (${CREDROOT_CONTEXT_URL}) contexts. ` +
          "The evidence entry of type `CredrootBundle` carries the (disclosed) proof bundle, which credroot verifies against the chain. " +
          "The SD-JWT VC (`format=sd-jwt`) carries it instead as disclosures salted with the fields' credroot salts plus an always-disclosed `credroot` claim. " +
          "Signed only while the credential verifies on chain: a revoked, expired or unaccredited one answers 409 `not-valid`. " +
          "Each issuer signs with its own did:key (GET /v1/issuers/{id}/did), only once the accreditor recorded it in the " +
          "registry: until then 409 `key-not-registered`, naming the DID and the command that records it.",
        tags: ["learner"],
        params: idParams,
        querystring: credentialQuery,
        response: {
          200: {
            content: {
              [MEDIA_TYPE.json]: { schema: signedCredential },
              [MEDIA_TYPE.jwt]: { schema: { type: "string", description: "compact JWS, `typ: vc+jwt`" } },
              [SD_JWT_VC_MEDIA_TYPE]: {
                schema: {
                  type: "string",
                  description: "SD-JWT (`typ: dc+sd-jwt`): the JWS, then `~`-separated disclosures",
                },
              },
            },
          },
          ...errors(400, 404, 409, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { id } = request.params as { id: string };
      const { format, hide } = request.query as { format: CredentialFormat; hide?: string };
      const bundle = disclosedCopy(await loadBundle(app, id, hideNames(hide)));
      const issuer = await validIssuer(app, bundle);
      const { key, signAt } = await registeredKey(app, issuer.id);
      if (format === "sd-jwt") {
        const status = await sdJwtStatusOf(app, id); // its bit in GET /v1/status-lists/:issuerId/token
        return reply
          .type(SD_JWT_VC_MEDIA_TYPE)
          .send(await issueSdJwtVc(bundle, issuer, key, { now: signAt, ...(status ? { status } : {}) }));
      }
      const credentialStatus = await credentialStatusOf(app, id); // its bit in GET /v1/status-lists/:issuerId
      const doc = toVerifiableCredential(bundle, issuer, {
        format: format === "vc" ? "vc" : "ob3",
        issuerDid: key.did,
        ...(credentialStatus === undefined ? {} : { credentialStatus }),
      });
      const options = { now: signAt };
      if (format === "jwt") return reply.type(MEDIA_TYPE.jwt).send(await signCredentialJwt(doc, key, options));
      return reply.type(MEDIA_TYPE.json).send(JSON.stringify(await signCredential(doc, key, options)));
    },
  );
};

export default standardCredentialRoutes;
