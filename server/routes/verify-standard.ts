import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { API_ERRORS, CredrootError, isCredrootError } from "../../src";
import { detect, type Detected } from "../../src/standard/detect";
import { isSignedInput, type SignedInput, verifyAny } from "../../src/standard/verify-any";
import { errorBody } from "../errors";

/**
 * What `POST /v1/verify` reads besides a bundle in JSON: a signed Open Badges 3.0 / VC credential
 * (JSON with an `@context`), a VC-JOSE JWT or an SD-JWT VC (`text/plain`), and a badge with a
 * credential baked in (`image/png`, `image/svg+xml`). The route's body limit applies to each.
 */
export const STANDARD_MEDIA_TYPES = ["text/plain", "image/png", "image/svg+xml"] as const;

/** A body that is a signed standard credential, as its content-type parser read it (never a bundle). */
class SignedBody {
  constructor(readonly input: SignedInput) {}
}

/** The kinds each media type may carry: a PNG body must be a PNG, and so on. */
const KINDS_OF: Record<(typeof STANDARD_MEDIA_TYPES)[number], readonly Detected["kind"][]> = {
  "text/plain": ["jwt", "sd-jwt", "vc-json"],
  "image/png": ["png"],
  "image/svg+xml": ["svg"],
};

function signedBody(type: (typeof STANDARD_MEDIA_TYPES)[number], body: Uint8Array | string): SignedBody {
  const detected = detect(body);
  if (!KINDS_OF[type].includes(detected.kind) || !isSignedInput(detected)) {
    const hint = detected.kind === "bundle" || detected.kind === "presentation" ? "; send it as application/json" : "";
    throw new CredrootError(
      "NOT_A_CREDENTIAL",
      `a ${type} body must be ${KINDS_OF[type].join(" or ")}, and this is a ${detected.kind}${hint}`,
    );
  }
  return new SignedBody(detected);
}

/**
 * Adds, in the verify routes' (encapsulated) plugin, parsers for the media types signed credentials
 * come in. Each reads strictly (UTF-8 text must be well formed; a PNG is read as bytes) and answers
 * 400 `not-a-credential` for a body that is not of its kind.
 */
export function useStandardBodies(app: FastifyInstance): void {
  app.addContentTypeParser("text/plain", { parseAs: "buffer" }, (_request, body, done) => {
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(body as Buffer);
      done(null, signedBody("text/plain", text));
    } catch (error) {
      done(
        error instanceof TypeError
          ? new CredrootError("NOT_A_CREDENTIAL", "the body is not UTF-8 text")
          : (error as Error),
      );
    }
  });
  app.addContentTypeParser("image/svg+xml", { parseAs: "buffer" }, (_request, body, done) => {
    try {
      const text = new TextDecoder("utf-8", { fatal: true }).decode(body as Buffer);
      done(null, signedBody("image/svg+xml", text));
    } catch (error) {
      done(
        error instanceof TypeError
          ? new CredrootError("NOT_A_CREDENTIAL", "the SVG is not UTF-8 text")
          : (error as Error),
      );
    }
  });
  app.addContentTypeParser("image/png", { parseAs: "buffer" }, (_request, body, done) => {
    try {
      done(null, signedBody("image/png", new Uint8Array(body as Buffer)));
    } catch (error) {
      done(error as Error);
    }
  });
}

/** The signed input of a request, or null for a credroot bundle (which the route's own schema judges). */
function signedInputOf(body: unknown): SignedInput | null {
  if (body instanceof SignedBody) return body.input;
  // A JSON object with an `@context` is a W3C credential, never a bundle: detect says which, or why not.
  if (typeof body === "object" && body !== null && !Array.isArray(body) && Object.hasOwn(body, "@context")) {
    const detected = detect(JSON.stringify(body));
    if (isSignedInput(detected)) return detected;
  }
  return null;
}

/** Properties a signed credential's verdict adds to the bundle's (`verificationSchema` spreads them). */
export const signedVerdictProperties = {
  kind: { type: "string", enum: ["vc-json", "jwt", "sd-jwt", "png", "svg"], description: "what was verified" },
  valid: { type: "boolean", description: "signed credentials: true only when every check passed" },
  format: { type: "string", enum: ["data-integrity", "jwt", "sd-jwt"], description: "how the credential was secured" },
  signer: { type: ["string", "null"], description: "the did:key whose signature verified" },
  signedAt: { type: ["string", "null"], description: "when the proof says it was made (ISO 8601)" },
} as const;

/**
 * `preValidation` hook of `POST /v1/verify`: a signed credential (any of its forms) is verified here
 * and answered at once, with the verdict and checks of the bundle inside plus `signature` and
 * `issuer-key`; a bundle goes on to the route's schema and handler as before. As for a bundle, a
 * chain that cannot be asked is 503 `chain-unavailable`, never an invalid verdict.
 */
export function verifySignedHook(app: FastifyInstance) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const input = signedInputOf(request.body);
    if (input === null) return undefined;
    let result;
    try {
      result = await verifyAny(input, { chains: app.chain.trusted });
    } catch (error) {
      // A credential that is not one of credroot's (no bundle inside) is not a credential credroot checks.
      if (isCredrootError(error, "INVALID_BUNDLE")) {
        throw new CredrootError("NOT_A_CREDENTIAL", `not a credential credroot issued: ${error.message}`);
      }
      throw error;
    }
    if (result.verdict === "chain-unavailable") {
      const why = result.checks.find((c) => c.ok === null)?.message ?? "the chain could not be asked";
      const body = { ...errorBody("chain-unavailable", why), verdict: result.verdict, checks: result.checks };
      return reply.status(API_ERRORS["chain-unavailable"].status).send(body);
    }
    return reply.send(result);
  };
}
