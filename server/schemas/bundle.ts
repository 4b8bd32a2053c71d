import { bundleSchema } from "../../src";

/**
 * The bundle as an HTTP body (`root` is not required here: a version 1 bundle has none). The full JSON Schema (`bundleSchema` in src/bundle.ts) is what
 * `parseBundle` enforces; bodies and responses use this outline, so that serialisation stays fast
 * and a version 1 bundle reaches `parseBundle`, which answers it with the re-issue message.
 */
export const bundleBody = {
  type: "object",
  description:
    `A credroot proof bundle, version 2. Full JSON Schema: ${bundleSchema.$id}. A full bundle carries ` +
    "`secret`; a disclosed copy carries `salts` and `hidden` instead. Version 1 is refused: have it re-issued.",
  required: ["type", "version", "anchor", "credential", "proof"],
  additionalProperties: true,
  properties: {
    type: { type: "string", const: "credroot/bundle" },
    version: { type: "integer", enum: [1, 2], description: "2 (1 is refused with the re-issue message)" },
    anchor: {
      type: "object",
      additionalProperties: true,
      description: "chainId, registry, issuerId, batchId (a UUID), block: what the credential is bound to",
    },
    credential: { type: "object", additionalProperties: true, description: "The shown values, nested" },
    root: { type: "string", description: "The batch's Merkle root: 32 bytes, base64url" },
    proof: {
      // An object in version 1, which must reach parseBundle to be told to have it re-issued.
      anyOf: [{ type: "string" }, { type: "object" }],
      description: "The Merkle path, leaf to root: 32-byte hashes concatenated, base64url",
    },
  },
} as const;
