import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { SerialisedBundles } from "../../../server/bundles";
import type { BatchRecord } from "../../../server/store/types";
import { sampleCredential } from "../../../scripts/lib/samples";
import { bundlePath, bundleRoot, type Hex32, parseBundle } from "../../../src";
import { type ServiceFixture, startService, waitFor } from "../../support/service";
import {
  type AcceptedBatch,
  AUTH_FAILURES,
  type BatchBody,
  detailPaths,
  expectError,
  failingAuth,
  fetchBundle,
  issueFinalBatch,
  otherIssuerAuth,
  postVerify,
  submitBatch,
  verdictOf,
  type VerificationBody,
} from "../helpers";

/** A 32-byte value hash, base64url. */
const B64_32 = /^[A-Za-z0-9_-]{43}$/;

describe("credential routes", () => {
  let fx: ServiceFixture;
  /** Same chain, no worker: its batches stay pending. */
  let idle: ServiceFixture;
  let other: { authorization: string };
  /** A final batch of three credentials. */
  let final: { accepted: AcceptedBatch; batch: BatchBody };
  let pending: AcceptedBatch;

  beforeAll(async () => {
    fx = await startService();
    idle = await startService({ registry: fx, worker: false });
    other = await otherIssuerAuth(fx);
    final = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(1), sampleCredential(2)]);
    pending = await submitBatch(idle, [sampleCredential(3)]);
  });
  afterAll(async () => {
    await idle.close();
    await fx.close();
  });

  const credentialId = (index: number) => final.accepted.credentials[index]!.id;

  describe("GET /v1/credentials/:id/bundle", () => {
    it("serves, without authentication, a version-2 bundle bound to where its batch was anchored", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${credentialId(0)}/bundle` });
      expect(res.statusCode, res.body).toBe(200);
      const bundle = parseBundle(res.body);
      expect(bundle).toMatchObject({ type: "credroot/bundle", version: 2 });
      expect(bundle.anchor).toEqual({
        chainId: fx.chain.chainId,
        registry: fx.registry.toLowerCase(),
        issuerId: fx.issuerId,
        batchId: final.accepted.id,
        block: final.batch.blockNumber,
      });
      const record = (await fx.store.getCredential(credentialId(0)))!;
      expect(bundle.secret).toBe(record.secret);
      expect(bundle.credential).toEqual(record.credential);
      expect(bundle.credential).toMatchObject({ title: sampleCredential(0).title, issuerCountry: "NL" });
      expect(bundle.credential).not.toHaveProperty("awardingBody");
      expect(bundlePath(bundle)).toEqual(record.proof);
      // No leaf and no transaction hash: the verifier derives the leaf from the values and the anchor.
      expect(bundleRoot(bundle)).toBe(final.accepted.root);
      expect(Object.keys(bundle).sort()).toEqual([
        "anchor",
        "credential",
        "proof",
        "root",
        "secret",
        "type",
        "version",
      ]);
      const result = await postVerify(fx, bundle);
      expect(result.json<VerificationBody & { leaf: string }>()).toMatchObject({
        verdict: "valid",
        leaf: final.accepted.credentials[0]!.leaf,
      });
    });

    it("hides the fields named in ?hide, which then carry only their hash, and still verifies valid", async () => {
      const full = await fetchBundle(fx, credentialId(1));
      const shared = await fetchBundle(fx, credentialId(1), "learner.email,assessment.grade");
      expect(Object.keys(shared.hidden ?? {})).toEqual(["/assessment/grade", "/learner/email"]);
      for (const hash of Object.values(shared.hidden ?? {})) expect(hash).toMatch(B64_32);
      expect(shared.secret).toBeUndefined(); // the secret would open the hidden fields
      expect(shared.salts).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(shared.credential.learner).toEqual({ name: sampleCredential(1).learner.name, identifier: "S100001" });
      expect(shared.proof).toBe(full.proof);
      expect(JSON.stringify(shared)).not.toContain("learner1@example.org");

      const res = await postVerify(fx, shared);
      expect(res.statusCode, res.body).toBe(200);
      const result = res.json<VerificationBody>();
      expect(result.verdict).toBe("valid");
      expect([...result.hidden].sort()).toEqual(["/assessment/grade", "/learner/email"]);
    });

    it("accepts JSON Pointers and a parent name in ?hide", async () => {
      const shared = await fetchBundle(fx, credentialId(1), "/learner");
      expect(Object.keys(shared.hidden ?? {}).sort()).toEqual([
        "/learner/email",
        "/learner/identifier",
        "/learner/name",
      ]);
      expect(shared.credential).not.toHaveProperty("learner");
      expect(await verdictOf(fx, shared)).toBe("valid");
    });

    it("rejects ?hide naming a field the credential does not have with 400", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${credentialId(0)}/bundle?hide=nonexistent` });
      expect(expectError(res, 400, "invalid-argument").message).toContain("/nonexistent");
    });

    it("rejects ?hide naming an identifying field with 400", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${credentialId(0)}/bundle?hide=title` });
      expect(expectError(res, 400, "invalid-argument").message).toContain("/title");
    });

    it("rejects an unknown query parameter with 400", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${credentialId(0)}/bundle?show=all` });
      expectError(res, 400, "invalid-request");
    });

    it("answers 404 not-found for an unknown credential", async () => {
      const res = await fx.app.inject({ url: "/v1/credentials/AAAAAAAAAAAAAAAAAAAAAA/bundle" });
      expectError(res, 404, "not-found");
    });

    it("rejects an id over 64 characters with 400 naming it", async () => {
      const res = await fx.app.inject({ url: `/v1/credentials/${"a".repeat(65)}/bundle` });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual(["/id"]);
    });

    it("answers a bundle of a final batch asked again with the same bytes, reading nothing", async () => {
      const url = `/v1/credentials/${credentialId(1)}/bundle`;
      const first = await fx.app.inject({ url });
      const credentials = vi.spyOn(fx.store, "getCredential");
      const batches = vi.spyOn(fx.store, "getBatch");
      try {
        const again = await fx.app.inject({ url });
        expect(again.statusCode).toBe(200);
        expect(again.body).toBe(first.body);
        expect(again.headers["content-type"]).toBe(first.headers["content-type"]);
        expect(credentials).not.toHaveBeenCalled();
        expect(batches).not.toHaveBeenCalled();
      } finally {
        credentials.mockRestore();
        batches.mockRestore();
      }
    });

    it("reads a final batch once for all its credentials' bundles", async () => {
      expect((await fx.app.inject({ url: `/v1/credentials/${credentialId(0)}/bundle` })).statusCode).toBe(200);
      const credentials = vi.spyOn(fx.store, "getCredential");
      const batches = vi.spyOn(fx.store, "getBatch");
      try {
        const res = await fx.app.inject({ url: `/v1/credentials/${credentialId(2)}/bundle` });
        expect(parseBundle(res.body).anchor.block).toBe(final.batch.blockNumber);
        expect(credentials).toHaveBeenCalledTimes(1);
        expect(batches).not.toHaveBeenCalled();
      } finally {
        credentials.mockRestore();
        batches.mockRestore();
      }
    });

    /**
     * The route's cache on its own, over this fixture's real records of credential 2 and its batch,
     * the batch as `batch` says (set it to move the batch on); `ask()` the bundle's text.
     */
    async function keptBundles(batch: (stored: BatchRecord) => BatchRecord) {
      const credential = (await fx.store.getCredential(credentialId(2)))!;
      const stored = (await fx.store.getBatch(final.accepted.id))!;
      let current = batch(stored);
      const getBatch = vi.fn(() => Promise.resolve(current));
      const getCredential = vi.fn(() => Promise.resolve(credential));
      const app = { chain: fx.app.chain, store: { getBatch, getCredential } } as unknown as FastifyInstance;
      const bundles = new SerialisedBundles();
      const ask = () => bundles.get(app, credential.id, (b) => JSON.stringify(b));
      const move = (next: BatchRecord) => (current = next);
      return { stored, getBatch, getCredential, ask, move };
    }

    it("checks a kept bundle's batch until it is final: another block rebuilds it, not anchored refuses it", async () => {
      const { stored, getBatch, getCredential, ask, move } = await keptBundles((s) => ({ ...s, status: "anchored" }));
      const blockOf = async () => parseBundle(await ask()).anchor.block;

      expect(await blockOf()).toBe(stored.blockNumber);
      expect(await blockOf()).toBe(stored.blockNumber);
      expect(getBatch).toHaveBeenCalledTimes(2); // each ask checks the batch
      expect(getCredential).toHaveBeenCalledTimes(1); // the bundle was kept

      move({ ...stored, status: "anchored", blockNumber: stored.blockNumber! + 1 }); // a reorg moved it
      expect(await blockOf()).toBe(stored.blockNumber! + 1);
      move({ ...stored, status: "pending", blockNumber: null }); // and then out
      await expect(ask()).rejects.toMatchObject({ code: "not-anchored-yet" });

      move({ ...stored }); // anchored again, and final now: read once more, then kept
      expect(await blockOf()).toBe(stored.blockNumber);
      const reads = getBatch.mock.calls.length;
      expect(await blockOf()).toBe(stored.blockNumber);
      expect(getBatch).toHaveBeenCalledTimes(reads);
      expect(getCredential).toHaveBeenCalledTimes(3); // built at first, after the move, after the return
    });

    it("stops checking a kept bundle once its batch is seen final with the same root and block", async () => {
      const { stored, getBatch, getCredential, ask, move } = await keptBundles((s) => ({ ...s, status: "anchored" }));
      const first = await ask(); // anchored: kept, to be checked
      move({ ...stored }); // final, same root and block
      expect(await ask()).toBe(first);
      expect(getBatch).toHaveBeenCalledTimes(2);
      expect(await ask()).toBe(first);
      expect(getBatch).toHaveBeenCalledTimes(2);
      expect(getCredential).toHaveBeenCalledTimes(1);
    });

    it("answers 409 not-anchored-yet while the batch is pending", async () => {
      const res = await idle.app.inject({ url: `/v1/credentials/${pending.credentials[0]!.id}/bundle` });
      expect(expectError(res, 409, "not-anchored-yet").message).toContain("pending");
    });

    it("rate-limits: the 4th request in a minute answers 429 rate-limited with retry-after", async () => {
      const limited = await startService({ registry: fx, worker: false, env: { RATE_LIMIT_PER_MINUTE: "3" } });
      try {
        const url = "/v1/credentials/AAAAAAAAAAAAAAAAAAAAAA/bundle";
        for (let i = 0; i < 3; i++) expect((await limited.app.inject({ url })).statusCode).toBe(404);
        const res = await limited.app.inject({ url });
        expectError(res, 429, "rate-limited");
        expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
        // Issuer routes count per issuer (ISSUER_RATE_LIMIT_PER_MINUTE), apart from the public routes.
        const own = await limited.app.inject({ url: "/v1/batches/nope", headers: limited.auth });
        expect(own.statusCode).toBe(404);
      } finally {
        await limited.close();
      }
    });
  });

  describe("POST /v1/credentials/:id/revoke", () => {
    const revoke = (
      service: ServiceFixture,
      id: string,
      payload: unknown,
      headers: Record<string, string> = service.auth,
    ) =>
      service.app.inject({ method: "POST", url: `/v1/credentials/${id}/revoke`, headers, payload: payload as object });
    const listed = async () => {
      const res = await fx.app.inject({ url: `/v1/batches/${final.accepted.id}/credentials`, headers: fx.auth });
      return res.json<{ credentials: { id: string; revoked: boolean }[] }>().credentials;
    };

    it("revokes one credential on chain: it then verifies revoked and is listed revoked; the others stay valid", async () => {
      const target = credentialId(2);
      const bundle = await fetchBundle(fx, target);
      const res = await revoke(fx, target, { reason: "plagiarism" });
      expect(res.statusCode, res.body).toBe(202);
      expect(res.json()).toEqual({ id: target, status: "revocation-queued" });
      expectError(await revoke(fx, target, { reason: "again" }), 409, "already-requested");

      await waitFor(
        async () => {
          if ((await listed()).find((c) => c.id === target)?.revoked) return true;
          await fx.mine();
          return undefined;
        },
        20_000,
        "the revocation to be mined",
      );
      expect(await listed()).toEqual([
        expect.objectContaining({ id: credentialId(0), revoked: false }),
        expect.objectContaining({ id: credentialId(1), revoked: false }),
        expect.objectContaining({ id: target, revoked: true }),
      ]);
      // On chain by its digest, for this issuer: it stays revoked under every root.
      const { digest } = (await fx.store.getCredential(target))!;
      expect(await fx.issuer.credentialRevokedAt(fx.issuerId, digest as Hex32)).toBeGreaterThan(0);
      const result = (await postVerify(fx, bundle)).json<VerificationBody & { digest: string }>();
      expect(result).toMatchObject({ verdict: "revoked", digest });
      expect(result.checks.find((c) => c.name === "revocation")?.message).toContain("the credential was revoked");
      expect(await verdictOf(fx, await fetchBundle(fx, credentialId(0)))).toBe("valid");
      expectError(await revoke(fx, target, { reason: "a third time" }), 409, "already-revoked");
      // The batch itself is untouched.
      const batch = await fx.app.inject({ url: `/v1/batches/${final.accepted.id}`, headers: fx.auth });
      expect(batch.json<BatchBody>().status).toBe("final");
    });

    it("answers 409 not-anchored-yet while the batch is pending, and queues nothing", async () => {
      const res = await revoke(idle, pending.credentials[0]!.id, { reason: "typo" });
      expectError(res, 409, "not-anchored-yet");
      expect((await idle.store.opsOfBatch(pending.id)).map((op) => op.kind)).toEqual(["anchor"]);
    });

    it("rejects a body without a reason with 400", async () => {
      expectError(await revoke(fx, credentialId(0), {}), 400, "invalid-request");
    });

    it("rejects a reason over 500 characters with 400 naming it", async () => {
      const res = await revoke(fx, credentialId(0), { reason: "x".repeat(501) });
      expect(detailPaths(expectError(res, 400, "invalid-request"))).toEqual(["/reason"]);
    });

    it("rejects an extra property with 400", async () => {
      expectError(await revoke(fx, credentialId(0), { reason: "x", effective: "now" }), 400, "invalid-request");
    });

    it("rejects malformed JSON with 400 invalid-json", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: `/v1/credentials/${credentialId(0)}/revoke`,
        headers: { ...fx.auth, "content-type": "application/json" },
        payload: "{reason:",
      });
      expectError(res, 400, "invalid-json");
    });

    it("rejects an XML body with 415", async () => {
      const res = await fx.app.inject({
        method: "POST",
        url: `/v1/credentials/${credentialId(0)}/revoke`,
        headers: { ...fx.auth, "content-type": "application/xml" },
        payload: "<reason>x</reason>",
      });
      expectError(res, 415, "unsupported-media-type");
    });

    it("answers 403 forbidden to another issuer's key, and queues nothing", async () => {
      expectError(await revoke(fx, credentialId(0), { reason: "x" }, other), 403, "forbidden");
      const ops = await fx.store.opsOfBatch(final.accepted.id);
      expect(ops.filter((op) => op.credentialId === credentialId(0))).toEqual([]);
    });

    it("answers 404 not-found for an unknown credential", async () => {
      expectError(await revoke(fx, "AAAAAAAAAAAAAAAAAAAAAA", { reason: "x" }), 404, "not-found");
    });

    it.each(AUTH_FAILURES)("answers 401 unauthorized to %s", async (failure) => {
      const res = await revoke(fx, credentialId(0), { reason: "x" }, await failingAuth(fx, failure));
      expectError(res, 401, "unauthorized");
      const ops = await fx.store.opsOfBatch(final.accepted.id);
      expect(ops.filter((op) => op.credentialId === credentialId(0))).toEqual([]);
    });
  });
});
