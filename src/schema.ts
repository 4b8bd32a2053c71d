import Ajv, { type Options, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";

export { describeDetails, schemaErrors } from "./schema-errors";

/** Options of the library's Ajv: `allErrors` so that a user sees every bad field at once. */
export const AJV_OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true };

/**
 * The one Ajv instance of the library: all JSON Schemas (credential, bundle) compile here. The
 * web page's build replaces this module with validators compiled ahead of time (Ajv compiles to
 * code with `new Function`, which the page's Content-Security-Policy forbids).
 */
const ajv = new Ajv(AJV_OPTIONS);
addFormats(ajv);

/** Every schema compiled so far, in order: what the web build compiles ahead of time. */
export const compiledSchemas: { $id: string }[] = [];

/** Compiles `schema` once and returns its validator. */
export function compileSchema<T>(schema: { $id: string }): ValidateFunction<T> {
  compiledSchemas.push(schema);
  return ajv.compile<T>(schema);
}
