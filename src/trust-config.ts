import { CredrootError } from "./errors";
import { compileSchema, describeDetails, schemaErrors } from "./schema";

/** One chain a verifier trusts: its registries and the JSON-RPC URL to ask (null: not known yet). */
export interface TrustConfigChain {
  chainId: number;
  registries: string[];
  rpcUrl: string | null;
  /**
   * True for a chain that starts empty at each start (`npm start`'s embedded chain): a verifier
   * then says that a credential not on it may come from an earlier run.
   */
  ephemeral?: boolean;
}

/**
 * What a verifier that is not given code trusts, e.g. the web verifier page: the service serves it
 * at `GET /config.json`, and `npm run build:web` writes it beside a static copy of the page.
 */
export interface TrustConfig {
  chains: TrustConfigChain[];
}

/** JSON Schema (draft-07) of {@link TrustConfig}. */
export const trustConfigSchema = {
  $id: "https://credroot.dev/schemas/trust-config-v1.json",
  type: "object",
  additionalProperties: false,
  required: ["chains"],
  properties: {
    chains: {
      type: "array",
      minItems: 1,
      maxItems: 32,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["chainId", "registries", "rpcUrl"],
        properties: {
          chainId: { type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
          registries: {
            type: "array",
            minItems: 1,
            maxItems: 32,
            items: { type: "string", pattern: "^0x[0-9a-fA-F]{40}$" },
          },
          rpcUrl: { type: ["string", "null"], pattern: "^https?://", maxLength: 2048 },
          ephemeral: { type: "boolean", description: "the chain starts empty at each start (npm start)" },
        },
      },
    },
  },
} as const;

const validate = compileSchema<TrustConfig>(trustConfigSchema);

/**
 * Checks that `input` is a {@link TrustConfig}.
 * @throws CredrootError `INVALID_ARGUMENT` naming what does not fit (`/chains/0/rpcUrl …`).
 * @example
 * const trust = parseTrustConfig(await (await fetch("config.json")).json());
 */
export function parseTrustConfig(input: unknown): TrustConfig {
  if (validate(input)) return input;
  const details = schemaErrors(validate.errors);
  throw new CredrootError("INVALID_ARGUMENT", `invalid trust configuration: ${describeDetails(details)}`, { details });
}
