/**
 * Types from schemas: a Fastify type provider that gives each handler `request.params`, `.query`,
 * `.headers` and `.body` as the route's own JSON Schemas (`as const`) describe them, through
 * json-schema-to-ts, so that no handler casts them and a schema change shows in the types.
 *
 * Replies are left untyped on purpose: json-schema-to-ts reads an object schema without
 * `additionalProperties: false` as having an index signature, which the library's interfaces
 * (`IssuerRecord`, `Bundle`, `VerificationResult`) do not have, so every such response would need
 * a cast; the serializer (the response schema) still shapes what is sent.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyPluginAsync,
  FastifyPluginCallback,
  FastifyPluginOptions,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { FromSchema, JSONSchema } from "json-schema-to-ts";

/** Request types from the route's JSON Schemas (see the module comment). */
export interface SchemaTypes extends FastifyTypeProvider {
  validator: this["schema"] extends JSONSchema ? FromSchema<this["schema"]> : unknown;
  serializer: unknown;
}

/** The Fastify instance a route plugin gets: its routes' requests typed by {@link SchemaTypes}. */
export type RouteInstance = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  SchemaTypes
>;

/** A route plugin (callback style) whose requests are typed from its schemas. */
export type RoutePlugin<Options extends FastifyPluginOptions = FastifyPluginOptions> = FastifyPluginCallback<
  Options,
  RawServerDefault,
  SchemaTypes
>;

/** A route plugin (async style) whose requests are typed from its schemas. */
export type AsyncRoutePlugin<Options extends FastifyPluginOptions = FastifyPluginOptions> = FastifyPluginAsync<
  Options,
  RawServerDefault,
  SchemaTypes
>;
