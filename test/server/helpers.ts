import { createServer as createHttpServer } from "node:http";
import { type AddressInfo } from "node:net";
import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import { generateApiKey, parseApiKey } from "../../server/keys";
import type { OpStatus } from "../../server/store/types";
import type { Bundle, Credential } from "../../src";
import { type ServiceFixture, waitFor } from "../support/service";
import { closedPort } from "../../harness/net";
export { closedPort };

/** One entry of an error body's `details`. */
export interface ErrorDetailBody {
  path: string;
  message: string;
  row?: number;
  line?: number;
}

/** Every error the service sends. */
export interface ErrorBody {
  code: string;
  message: string;
  details: ErrorDetailBody[];
}

/** The 202 answer to `POST /v1/batches`. */
export interface AcceptedBatch {
  id: string;
  root: string;
  count: number;
  status: string;
  credentials: { id: string; index: number; leaf: string }[];
}

/** `GET /v1/batches/:id`. */
export interface BatchBody {
  id: string;
  issuerId: number;
  root: string;
  count: number;
  uri: string;
  status: string;
  txHash: string | null;
  blockNumber: number | null;
  error: string | null;
  revokedReason: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `POST /v1/verify` (200, or the 503 `chain-unavailable` body, which has no `credential`). */
export interface VerificationBody {
  code?: string;
  message?: string;
  verdict: string;
  checks: { name: string; ok: boolean | null; message: string }[];
  credential: Record<string, unknown>;
  hidden: string[];
  /** The awarding body: the issuer as the registry records it (never a name from the bundle). */
  issuer: { id: number; name: string; uri: string; active: boolean; accreditedUntil: number | null } | null;
  anchoredAt: number | null;
  /** The credential's digest and leaf as computed from the bundle (format v2). */
  digest?: string | null;
  leaf?: string | null;
}

/** Statuses a batch may show on its way to being final. */
export const ANCHORING_STATUSES = ["pending", "submitted", "anchored", "final"];

export const ALL_OP_STATUSES: readonly OpStatus[] = ["queued", "signed", "sent", "mined", "final", "failed"];

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/**
 * Asserts that `res` is an error of this status and code in the service's one error shape, and
 * returns its body for further checks.
 */
export function expectError(res: LightMyRequestResponse, status: number, code: string): ErrorBody {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json<ErrorBody>();
  expect(body.code, res.body).toBe(code);
  expect(typeof body.message).toBe("string");
  expect(Array.isArray(body.details), res.body).toBe(true);
  return body;
}

/** The paths of an error's details, in order. */
export const detailPaths = (body: ErrorBody): string[] => body.details.map((d) => d.path);

/** Ways of presenting the wrong credentials to an issuer route. */
export const AUTH_FAILURES = [
  "no Authorization header",
  "another scheme than Bearer",
  "a malformed key",
  "a wrong secret",
  "an unknown key id",
  "a revoked key",
] as const;
export type AuthFailure = (typeof AUTH_FAILURES)[number];

/** The headers of `failure` for the fixture's issuer (a revoked key is made and revoked on the spot). */
export async function failingAuth(fx: ServiceFixture, failure: AuthFailure): Promise<Record<string, string>> {
  switch (failure) {
    case "no Authorization header":
      return {};
    case "another scheme than Bearer":
      return { authorization: `Basic ${fx.apiKey}` };
    case "a malformed key":
      return bearer("crk_tooshort_secret");
    case "a wrong secret": {
      const { id, secret } = parseApiKey(fx.apiKey)!;
      const other = secret.startsWith("A") ? "B".repeat(43) : "A".repeat(43);
      return bearer(`crk_${id}_${other}`);
    }
    case "an unknown key id":
      return bearer(generateApiKey().key);
    case "a revoked key": {
      const key = await fx.newApiKey(fx.issuerId);
      await fx.store.revokeApiKey(parseApiKey(key)!.id);
      return bearer(key);
    }
  }
}

/** Headers of an API key of issuer 99, which exists in the service's database but not on chain. */
export async function otherIssuerAuth(fx: ServiceFixture): Promise<{ authorization: string }> {
  await fx.store.upsertIssuer({ id: 99, name: "Another Institute" });
  return bearer(await fx.newApiKey(99));
}

/** Submits a JSON batch as the fixture's issuer and expects it accepted. */
export async function submitBatch(
  fx: ServiceFixture,
  credentials: readonly Credential[],
  extra: { uri?: string } = {},
): Promise<AcceptedBatch> {
  const res = await fx.app.inject({
    method: "POST",
    url: "/v1/batches",
    headers: fx.auth,
    payload: { credentials, ...extra },
  });
  expect(res.statusCode, res.body).toBe(202);
  return res.json<AcceptedBatch>();
}

/**
 * Polls `GET /v1/batches/:id`, mining a block between polls, until the batch reaches one of
 * `until`; returns it and every status seen on the way, in order.
 */
export async function waitForBatch(
  fx: ServiceFixture,
  id: string,
  until: readonly string[] = ["final"],
): Promise<{ batch: BatchBody; seen: string[] }> {
  const seen: string[] = [];
  const batch = await waitFor(
    async () => {
      const res = await fx.app.inject({ url: `/v1/batches/${id}`, headers: fx.auth });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json<BatchBody>();
      if (seen.at(-1) !== body.status) seen.push(body.status);
      if (until.includes(body.status)) return body;
      await fx.mine();
      return undefined;
    },
    20_000,
    `batch ${id} to become ${until.join(" or ")}`,
  );
  return { batch, seen };
}

/** Submits a batch and waits until it is final. */
export async function issueFinalBatch(
  fx: ServiceFixture,
  credentials: readonly Credential[],
): Promise<{ accepted: AcceptedBatch; batch: BatchBody }> {
  const accepted = await submitBatch(fx, credentials);
  const { batch } = await waitForBatch(fx, accepted.id);
  return { accepted, batch };
}

/** `GET /v1/credentials/:id/bundle`, expecting 200. */
export async function fetchBundle(fx: ServiceFixture, credentialId: string, hide?: string): Promise<Bundle> {
  const query = hide === undefined ? "" : `?hide=${encodeURIComponent(hide)}`;
  const res = await fx.app.inject({ url: `/v1/credentials/${credentialId}/bundle${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json<Bundle>();
}

/** `POST /v1/verify`. */
export function postVerify(fx: ServiceFixture, payload: unknown): Promise<LightMyRequestResponse> {
  return fx.app.inject({ method: "POST", url: "/v1/verify", payload: payload as object });
}

/** The verdict `POST /v1/verify` gives (expecting 200). */
export async function verdictOf(fx: ServiceFixture, bundle: unknown): Promise<string> {
  const res = await postVerify(fx, bundle);
  expect(res.statusCode, res.body).toBe(200);
  return res.json<VerificationBody>().verdict;
}

/**
 * An HTTP endpoint that answers every request with 401, as an RPC provider does for a bad project
 * key. `url` carries a secret in its path, as provider URLs do.
 */
export async function rejectingRpc(): Promise<{ url: string; secret: string; close(): Promise<void> }> {
  const secret = "SECRET-PROJECT-KEY-0123456789";
  const server = createHttpServer((_request, response) => {
    response.statusCode = 401;
    response.end("invalid project id");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v3/${secret}`,
    secret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
