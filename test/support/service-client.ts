import type { FastifyInstance } from "fastify";
import type { Bundle } from "../../src";
import { sampleCredential } from "../../scripts/lib/samples";
import type { BatchRecord } from "../../server/store/types";

/** One request to the service, and its answer (status and parsed JSON body). */
export interface HttpCall {
  method?: "GET" | "POST";
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}
export interface HttpAnswer<T = unknown> {
  status: number;
  body: T;
}
export type Http = <T>(call: HttpCall) => Promise<HttpAnswer<T>>;

/** {@link Http} through `app.inject` (no port). */
export function injectHttp(app: FastifyInstance): Http {
  const send = async (call: HttpCall): Promise<HttpAnswer> => {
    const res = await app.inject({
      method: call.method ?? "GET",
      url: call.url,
      ...(call.headers ? { headers: call.headers } : {}),
      ...(call.body === undefined ? {} : { payload: call.body as object }),
    });
    return { status: res.statusCode, body: res.json() };
  };
  return send as Http; // the caller names the body's type, as with fetch's json()
}

/** {@link Http} over real HTTP to `baseUrl` (a child process); a request unanswered after `timeoutMs` is aborted. */
export function fetchHttp(baseUrl: string, timeoutMs = 15_000): Http {
  const send = async (call: HttpCall): Promise<HttpAnswer> => {
    const res = await fetch(`${baseUrl}${call.url}`, {
      method: call.method ?? "GET",
      headers: { ...(call.body === undefined ? {} : { "content-type": "application/json" }), ...call.headers },
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.json() };
  };
  return send as Http;
}

/** `POST /v1/batches` accepted it. */
export interface AcceptedBatch {
  id: string;
  root: string;
  count: number;
  status: string;
  credentials: { id: string; index: number; leaf: string }[];
}

/** The answer of `POST /v1/verify`: a verdict (200), or `chain-unavailable` (503). */
export interface VerifyAnswer {
  verdict?: string;
  code?: string;
  checks?: { name: string; ok: boolean | null; message: string }[];
}

/**
 * What an issuer, a learner and an employer do with the service, over any {@link Http}:
 * submit a batch, read its status, fetch bundles, verify them.
 */
export class ServiceClient {
  private submitted = 0;

  constructor(
    readonly http: Http,
    private readonly auth: { authorization: string },
  ) {}

  /** Submits `size` sample credentials as one batch; expects 202. */
  async submit(size: number): Promise<AcceptedBatch> {
    const from = this.submitted;
    this.submitted += size;
    const credentials = Array.from({ length: size }, (_, i) => sampleCredential(from + i)); // fresh salts: fresh root
    const res = await this.http<AcceptedBatch>({
      method: "POST",
      url: "/v1/batches",
      headers: this.auth,
      body: { credentials },
    });
    if (res.status !== 202) throw new Error(`POST /v1/batches answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** `GET /v1/batches/:id` (200 expected). */
  async batch(id: string): Promise<BatchRecord> {
    const res = await this.http<BatchRecord>({ url: `/v1/batches/${id}`, headers: this.auth });
    if (res.status !== 200) throw new Error(`GET /v1/batches/${id} answered ${res.status}`);
    return res.body;
  }

  /** `GET /v1/credentials/:id/bundle`: 200 with a bundle, or 409 `not-anchored-yet`. */
  bundle(credentialId: string): Promise<HttpAnswer<Bundle & { code?: string }>> {
    return this.http({ url: `/v1/credentials/${credentialId}/bundle` });
  }

  /** `POST /v1/verify`. */
  verify(bundle: Bundle): Promise<HttpAnswer<VerifyAnswer>> {
    return this.http({ method: "POST", url: "/v1/verify", body: bundle });
  }
}

/** How a request ended: an HTTP answer, a refused or cut connection, no answer in time, or anything else. */
export type Outcome =
  | { kind: "answer"; status: number; body: unknown }
  | { kind: "refused"; code: string }
  | { kind: "hang" }
  | { kind: "other"; message: string };

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CLOSED"]);

/** Sends `call` and says how it ended (never throws): for load that meets a server going down. */
export async function outcomeOf(http: Http, call: HttpCall): Promise<Outcome> {
  try {
    const res = await http(call);
    return { kind: "answer", status: res.status, body: res.body };
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
      return { kind: "hang" };
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    const code = typeof cause?.code === "string" ? cause.code : "";
    if (CONNECTION_CODES.has(code)) return { kind: "refused", code };
    return { kind: "other", message: error instanceof Error ? `${error.message} ${code}` : String(error) };
  }
}
