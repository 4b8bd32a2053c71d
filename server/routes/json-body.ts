import type { FastifyInstance, FastifyRequest } from "fastify";
import { isCredrootError, parseStrictJson } from "../../src";
import { HttpError } from "../errors";

/** Keys that would reach an object's prototype if a caller merged the body into another object. */
function poisonedKey(value: unknown): string | null {
  const stack = [value];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null) continue;
    if (Object.hasOwn(node, "__proto__")) return "__proto__";
    const ctor: unknown = Object.hasOwn(node, "constructor") ? (node as { constructor: unknown }).constructor : null;
    if (typeof ctor === "object" && ctor !== null && Object.hasOwn(ctor, "prototype")) return "constructor.prototype";
    // One at a time: a batch body may hold a million credentials, too many to spread as arguments.
    for (const child of Object.values(node) as unknown[]) stack.push(child);
  }
  return null;
}

/**
 * Replaces, in this (encapsulated) route plugin only, Fastify's JSON parser with a strict one:
 * `JSON.parse` silently keeps the last of two equal keys while other readers keep the first, so a
 * body with `"title"` twice could be checked as one thing and shown as another. Duplicate keys,
 * lone surrogates (which no canonical form exists for), `__proto__` keys and an empty body are
 * answered 400 `invalid-json` with a message naming the problem.
 * @param what how the messages name the body of a route, by its URL (default "the request body").
 * @param shortcut may answer for the parser with a body it already knows from the same text
 * (`undefined`: parse it); /v1/verify's cache of whole answers uses it (verify-cached.ts).
 */
export function useStrictJson(
  app: FastifyInstance,
  what: (url: string) => string = () => "the request body",
  shortcut?: (request: FastifyRequest, text: string) => unknown,
): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = (body as string).replace(/^\uFEFF/, ""); // as Fastify's own parser does
    const name = what(request.routeOptions.url ?? request.url);
    if (text.length === 0) {
      done(new HttpError("invalid-json", `${name} is empty: send a JSON document`), undefined);
      return;
    }
    const known = shortcut?.(request, text);
    if (known !== undefined) {
      done(null, known);
      return;
    }
    try {
      const value = parseStrictJson(text, "INVALID_ARGUMENT", name);
      const poisoned = poisonedKey(value);
      if (poisoned !== null) throw new HttpError("invalid-json", `${name} has a ${poisoned} key`);
      done(null, value);
    } catch (error) {
      if (isCredrootError(error)) done(new HttpError("invalid-json", error.message), undefined);
      else done(error as Error, undefined);
    }
  });
}
