import Ajv from "ajv";
import addFormats from "ajv-formats";
import standaloneCode from "ajv/dist/standalone";
import type { Plugin } from "esbuild";
import { resolve } from "node:path";
import "../../src"; // loads every module of the library, so that each has compiled its schemas
import { AJV_OPTIONS, compiledSchemas } from "../../src/schema";

const SRC = resolve(__dirname, "../../src");
const ROOT = resolve(__dirname, "../..");

/** CommonJS module exporting one validator per schema the library compiles (`v0`, `v1`, …). */
function standaloneValidators(): string {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  addFormats(ajv);
  const schemas = [...new Map(compiledSchemas.map((s) => [s.$id, s])).values()];
  for (const schema of schemas) ajv.addSchema(schema);
  return standaloneCode(ajv, Object.fromEntries(schemas.map((s, i) => [`v${i}`, s.$id])));
}

/** ES module standing in for src/schema.ts in the browser: `compileSchema` looks up a precompiled validator. */
function schemaModule(): string {
  const ids = [...new Set(compiledSchemas.map((s) => s.$id))];
  return `import * as validators from "credroot:validators";
export { describeDetails, schemaErrors } from "./schema-errors";
const byId = { ${ids.map((id, i) => `${JSON.stringify(id)}: validators.v${i}`).join(", ")} };
export function compileSchema(schema) {
  const validate = byId[schema.$id];
  if (!validate) throw new Error("no validator was compiled ahead of time for " + schema.$id);
  return validate;
}
`;
}

/**
 * esbuild plugin: the library's schemas are compiled to code at build time (Ajv standalone), so the
 * page needs no `eval` and its Content-Security-Policy can forbid it; Ajv itself stays out of the bundle.
 */
export const precompiledSchemas: Plugin = {
  name: "credroot-precompiled-schemas",
  setup(build) {
    build.onResolve({ filter: /^\.\/schema$/ }, (args) =>
      resolve(args.resolveDir) === SRC ? { path: "schema", namespace: "credroot" } : undefined,
    );
    build.onResolve({ filter: /^credroot:validators$/ }, () => ({ path: "validators", namespace: "credroot" }));
    build.onLoad({ filter: /^schema$/, namespace: "credroot" }, () => ({
      contents: schemaModule(),
      resolveDir: SRC,
      loader: "js",
    }));
    build.onLoad({ filter: /^validators$/, namespace: "credroot" }, () => ({
      contents: standaloneValidators(),
      resolveDir: ROOT,
      loader: "js",
    }));
  },
};
