import crypto, { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LightMyRequestResponse } from "fastify";
import { afterAll, beforeAll, describe, expect, it, type MockInstance, vi } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { parseApiKey, secretMatches } from "../../server/keys";
import { openStore } from "../../server/store";
import { newBatchId } from "../../src";
import { ALL_OP_STATUSES, AUTH_FAILURES, bearer, expectError, failingAuth, issueFinalBatch } from "../server/helpers";
import { type ServiceFixture, startService } from "../support/service";

/**
 * Issue 6, item 10: issuer authentication on every issuer route — bad keys are refused, a key acts
 * only on its own issuer's batches, keys are compared in constant time and stored as digests only.
 */

const OTHER_ISSUER = 99;

/** A batch as the routes address it: its id and the id of one of its credentials. */
interface Target {
  batchId: string;
  credentialId: string;
}

interface Route {
  name: string;
  method: "GET" | "POST";
  url(target: Target): string;
  payload?: object;
  /** Its status when the key's issuer owns the target. */
  ownStatus: number;
}

const ROUTES: Route[] = [
  {
    name: "POST /v1/batches",
    method: "POST",
    url: () => "/v1/batches",
    payload: { credentials: [sampleCredential(40)] },
    ownStatus: 202,
  },
  { name: "GET /v1/batches/:id", method: "GET", url: (t) => `/v1/batches/${t.batchId}`, ownStatus: 200 },
  {
    name: "GET /v1/batches/:id/credentials",
    method: "GET",
    url: (t) => `/v1/batches/${t.batchId}/credentials`,
    ownStatus: 200,
  },
  {
    name: "POST /v1/batches/:id/revoke",
    method: "POST",
    url: (t) => `/v1/batches/${t.batchId}/revoke`,
    payload: { reason: "auth test" },
    ownStatus: 202,
  },
  {
    name: "POST /v1/credentials/:id/revoke",
    method: "POST",
    url: (t) => `/v1/credentials/${t.credentialId}/revoke`,
    payload: { reason: "auth test" },
    ownStatus: 202,
  },
];
const BY_ID = ROUTES.filter((r) => r.name !== "POST /v1/batches");

/** Header values that are not a valid credroot key, beyond the shared AUTH_FAILURES. */
function malformedHeaders(key: string): string[] {
  const { id, secret } = parseApiKey(key)!;
  return [
    `Bearer  ${key}`,
    key,
    // (A trailing space is not in the list: HTTP strips it from a header value, so that is the key.)
    `Bearer ${key}x`,
    `Bearer ${key.slice(0, -1)}`,
    `Bearer crk_${id}_${secret.slice(0, 42)}=`,
    `Bearer crk_${id.slice(0, 15)}é_${secret}`,
    `Bearer ${"A".repeat(8_000)}`,
    "Bearer",
    "Bearer ",
    "",
  ];
}

describe("issuer authentication", () => {
  let dir: string;
  let fx: ServiceFixture;
  /** A final batch of the fixture's issuer (1). */
  let own: Target;
  /** A batch of issuer 99 (in the database only), marked anchored so that only ownership stops a revocation. */
  let foreign: Target;
  let otherKey: string;

  /** Every row the routes could change: ops and the two batches. */
  const snapshot = async () => ({
    ops: (await fx.store.listOps(ALL_OP_STATUSES, 100_000)).map((op) => [op.id, op.kind, op.status]),
    own: await fx.store.getBatch(own.batchId),
    foreign: await fx.store.getBatch(foreign.batchId),
  });

  const send = (route: Route, target: Target, headers: Record<string, string>): Promise<LightMyRequestResponse> =>
    fx.app.inject({
      method: route.method,
      url: route.url(target),
      headers,
      ...(route.payload ? { payload: route.payload } : {}),
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "credroot-auth-"));
    fx = await startService({ store: openStore(join(dir, "auth.db")) });
    await fx.store.upsertIssuer({ id: OTHER_ISSUER, name: "Another Institute" });
    otherKey = await fx.newApiKey(OTHER_ISSUER);
    const final = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1)]);
    own = { batchId: final.accepted.id, credentialId: final.accepted.credentials[0]!.id };
    const stored = await fx.store.insertBatch(
      {
        id: newBatchId(),
        issuerId: OTHER_ISSUER,
        root: `0x${"99".repeat(32)}`,
        count: 1,
        uri: "",
        // Not the service's signer: its worker leaves this batch alone.
        signer: "0x000000000000000000000000000000000000dEaD",
      },
      [
        {
          id: "foreign-credential",
          index: 0,
          leaf: `0x${"98".repeat(32)}`,
          digest: `0x${"97".repeat(32)}`,
          secret: "AAAAAAAAAAAAAAAAAAAAAA",
          credential: sampleCredential(41) as unknown as Record<string, unknown>,
          proof: [],
        },
      ],
    );
    await fx.store.setBatchStatus(stored.id, "anchored");
    foreign = { batchId: stored.id, credentialId: "foreign-credential" };
  });

  afterAll(async () => {
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe("refuses bad keys with 401 on every issuer route, changing nothing", () => {
    it.each(ROUTES.map((r) => [r.name, r] as const))("%s", async (_name, route) => {
      const before = await snapshot();
      for (const failure of AUTH_FAILURES) {
        const res = await send(route, own, await failingAuth(fx, failure));
        expectError(res, 401, "unauthorized");
      }
      for (const header of malformedHeaders(fx.apiKey)) {
        expectError(await send(route, own, { authorization: header }), 401, "unauthorized");
      }
      // Another issuer's key id with this issuer's secret, and the reverse.
      const [mine, theirs] = [parseApiKey(fx.apiKey)!, parseApiKey(otherKey)!];
      for (const key of [`crk_${theirs.id}_${mine.secret}`, `crk_${mine.id}_${theirs.secret}`]) {
        expectError(await send(route, own, bearer(key)), 401, "unauthorized");
      }
      expect(await snapshot()).toEqual(before);
    });

    it("says the same thing for an unknown key id as for a wrong secret, so ids cannot be probed", async () => {
      const messages = await Promise.all(
        (["a wrong secret", "an unknown key id"] as const).map(async (failure) => {
          const res = await send(BY_ID[0]!, own, await failingAuth(fx, failure));
          return expectError(res, 401, "unauthorized").message;
        }),
      );
      expect(messages[0]).toBe(messages[1]);
    });
  });

  describe("lets a key act only on its own issuer's batches", () => {
    it.each(BY_ID.map((r) => [r.name, r] as const))(
      "%s: 403 for the other issuer's batch in both directions, changing nothing",
      async (_name, route) => {
        const before = await snapshot();
        expectError(await send(route, foreign, fx.auth), 403, "forbidden");
        expectError(await send(route, own, bearer(otherKey)), 403, "forbidden");
        expect(await snapshot()).toEqual(before);
      },
    );

    it("POST /v1/batches: 403 for an issuer whose signer the service does not hold, storing nothing", async () => {
      const before = await snapshot();
      expectError(await send(ROUTES[0]!, own, bearer(otherKey)), 403, "forbidden");
      expect(await snapshot()).toEqual(before);
    });

    it("GET routes: each issuer reads its own batch (the 403s are not a blanket refusal)", async () => {
      for (const route of BY_ID.filter((r) => r.method === "GET")) {
        expect((await send(route, own, fx.auth)).statusCode).toBe(200);
        expect((await send(route, foreign, bearer(otherKey))).statusCode).toBe(200);
      }
    });

    it("takes the Bearer scheme in any case (RFC 9110: the scheme is case-insensitive)", async () => {
      for (const scheme of ["bearer", "BEARER", "bEaReR"]) {
        for (const route of BY_ID.filter((r) => r.method === "GET")) {
          expect((await send(route, own, { authorization: `${scheme} ${fx.apiKey}` })).statusCode).toBe(200);
        }
      }
    });

    it("every issuer route answers its own issuer's key with success", async () => {
      // Last: it submits a batch and queues revocations.
      for (const route of ROUTES) {
        const res = await send(route, own, fx.auth);
        expect(res.statusCode, `${route.name}: ${res.body}`).toBe(route.ownStatus);
      }
    });
  });
});

describe("API key comparison and storage", () => {
  let dir: string;
  let fx: ServiceFixture;
  let spy: MockInstance<typeof crypto.timingSafeEqual>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "credroot-keys-"));
    fx = await startService({ worker: false, store: openStore(join(dir, "keys.db")) });
    // server/keys.ts imports timingSafeEqual by name from node:crypto; spying on the CommonJS
    // module object and syncing the ESM exports makes that binding call the spy.
    spy = vi.spyOn(crypto, "timingSafeEqual");
    syncBuiltinESMExports();
  });

  afterAll(async () => {
    spy.mockRestore();
    syncBuiltinESMExports();
    await fx.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest();

  /** The timingSafeEqual calls made while authenticating with `headers`, and the status. */
  async function comparisons(headers: Record<string, string>): Promise<{ status: number; calls: [Buffer, Buffer][] }> {
    spy.mockClear();
    const res = await fx.app.inject({ url: "/v1/batches/none", headers });
    const calls = spy.mock.calls.map(
      ([a, b]) => [Buffer.from(a as Uint8Array), Buffer.from(b as Uint8Array)] as [Buffer, Buffer],
    );
    return { status: res.statusCode, calls };
  }

  it("compares a wrong secret for a known id and any secret for an unknown id alike: one 32-byte comparison", async () => {
    const known = parseApiKey(fx.apiKey)!;
    const record = (await fx.store.getApiKey(known.id))!;
    const wrong = (await failingAuth(fx, "a wrong secret")).authorization!;
    const unknown = (await failingAuth(fx, "an unknown key id")).authorization!;

    const forWrong = await comparisons({ authorization: wrong });
    const forUnknown = await comparisons({ authorization: unknown });
    for (const { status, calls } of [forWrong, forUnknown]) {
      expect(status).toBe(401);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.map((b) => b.length)).toEqual([32, 32]);
    }
    // Each compares the digest of the presented secret: with the stored digest for a known id,
    // with an all-zero digest for an unknown one (no early return on a missing record).
    expect(forWrong.calls[0]).toEqual([sha256(parseApiKey(wrong.slice(7))!.secret), record.digest]);
    expect(forUnknown.calls[0]).toEqual([sha256(parseApiKey(unknown.slice(7))!.secret), Buffer.alloc(32)]);
  });

  it("makes that one comparison for the right key and for a revoked key too", async () => {
    const right = await comparisons(fx.auth);
    expect(right.status).toBe(404); // authenticated; the batch does not exist
    const revoked = await comparisons(await failingAuth(fx, "a revoked key"));
    expect(revoked.status).toBe(401);
    for (const { calls } of [right, revoked]) expect(calls.map((c) => c.map((b) => b.length))).toEqual([[32, 32]]);
  });

  it("makes no comparison (and no lookup) for a header that is not shaped like a key", async () => {
    for (const header of ["Bearer nonsense", `Basic ${fx.apiKey}`]) {
      const { status, calls } = await comparisons({ authorization: header });
      expect(status).toBe(401);
      expect(calls).toEqual([]);
    }
  });

  it("secretMatches: one 32-byte comparison for a real digest and for the all-zero one", () => {
    const { secret } = parseApiKey(fx.apiKey)!;
    for (const digest of [sha256(secret), sha256("other"), Buffer.alloc(32)]) {
      spy.mockClear();
      secretMatches(secret, digest);
      expect(spy.mock.calls.map(([a, b]) => [a.byteLength, b.byteLength])).toEqual([[32, 32]]);
    }
  });

  it("stores keys only as SHA-256 digests: neither the record nor the database files hold a secret", async () => {
    const keys = [fx.apiKey, await fx.newApiKey(fx.issuerId), await fx.newApiKey(fx.issuerId)];
    await fx.store.revokeApiKey(parseApiKey(keys[2]!)!.id);
    const files = readdirSync(dir).map((name) => readFileSync(join(dir, name)));
    const database = Buffer.concat(files);
    for (const key of keys) {
      const { id, secret } = parseApiKey(key)!;
      const record = (await fx.store.getApiKey(id))!;
      expect(record.digest).toEqual(sha256(secret));
      for (const value of Object.values(record)) {
        const text = Buffer.isBuffer(value) ? value.toString("latin1") : String(value);
        expect(text).not.toContain(secret);
      }
      expect(database.indexOf(secret), `secret of ${id} in the database files`).toBe(-1);
      expect(database.indexOf(key)).toBe(-1);
      // The scan does see the database: the id and the digest are there.
      expect(database.indexOf(id)).toBeGreaterThanOrEqual(0);
      expect(database.indexOf(record.digest)).toBeGreaterThanOrEqual(0);
    }
  });
});
