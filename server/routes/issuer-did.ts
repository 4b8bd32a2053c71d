import { hexlify } from "ethers";
import { isCredrootError } from "../../src";
import { decodeRegistryError } from "../../src/registry-errors";
import { issuerKeyStatus, publicKeyOfDidKey } from "../../src/registry-keys";
import { HttpError, notFound } from "../errors";
import { publicLimit } from "../rate-limits";
import { errors } from "../schemas/common";
import type { RoutePlugin } from "../schemas/types";
import { addKeyCommand } from "../signing-keys";

const didSchema = {
  type: "object",
  required: ["issuerId", "did", "publicKey", "registered", "command"],
  properties: {
    issuerId: { type: "integer" },
    did: { type: "string", description: "the issuer's signing key as a did:key (did:key:z6Mk…)" },
    publicKey: { type: "string", description: "the raw Ed25519 public key the registry records (0x + 64 hex digits)" },
    registered: {
      type: "boolean",
      description: "whether the registry records the key for this issuer, in use, right now",
    },
    command: { type: "string", description: "what the accreditor runs to record it" },
  },
} as const;

/**
 * `GET /v1/issuers/:id/did`: the did:key this service signs issuer `id`'s credentials with (public:
 * the DID and its raw key only), whether the registry records it, and the command that records it.
 */
const issuerDidRoutes: RoutePlugin = (app, _options, done) => {
  app.get(
    "/v1/issuers/:id/did",
    {
      config: { rateLimit: publicLimit(app.config) },
      schema: {
        summary: "The did:key this service signs an issuer's credentials with, and whether the registry records it",
        description:
          "Each issuer signs with its own Ed25519 key, derived from the service's secret. Signed credentials are served " +
          "only once the accreditor has recorded this DID for the issuer in the registry (`command`).",
        tags: ["anyone"],
        params: {
          type: "object",
          required: ["id"],
          properties: { id: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
        },
        response: { 200: didSchema, ...errors(400, 404, 429, 503) },
      },
    },
    async (request) => {
      const { id } = request.params;
      try {
        await app.chain.registry.getIssuer(id);
      } catch (error) {
        if (isCredrootError(error, "CONTRACT_REVERT") && error.revert?.name === "UnknownIssuer")
          throw notFound(`issuer ${id}`);
        throw error;
      }
      const { did } = await app.signingKeys.forIssuer(id);
      const publicKey = hexlify(publicKeyOfDidKey(did));
      let registered: boolean;
      try {
        const reader = { provider: app.chain.provider, registry: app.chain.registryAddress };
        const { key } = await issuerKeyStatus(reader, id, publicKey, new Date());
        registered = key.addedAt !== 0 && key.retiredAt === null && !key.compromised;
      } catch (error) {
        throw new HttpError(
          "chain-unavailable",
          `cannot read issuer ${id}'s keys: ${decodeRegistryError(error).message}`,
        );
      }
      return { issuerId: id, did, publicKey, registered, command: addKeyCommand(id, did) };
    },
  );
  done();
};

export default issuerDidRoutes;
