import helmet, { type FastifyHelmetOptions } from "@fastify/helmet";
import Fastify from "fastify";
import fp from "fastify-plugin";

/** A response header as Node keeps it: its name as set, and its value. */
export type HeaderEntry = readonly [name: string, value: number | string | readonly string[]];

/**
 * The headers `@fastify/helmet` sets with `options`, worked out once on a throwaway app. The plugin
 * itself builds helmet's middleware again on every request (parsing the CSP directives each time,
 * ≈ 4% of a bundle GET's profile) for headers that, with static options like ours, never change.
 */
export async function helmetHeaders(options: FastifyHelmetOptions): Promise<HeaderEntry[]> {
  const probe = Fastify({ logger: false });
  let headers: HeaderEntry[] = [];
  await probe.register(helmet, options);
  probe.get("/", (_request, reply) => {
    // Fastify writes its own headers only when it sends: what is on the raw response is helmet's.
    // getRawHeaderNames (Node ≥ 15.13, missing from our @types/node) keeps the names as helmet spelled them.
    const raw = reply.raw as typeof reply.raw & { getRawHeaderNames(): string[] };
    headers = raw.getRawHeaderNames().map((name): HeaderEntry => [name, raw.getHeader(name) ?? ""]);
    return "";
  });
  try {
    await probe.inject({ method: "GET", url: "/" });
  } finally {
    await probe.close();
  }
  return headers;
}

export interface SecurityHeadersOptions {
  /** What `@fastify/helmet` would be registered with (static values only: no nonces, no functions). */
  helmet: FastifyHelmetOptions;
  /** Send HSTS and `upgrade-insecure-requests` on every response, not only on requests that came over https. */
  httpsOnly: boolean;
}

/**
 * helmet's headers on every response, set as `@fastify/helmet` sets them (on the raw response, in
 * an onRequest hook) from a list computed at start-up; then, over https, HSTS and the CSP's
 * `upgrade-insecure-requests` (over plain http, a LAN address, it makes the browser fetch the
 * page's CSS and JS over an https that does not exist).
 */
export default fp<SecurityHeadersOptions>(
  async (app, options) => {
    const headers = await helmetHeaders(options.helmet);
    app.addHook("onRequest", (_request, reply, done) => {
      const raw = reply.raw;
      for (const [name, value] of headers) raw.setHeader(name, value);
      done();
    });
    app.addHook("onSend", (request, reply, payload, done) => {
      if (options.httpsOnly || request.protocol === "https") {
        reply.header("strict-transport-security", "max-age=31536000; includeSubDomains");
        const csp = reply.getHeader("content-security-policy");
        if (typeof csp === "string") reply.header("content-security-policy", `${csp};upgrade-insecure-requests`);
      }
      done(null, payload);
    });
  },
  { name: "credroot-security-headers" },
);
