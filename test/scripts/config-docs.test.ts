import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema } from "../../server/config";
import { CONFIG_DOCS, configTable, type EnvSchema, renderConfigDocs } from "../../scripts/gen-config-docs";

const page = () => readFileSync(CONFIG_DOCS, "utf8");

describe("docs/configuration.md", () => {
  it("is what `npm run docs:config` generates from server/config.ts's schema (no drift)", async () => {
    const current = page();
    expect(await renderConfigDocs(current), "docs/configuration.md is out of date: run `npm run docs:config`").toBe(
      current,
    );
  });

  it("names every variable the service reads, with its description", () => {
    const current = page();
    for (const [name, property] of Object.entries(configSchema.properties)) {
      expect(current).toContain(`| \`${name}\``);
      expect(current).toContain(property.description);
    }
  });
});

describe("configTable", () => {
  const schema: EnvSchema = {
    required: ["RPC_URL"],
    properties: {
      RPC_URL: { type: "string", pattern: "^https?://", description: "the chain" },
      FINALITY: { type: "string", pattern: "^(finalized|[1-9])$", default: "finalized", description: "when final" },
      LOG_LEVEL: { type: "string", enum: ["info", "debug"], default: "info", description: "how much" },
      PORT: { type: "integer", minimum: 0, maximum: 65535, default: 3000, description: "where" },
    },
  };

  it("gives each variable its type, default (or required), allowed values and description", () => {
    const rows = configTable(schema).split("\n");
    expect(rows[0]).toBe("| variable | type | default | allowed values | description |");
    expect(rows.slice(2)).toEqual([
      "| `RPC_URL` | string | required | matches `^https?://` | the chain |",
      // A pipe inside a cell would split it: escaped, as GitHub's tables need even in code spans.
      "| `FINALITY` | string | `finalized` | matches `^(finalized\\|[1-9])$` | when final |",
      "| `LOG_LEVEL` | string | `info` | `info`, `debug` | how much |",
      "| `PORT` | integer | `3000` | 0 to 65535 | where |",
    ]);
  });

  it("refuses a variable without a description, so none is documented by omission", () => {
    const bare: EnvSchema = { required: [], properties: { NEW_THING: { type: "string" } } };
    expect(() => configTable(bare)).toThrow("NEW_THING has no description in server/config-schema.ts");
  });

  it("makes the page differ when the schema gains a variable, so the drift test can fail", async () => {
    const grown: EnvSchema = {
      ...configSchema,
      properties: { ...configSchema.properties, NEW_THING: { type: "string", description: "a new variable" } },
    };
    const current = page();
    const next = await renderConfigDocs(current, grown);
    expect(next).not.toBe(current);
    expect(next).toContain("`NEW_THING`");
  });

  it("refuses a page without its markers", async () => {
    await expect(renderConfigDocs("# Configuration\n")).rejects.toThrow("config:start");
  });
});
