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
import { cacheable, SIGNED_TTL_MS, signedCache } from "../signed-cache";
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
 * `bundle` (credential `id`'s, as the holder shows it) signed in `format` by its issuer's recorded key,
 * once it verifies on chain now.
 * @throws HttpError 409 `not-valid`, 409 `key-not-registered`, 503 `chain-unavailable`.
 */
async function signedAs(app: FastifyInstance, id: string, format: CredentialFormat, bundle: Bundle): Promise<string> {
  const issuer = await validIssuer(app, bundle);
  const { key, signAt } = await registeredKey(app, issuer.id);
  if (format === "sd-jwt") {
    const status = await sdJwtStatusOf(app, id); // its bit in GET /v1/status-lists/:issuerId/token
    return issueSdJwtVc(bundle, issuer, key, { now: signAt, ...(status ? { status } : {}) });
  }
  const credentialStatus = await credentialStatusOf(app, id); // its bit in GET /v1/status-lists/:issuerId
  const doc = toVerifiableCredential(bundle, issuer, {
    format: format === "vc" ? "vc" : "ob3",
    issuerDid: key.did,
    ...(credentialStatus === undefined ? {} : { credentialStatus }),
  });
  const options = { now: signAt };
  if (format === "jwt") return signCredentialJwt(doc, key, options);
  return JSON.stringify(await signCredential(doc, key, options));
}

/**
 * `GET /v1/credentials/:id/credential`: the credential as a signed standard document, with the fields
 * the holder hides (`hide=`, as for the bundle) left out of both the claims and the embedded bundle;
 * and `GET /contexts/credroot-v1.jsonld`, the context its credroot terms are defined in. Each issuer
 * signs with its own key (server/signing-keys.ts), only once the registry records it for the issuer
 * (else 409 `key-not-registered`), and only a credential that verifies on chain at that moment.
 */
// eslint-disable-next-line @typescript-eslint/require-await -- a Fastify plugin: routes and the cache set up synchronously
const standardCredentialRoutes: FastifyPluginAsync = async (app) => {
  const cache = signedCache(app); // signed answers at unchanged blocks (signed-cache.ts)
  const inflight = new Map<string, Promise<string>>();
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
      const type = format === "sd-jwt" ? SD_JWT_VC_MEDIA_TYPE : format === "jwt" ? MEDIA_TYPE.jwt : MEDIA_TYPE.json;
      const cacheKey = `${format}\n${id}\n${hide ?? ""}`;
      const hit = cache?.get(cacheKey);
      if (hit !== undefined) return reply.type(type).send(hit);
      const epoch = cache?.current() ?? null; // the blocks the answer is computed at
      // Equal requests at the same blocks share one signing (a badge on a busy page is asked at once).
      const running = epoch === null ? undefined : inflight.get(`${epoch}\n${cacheKey}`);
      if (running) return reply.type(type).send(await running);
      const signing = (async () => {
        const bundle = disclosedCopy(await loadBundle(app, id, hideNames(hide)));
        const body = await signedAs(app, id, format, bundle);
        if (cache && cacheable(bundle)) cache.set(cacheKey, epoch, body, Date.now() + SIGNED_TTL_MS);
        return body;
      })();
      if (epoch === null) return reply.type(type).send(await signing);
      const shared = `${epoch}\n${cacheKey}`;
      inflight.set(shared, signing);
      let body: string;
      try {
        body = await signing;
      } finally {
        if (inflight.get(shared) === signing) inflight.delete(shared);
      }
      return reply.type(type).send(body);
    },
  );
};

export default standardCredentialRoutes;
