import type { FastifyError } from "fastify";
import {
  API_ERRORS,
  type ApiErrorCode,
  askQuestions,
  MAX_BUNDLE_TEXT,
  MAX_PRESENTATION_BUNDLES,
  MAX_PRESENTATION_TEXT,
  type Verdict,
  VERDICTS,
  verifyBundleOnce,
  verifyPresentation,
} from "../../src";
import { errorBody, HttpError } from "../errors";
import { publicLimit } from "../rate-limits";
import { bundleBody } from "../schemas/bundle";
import { errors, hex32 } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";
import { useStrictJson } from "./json-body";
import { cachedVerify } from "./verify-cached";
import { signedVerdictProperties, useStandardBodies, verifySignedHook } from "./verify-standard";

const verificationSchema = {
  type: "object",
  required: ["verdict", "checks", "credential", "hidden", "issuer", "anchoredAt"],
  properties: {
    verdict: { type: "string", enum: VERDICTS },
    checks: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "ok", "message"],
        properties: { name: { type: "string" }, ok: { type: ["boolean", "null"] }, message: { type: "string" } },
      },
    },
    credential: {
      type: "object",
      additionalProperties: true,
      description: "The disclosed values, as the bundle says: trust them only when the verdict is valid",
    },
    hidden: { type: "array", items: { type: "string" } },
    issuer: {
      type: ["object", "null"],
      description:
        "The awarding body: the issuer the credential is bound to, as the registry records it (never a name from the bundle)",
      properties: {
        id: { type: "integer" },
        name: { type: "string" },
        uri: { type: "string" },
        active: { type: "boolean" },
        accreditedUntil: { type: ["integer", "null"] },
      },
    },
    anchoredAt: { type: ["integer", "null"], description: "Seconds since the epoch, from the chain" },
    digest: { type: ["string", "null"], pattern: hex32.pattern },
    leaf: { type: ["string", "null"], pattern: hex32.pattern },
    ...signedVerdictProperties,
  },
} as const;

/** The code (and the verdict) of a verification the chain could not answer. */
const UNAVAILABLE = "chain-unavailable" satisfies ApiErrorCode & Verdict;

/** 503: the error body, with the verdict and the checks that were made (never an invalid verdict). */
const unavailableSchema = {
  type: "object",
  required: ["code", "message", "verdict", "checks"],
  properties: {
    code: { type: "string", const: UNAVAILABLE },
    message: { type: "string" },
    details: { type: "array", maxItems: 0 },
    verdict: { type: "string", const: UNAVAILABLE },
    checks: verificationSchema.properties.checks,
  },
} as const;

const presentationBody = {
  type: "object",
  description:
    `A credroot presentation, version 2: up to ${MAX_PRESENTATION_BUNDLES} bundles. ` +
    "Each bundle is checked against the full bundle schema; a bad one is named by its index. " +
    "A version 1 presentation is refused with a message saying to have its bundles re-issued.",
  required: ["type", "version", "bundles"],
  additionalProperties: false,
  properties: {
    type: { type: "string", const: "credroot/presentation" },
    version: { type: "integer", enum: [1, 2], description: "2 (1 is refused with the re-issue message)" },
    bundles: { type: "array", minItems: 1, maxItems: MAX_PRESENTATION_BUNDLES, items: bundleBody },
  },
} as const;

const questionsQuery = {
  type: "object",
  additionalProperties: false,
  properties: {
    skill: {
      type: "string",
      minLength: 1,
      maxLength: 512,
      description: "holds a valid credential listing this skill?",
    },
    minEqf: { type: "integer", minimum: 1, maximum: 8, description: "… at this EQF level or above?" },
    totalEcts: {
      type: "string",
      maxLength: 512,
      description: "total ECTS of the valid credentials whose title contains it or whose skills list it ('' = all)",
    },
  },
} as const;

const presentationResultSchema = {
  type: "object",
  required: ["allValid", "credentials", "answers", "warnings"],
  properties: {
    allValid: { type: "boolean" },
    warnings: {
      type: "array",
      description:
        "What the answers do not say: `different-learners` when the valid credentials name different learners",
      items: {
        type: "object",
        required: ["code", "message"],
        properties: { code: { type: "string", enum: ["different-learners"] }, message: { type: "string" } },
      },
    },
    credentials: {
      type: "array",
      items: {
        ...verificationSchema,
        required: [...verificationSchema.required, "leaf", "stack"],
        properties: {
          ...verificationSchema.properties,
          stack: {
            type: "array",
            items: {
              type: "object",
              required: ["leaf", "status"],
              properties: {
                leaf: hex32,
                status: { type: "string", enum: ["valid", "missing", "not-valid"] },
                valid: {
                  type: "object",
                  description:
                    "The bundle of the presentation that verified valid with this leaf (never a tampered copy)",
                  required: ["index", "title"],
                  properties: { index: { type: "integer" }, title: { type: "string" } },
                },
              },
            },
          },
        },
      },
    },
    answers: {
      type: "array",
      items: {
        type: "object",
        required: ["question", "answer", "leaves"],
        properties: {
          question: { type: "string" },
          answer: { type: ["boolean", "number"] },
          leaves: { type: "array", items: { type: "string" }, description: "the credentials behind the answer" },
        },
      },
    },
  },
} as const;

/**
 * Body limits in bytes, sized to what each route can legitimately receive (never more than BODY_LIMIT): one bundle
 * ({@link MAX_BUNDLE_TEXT}), or a presentation of up to {@link MAX_PRESENTATION_BUNDLES} real bundles
 * ({@link MAX_PRESENTATION_TEXT}). An unauthenticated caller cannot make the service parse more.
 */
export const VERIFY_BODY_LIMIT = MAX_BUNDLE_TEXT;
export const PRESENTATION_BODY_LIMIT = MAX_PRESENTATION_TEXT;

const verifyRoutes: RoutePlugin = (app, _options, done) => {
  const what = (url: string) => (url.endsWith("/presentation") ? "the presentation" : "the bundle");
  const cached = cachedVerify(app, "/v1/verify");
  useStrictJson(app, what, cached?.shortcut);
  useStandardBodies(app); // signed credentials and baked badges (verify-standard.ts)
  // 413 naming the route's own limit, rather than Fastify's bare "Request body is too large".
  const parent = app.errorHandler;
  app.setErrorHandler(function (error: FastifyError, request, reply) {
    const limit = request.routeOptions.bodyLimit;
    const name = what(request.routeOptions.url ?? request.url);
    const tooLarge = new HttpError("body-too-large", `${name} is larger than this route accepts (${limit} bytes)`);
    parent.call(this, error.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? tooLarge : error, request, reply);
  });
  app.post(
    "/v1/verify",
    {
      bodyLimit: Math.min(app.config.bodyLimit, VERIFY_BODY_LIMIT),
      config: { rateLimit: publicLimit(app.config) },
      // A cached answer first (verify-cached.ts), then a signed credential or badge (verify-standard.ts).
      preValidation: [...(cached ? [cached.preValidation] : []), verifySignedHook(app)],
      ...(cached && { onSend: cached.onSend }),
      schema: {
        summary: "Verify a proof bundle against the chain (trustless: never this server's database)",
        description:
          "Computes the verdict from the bundle and one eth_call to the registry it names, if that registry is trusted. " +
          "Works for bundles this server never issued. 503 `chain-unavailable` when the chain cannot be asked — never an invalid verdict. " +
          "`issuer` is the awarding body, as the registry records it. JSON with a key twice or a lone surrogate is refused (400 `invalid-json`); " +
          "a version 1 bundle is refused (400 `invalid-bundle`) with a message saying to have it re-issued.",
        tags: ["employer"],
        body: bundleBody,
        response: { 200: verificationSchema, 503: unavailableSchema, ...errors(400, 413, 415, 429) },
      },
    },
    async (request, reply) => {
      const verify = () => verifyBundleOnce(request.body, app.chain.trusted);
      const result = await (cached ? cached.verify(request, verify) : verify().then((at) => at(Date.now())));
      if (result.verdict === "chain-unavailable") {
        const why = result.checks.at(-1)?.message ?? "the chain could not be asked";
        const body = { ...errorBody(UNAVAILABLE, why), verdict: result.verdict, checks: result.checks };
        return reply.status(API_ERRORS[UNAVAILABLE].status).send(body);
      }
      return result;
    },
  );

  app.post(
    "/v1/verify/presentation",
    {
      bodyLimit: Math.min(app.config.bodyLimit, PRESENTATION_BODY_LIMIT),
      config: { rateLimit: publicLimit(app.config) },
      schema: {
        summary: "Verify a presentation of several bundles, and answer questions of it (trustless)",
        description:
          "Checks every bundle as POST /v1/verify does, with one eth_call (verifyMany) per trusted registry for the lot, " +
          "and reports, for each credential, whether the credentials it builds on (/stackability/buildsOn) are shown " +
          "and valid. Questions count valid credentials only, each once: ?skill=…&minEqf=… (holds a valid credential " +
          "with …?) and ?totalEcts=field (sum of /workload/ects). A chain that cannot be asked makes its credentials " +
          "`chain-unavailable`, never invalid.",
        tags: ["employer"],
        body: presentationBody,
        querystring: questionsQuery,
        response: { 200: presentationResultSchema, ...errors(400, 413, 415, 429) },
      },
    },
    async (request) => {
      const result = await verifyPresentation(request.body, { chains: app.chain.trusted });
      const answers = askQuestions(result, request.query).map(({ question, answer, credentials }) => ({
        question,
        answer,
        leaves: credentials.map((c) => c.leaf),
      }));
      return { ...result, answers };
    },
  );
  done();
};

export default verifyRoutes;
