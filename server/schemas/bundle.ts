import { bundleSchema } from "../../src";

/**
 * The bundle as an HTTP body. The full JSON Schema (`bundleSchema` in src/bundle.ts) is what
 * `parseBundle` enforces; responses use this outline so serialisation stays fast, and the full
 * schema is published in the OpenAPI document's description.
 */
export const bundleBody = {
  type: "object",
  description: `A credroot proof bundle, version 1. Full JSON Schema: ${bundleSchema.$id}`,
  required: ["type", "version", "credential", "proof", "anchor"],
  additionalProperties: true,
  properties: {
    type: { type: "string", const: "credroot/bundle" },
    version: { type: "integer", const: 1 },
    credential: { type: "object", additionalProperties: true },
    proof: { type: "object", additionalProperties: true },
    anchor: { type: "object", additionalProperties: true },
  },
} as const;
