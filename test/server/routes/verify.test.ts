import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../../scripts/lib/samples";
import {
  type Bundle,
  bundleFor,
  type Hex32,
  hex32ToBase64url,
  leafOfDigest,
  newBatchId,
  prepareBatch,
  RegistryClient,
} from "../../../src";
import { type ServiceFixture, startService, waitFor } from "../../support/service";
import {
  type AcceptedBatch,
  closedPort,
  detailPaths,
  expectError,
  fetchBundle,
  issueFinalBatch,
  postVerify,
  rejectingRpc,
  type VerificationBody,
  verdictOf,
} from "../helpers";

const CHECKS = ["registry", "digest", "proof", "anchor", "revocation", "accreditation", "expiry"];
const V1_BUNDLE = readFileSync(join(__dirname, "../../fixtures/bundle-v1.json"), "utf8");
const REISSUE =
  "this is a version 1 credroot bundle, which is not bound to its issuer and is no longer accepted: ask the issuer to re-issue it";

/** What POST /v1/verify answers, with the digest and leaf it computed. */
type Result = VerificationBody & { digest: string | null; leaf: string | null };

/** POSTs `text` as is, as JSON, to `url`. */
const postText = (fx: ServiceFixture, url: string, text: string) =>
  fx.app.inject({ method: "POST", url, headers: { "content-type": "application/json" }, payload: text });

describe("POST /v1/verify", () => {
  let fx: ServiceFixture;
  let accepted: AcceptedBatch;
  let bundle: Bundle;
  let expired: Bundle;
  /** A credential of the batch that its issuer revoked. */
  let revoked: Bundle;
  let revokedDigest: Hex32;
  /** Another accredited issuer (a diploma mill accredited by mistake) and a client of its signer. */
  let mill: { id: number; client: RegistryClient };
  /** A second signer of the fixture's issuer (the service's own key is the worker's alone). */
  let sameIssuer: RegistryClient;

  beforeAll(async () => {
    fx = await startService();
    ({ accepted } = await issueFinalBatch(fx, [
      sampleCredential(0),
      sampleCredential(1, { validUntil: "2021-12-31" }),
      sampleCredential(2),
    ]));
    bundle = await fetchBundle(fx, accepted.credentials[0]!.id);
    expired = await fetchBundle(fx, accepted.credentials[1]!.id);
    revoked = await fetchBundle(fx, accepted.credentials[2]!.id);
    revokedDigest = (await fx.store.getCredential(accepted.credentials[2]!.id))!.digest as Hex32;
    const res = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${accepted.credentials[2]!.id}/revoke`,
      headers: fx.auth,
      payload: { reason: "issued in error" },
    });
    expect(res.statusCode, res.body).toBe(202);
    await waitFor(
      async () => {
        if ((await verdictOf(fx, revoked)) === "revoked") return true;
        await fx.mine();
        return undefined;
      },
      30_000,
      "the revocation",
    );
    const millSigner = await fx.chain.signer(2);
    const { issuerId } = await fx.accreditor.registerIssuer("Diploma Mill", "https://mill.test", millSigner.address);
    mill = { id: issuerId, client: new RegistryClient(fx.registry, millSigner) };
    const second = await fx.chain.signer(4);
    await fx.accreditor.addSigner(fx.issuerId, second.address);
    sameIssuer = new RegistryClient(fx.registry, second);
  });
  afterAll(async () => {
    await fx.close();
  });

  /** A copy of `of` (the valid bundle by default) with `change` applied. */
  const altered = (change: (copy: Bundle) => void, of: Bundle = bundle): Bundle => {
    const copy = structuredClone(of);
    change(copy);
    return copy;
  };

  const verify = async (payload: unknown): Promise<Result> => {
    const res = await postVerify(fx, payload);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Result>();
  };
  const check = (result: Result, name: string) => result.checks.find((c) => c.name === name);

  it("answers valid for a bundle the service issued, with every check passed and the issuer from chain", async () => {
    const result = await verify(bundle);
    expect(result.verdict).toBe("valid");
    expect(result.checks.map((c) => c.name)).toEqual(CHECKS);
    for (const c of result.checks) expect(c.ok, c.message).toBe(true);
    expect(result.credential).toMatchObject({ id: sampleCredential(0).id, title: sampleCredential(0).title });
    expect(result.hidden).toEqual([]);
    expect(result.issuer).toEqual({
      id: fx.issuerId,
      name: "Test University",
      uri: "https://uni.test",
      active: true,
      accreditedUntil: null,
    });
    expect(result.anchoredAt).toBeGreaterThan(0);
    const record = (await fx.store.getCredential(accepted.credentials[0]!.id))!;
    expect(result).toMatchObject({ digest: record.digest, leaf: accepted.credentials[0]!.leaf });
  });

  it("answers tampered when a disclosed value was changed, without asking the chain", async () => {
    const result = await verify(
      altered((b) => {
        (b.credential.learner as { name: string }).name = "Mallory Impostor";
      }),
    );
    expect(result.verdict).toBe("tampered");
    expect(check(result, "proof")?.ok).toBe(false);
    expect(check(result, "anchor")).toBeUndefined();
  });

  it("answers tampered when the proof leads to another root", async () => {
    const result = await verify(
      altered((b) => {
        b.proof = hex32ToBase64url(`0x${"ab".repeat(32)}`);
      }),
    );
    expect(result.verdict).toBe("tampered");
  });

  it("answers tampered when the batch id was changed: the leaf is bound to it", async () => {
    const result = await verify(
      altered((b) => {
        b.anchor.batchId = newBatchId();
      }),
    );
    expect(result.verdict).toBe("tampered");
    expect(check(result, "proof")?.ok).toBe(false);
  });

  it("answers not-anchored for a well-formed bundle of a batch that was never anchored", async () => {
    const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId: newBatchId() };
    const forged = bundleFor(prepareBatch([sampleCredential(7), sampleCredential(8)], context), 0, 1);
    const result = await verify(forged);
    expect(result.verdict).toBe("not-anchored");
    expect(check(result, "proof")?.ok).toBe(true);
    expect(check(result, "anchor")?.ok).toBe(false);
  });

  it("answers expired for a credential past its validUntil", async () => {
    expect((await verify(expired)).verdict).toBe("expired");
  });

  it("answers revoked for a credential its issuer revoked", async () => {
    const result = await verify(revoked);
    expect(result).toMatchObject({ verdict: "revoked", digest: revokedDigest });
  });

  it("answers wrong-chain for a bundle naming another chain id, listing the registries it trusts", async () => {
    const result = await verify(
      altered((b) => {
        b.anchor.chainId = 1;
      }),
    );
    expect(result.verdict).toBe("wrong-chain");
    expect(result.checks[0]).toMatchObject({ name: "registry", ok: false });
    expect(result.checks[0]!.message).toContain(`${fx.registry.toLowerCase()} on chain ${fx.chain.chainId}`);
  });

  it("answers wrong-chain for a bundle naming another registry on this chain", async () => {
    const result = await verify(
      altered((b) => {
        b.anchor.registry = "0x000000000000000000000000000000000000dead";
      }),
    );
    expect(result.verdict).toBe("wrong-chain");
  });

  describe("issue 11: a credential is bound to the issuer and batch that anchored it", () => {
    /** `of` as the holder edits it to point at batch `batchId` of `issuerId`, root `root`, as its only leaf. */
    const moved = (of: Bundle, issuerId: number, batchId: string, root: string) =>
      altered((b) => {
        b.anchor.issuerId = issuerId;
        b.anchor.batchId = batchId;
        b.root = hex32ToBase64url(root as Hex32);
        b.proof = "";
      }, of);

    it.each([
      ["a revoked credential", () => revoked],
      ["a valid credential", () => bundle],
    ])(
      "%s borrowed by another issuer (a one-leaf batch, root = its leaf) does not verify under that issuer",
      async (_what, of) => {
        const victim = await verify(of());
        const batchId = newBatchId();
        await mill.client.anchor(batchId, victim.leaf as Hex32, 1);
        // Named under the mill, the credential's leaf is another: the path no longer leads to the root.
        const result = await verify(moved(of(), mill.id, batchId, victim.leaf!));
        expect(result.verdict).toBe("tampered");
        expect(check(result, "proof")?.ok).toBe(false);
        expect(result.leaf).not.toBe(victim.leaf);
        // With the root its leaf would need, the mill has anchored no such batch.
        const asMill = await verify(moved(of(), mill.id, batchId, result.leaf!));
        expect(asMill.verdict).toBe("not-anchored");
      },
    );

    it("does not verify when the other issuer anchors under the very same batch id and the holder edits anchor.issuerId only", async () => {
      const victim = await verify(revoked);
      await mill.client.anchor(revoked.anchor.batchId, victim.leaf as Hex32, 1);
      const result = await verify(
        altered((b) => {
          b.anchor.issuerId = mill.id;
          b.root = hex32ToBase64url(victim.leaf as Hex32);
          b.proof = "";
        }, revoked),
      );
      expect(result.verdict).toBe("tampered");
      // The original is untouched: the other issuer's batch id is its own.
      expect((await verify(revoked)).verdict).toBe("revoked");
    });

    it("a revoked credential re-anchored by its own issuer under a new root does not verify valid", async () => {
      const victim = await verify(revoked);
      const batchId = newBatchId();
      await sameIssuer.anchor(batchId, victim.leaf as Hex32, 1);
      expect((await verify(moved(revoked, fx.issuerId, batchId, victim.leaf!))).verdict).toBe("tampered");
    });

    it("stays revoked when its own issuer re-commits the same digest in a new batch (revocation follows the digest)", async () => {
      const batchId = newBatchId();
      const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: fx.issuerId, batchId };
      const root = leafOfDigest(context, revokedDigest);
      await sameIssuer.anchor(batchId, root, 1);
      const result = await verify(moved(revoked, fx.issuerId, batchId, root));
      expect(check(result, "proof")?.ok).toBe(true);
      expect(result.verdict).toBe("revoked");
      expect(check(result, "revocation")?.message).toContain("the credential was revoked");
    });

    it("re-committed by another issuer, it can only ever verify as that issuer's: never under the original's name", async () => {
      const batchId = newBatchId();
      const context = { chainId: fx.chain.chainId, registry: fx.registry, issuerId: mill.id, batchId };
      const root = leafOfDigest(context, revokedDigest);
      await mill.client.anchor(batchId, root, 1);
      const result = await verify(moved(revoked, mill.id, batchId, root));
      // As if the mill had issued it: the awarding body the verifier names is the mill.
      expect(result.issuer).toMatchObject({ id: mill.id, name: "Diploma Mill" });
      expect(JSON.stringify(result.issuer)).not.toContain("Test University");
    });

    it("names the awarding body from the registry's record, never from the bundle (which has none)", async () => {
      const harvard = await verify(
        altered((b) => {
          b.credential.awardingBody = { name: "Harvard University", country: "US" };
        }),
      );
      // A field the issuer never committed to changes the leaf: found out offline, and no awarding
      // body is named for it at all.
      expect(harvard.verdict).toBe("tampered");
      expect(harvard.issuer).toBeNull();
      await fx.accreditor.updateIssuer(fx.issuerId, "Universiteit van Voorbeeld", "https://uni.test");
      try {
        const result = await verify(bundle);
        expect(result.verdict).toBe("valid");
        expect(result.issuer).toEqual({
          id: fx.issuerId,
          name: "Universiteit van Voorbeeld",
          uri: "https://uni.test",
          active: true,
          accreditedUntil: null,
        });
      } finally {
        await fx.accreditor.updateIssuer(fx.issuerId, "Test University", "https://uni.test");
      }
    });
  });

  it("refuses a version 1 bundle with 400 invalid-bundle saying to have it re-issued", async () => {
    const body = expectError(await postText(fx, "/v1/verify", V1_BUNDLE), 400, "invalid-bundle");
    expect(body.message).toBe(REISSUE);
    expect(detailPaths(body)).toEqual(["/version"]);
  });

  // Issue 11, point 8: Fastify's JSON parser keeps the last of two equal keys, other readers the first.
  it.each([
    ["the title", '"title":', '"title":"PhD in Everything","title":', "title"],
    ["the issuer id", '"issuerId":', '"issuerId":2,"issuerId":', "issuerId"],
    ["a key spelled with an escape", '"title":', '"\\u0074itle":"PhD in Everything","title":', "title"],
  ])("refuses a bundle with %s twice with 400 invalid-json naming the key", async (_what, find, replace, key) => {
    const text = JSON.stringify(bundle).replace(find, replace);
    expect(JSON.parse(text)).toBeDefined();
    const body = expectError(await postText(fx, "/v1/verify", text), 400, "invalid-json");
    expect(body.message).toBe(`the bundle repeats the key "${key}"`);
  });

  it("refuses a bundle with a lone surrogate with 400 naming where it is", async () => {
    const text = JSON.stringify(bundle).replace('"title":"', '"title":"\\ud800');
    const body = expectError(await postText(fx, "/v1/verify", text), 400, "invalid-json");
    expect(body.message).toBe("the bundle has a lone surrogate (not Unicode text) at /credential/title");
  });

  it("refuses a __proto__ key with 400 invalid-json", async () => {
    const text = JSON.stringify(bundle).replace('"credential":{', '"credential":{"__proto__":{"x":1},');
    expectError(await postText(fx, "/v1/verify", text), 400, "invalid-json");
  });

  it.each([
    ["an object that is no bundle", { hello: "world" }],
    ["an array", [1, 2]],
    ["a bundle of a version to come", { type: "credroot/bundle", version: 3, anchor: {}, credential: {}, proof: "" }],
  ])("rejects %s with 400 invalid-request", async (_what, payload) => {
    expectError(await postVerify(fx, payload), 400, "invalid-request");
  });

  it("rejects a bundle whose proof is malformed with 400 invalid-bundle naming the field", async () => {
    const res = await postVerify(
      fx,
      altered((b) => {
        b.proof = "not base64url!";
      }),
    );
    expect(detailPaths(expectError(res, 400, "invalid-bundle"))).toEqual(["/proof"]);
  });

  it("rejects a bundle with an extra property with 400 naming it, rather than ignoring it", async () => {
    const res = await postVerify(fx, { ...bundle, note: "trust me" });
    expect(detailPaths(expectError(res, 400, "invalid-bundle"))).toEqual(["/note"]);
  });

  it("rejects a disclosed copy that hides an identifying field with 400 invalid-bundle", async () => {
    const shared = await fetchBundle(fx, accepted.credentials[0]!.id, "learner.email");
    const res = await postVerify(
      fx,
      altered((b) => {
        b.hidden = { ...b.hidden, "/validUntil": hex32ToBase64url(`0x${"11".repeat(32)}`) };
      }, shared),
    );
    expect(expectError(res, 400, "invalid-bundle").message).toContain("/validUntil must not be hidden");
  });

  it("rejects malformed JSON with 400 invalid-json", async () => {
    const res = await postText(fx, "/v1/verify", JSON.stringify(bundle).slice(0, -1));
    expect(expectError(res, 400, "invalid-json").message).toMatch(/^the bundle is not JSON/);
  });

  it("rejects an empty body with 400 invalid-json", async () => {
    expectError(await postText(fx, "/v1/verify", ""), 400, "invalid-json");
  });

  it("accepts a bundle after a byte-order mark, as before", async () => {
    const res = await postText(fx, "/v1/verify", `\uFEFF${JSON.stringify(bundle)}`);
    expect(res.json<Result>().verdict).toBe("valid");
  });

  it.each(["application/xml", "text/csv"])("rejects a %s body with 415", async (type) => {
    const res = await fx.app.inject({
      method: "POST",
      url: "/v1/verify",
      headers: { "content-type": type },
      payload: "type,version\ncredroot/bundle,2\n",
    });
    expectError(res, 415, "unsupported-media-type");
  });

  it("rejects a body over 512 KiB with 413 body-too-large", async () => {
    const res = await postVerify(fx, { ...bundle, padding: "x".repeat(513 * 1024) });
    expectError(res, 413, "body-too-large");
  });

  // Regression: the route's own `bodyLimit: 512 * 1024` (server/routes/verify.ts) replaced the
  // operator's BODY_LIMIT instead of capping it.
  it("honours a BODY_LIMIT below its own 512 KiB cap", async () => {
    const small = await startService({ registry: fx, worker: false, env: { BODY_LIMIT: "1024" } });
    try {
      expect(JSON.stringify(bundle).length).toBeGreaterThan(1024);
      expectError(await postVerify(small, bundle), 413, "body-too-large");
    } finally {
      await small.close();
    }
  });

  it("rate-limits: the 4th request in a minute answers 429 rate-limited with retry-after", async () => {
    const limited = await startService({ registry: fx, worker: false, env: { RATE_LIMIT_PER_MINUTE: "3" } });
    try {
      for (let i = 0; i < 3; i++) {
        const res = await postVerify(limited, bundle);
        expect(res.json<VerificationBody>().verdict).toBe("valid");
      }
      const res = await postVerify(limited, bundle);
      expectError(res, 429, "rate-limited");
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it("answers 503 chain-unavailable, never an invalid verdict, when the chain cannot be reached", async () => {
    const down = await startService({
      registry: fx,
      worker: false,
      env: { RPC_URL: `http://127.0.0.1:${await closedPort()}` },
    });
    try {
      const res = await postVerify(down, bundle);
      expect(res.statusCode, res.body).toBe(503);
      const body = res.json<VerificationBody>();
      expect(body).toMatchObject({ code: "chain-unavailable", verdict: "chain-unavailable" });
      expect(body.checks.map((c) => [c.name, c.ok])).toEqual([
        ["registry", true],
        ["digest", true],
        ["proof", true],
        ["anchor", null],
      ]);
      expect(res.body).not.toMatch(/\bat .*\.ts:\d+/);
      // What needs no chain is still found out without it.
      const tampered = altered((b) => {
        b.credential.title = "PhD in Everything";
      });
      expect((await postVerify(down, tampered)).json<VerificationBody>().verdict).toBe("tampered");
      const elsewhere = altered((b) => {
        b.anchor.chainId = 1;
      });
      expect((await postVerify(down, elsewhere)).json<VerificationBody>().verdict).toBe("wrong-chain");
    } finally {
      await down.close();
    }
  });

  // Regression: the 503 message was the provider's error text, which for an HTTP error includes
  // the RPC URL — and RPC URLs usually embed the provider's API key.
  it("does not reveal the RPC URL (and the key it carries) in a 503", async () => {
    const rpc = await rejectingRpc();
    const down = await startService({ registry: fx, worker: false, env: { RPC_URL: rpc.url } });
    try {
      const res = await postVerify(down, bundle);
      expect(res.statusCode).toBe(503);
      expect(res.body).not.toContain(rpc.secret);
    } finally {
      await down.close();
      await rpc.close();
    }
  });
});

describe("POST /v1/verify/presentation", () => {
  let fx: ServiceFixture;
  let course: Bundle;
  let revoked: Bundle;
  let capstone: Bundle;
  const leaves = { course: "", revoked: "", capstone: "" };
  const missing = `0x${"77".repeat(32)}`;

  beforeAll(async () => {
    fx = await startService();
    const first = await issueFinalBatch(fx, [sampleCredential(0), sampleCredential(2)]);
    course = await fetchBundle(fx, first.accepted.credentials[0]!.id);
    revoked = await fetchBundle(fx, first.accepted.credentials[1]!.id);
    leaves.course = first.accepted.credentials[0]!.leaf;
    leaves.revoked = first.accepted.credentials[1]!.leaf;
    const buildsOn = [leaves.course, leaves.revoked, missing];
    const second = await issueFinalBatch(fx, [sampleCredential(3, { stackability: { buildsOn } })]);
    capstone = await fetchBundle(fx, second.accepted.credentials[0]!.id);
    leaves.capstone = second.accepted.credentials[0]!.leaf;
    const res = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${first.accepted.credentials[1]!.id}/revoke`,
      headers: fx.auth,
      payload: { reason: "issued in error" },
    });
    expect(res.statusCode, res.body).toBe(202);
    await waitFor(
      async () => {
        if ((await verdictOf(fx, revoked)) === "revoked") return true;
        await fx.mine();
        return undefined;
      },
      30_000,
      "revocation",
    );
  });
  afterAll(async () => {
    await fx.close();
  });

  const post = (payload: object, query = "") =>
    fx.app.inject({ method: "POST", url: `/v1/verify/presentation${query}`, payload });
  const presentation = (...bundles: unknown[]) => ({ type: "credroot/presentation", version: 2, bundles });

  interface PresentationBody {
    allValid: boolean;
    credentials: (Result & {
      stack: { leaf: string; status: string; valid?: { index: number; title: string } }[];
    })[];
    answers: { question: string; answer: boolean | number; leaves: string[] }[];
  }

  it("reports every credential, named by its registry's issuer, and the stack each builds on", async () => {
    const res = await post(presentation(capstone, course, revoked));
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<PresentationBody>();
    expect(body.allValid).toBe(false);
    expect(body.credentials.map((c) => c.verdict)).toEqual(["valid", "valid", "revoked"]);
    expect(body.credentials.map((c) => c.leaf)).toEqual([leaves.capstone, leaves.course, leaves.revoked]);
    for (const c of body.credentials) expect(c.issuer).toMatchObject({ id: fx.issuerId, name: "Test University" });
    expect(body.credentials[0]!.stack).toEqual([
      { leaf: leaves.course, status: "valid", valid: { index: 1, title: sampleCredential(0).title } },
      { leaf: leaves.revoked, status: "not-valid" },
      { leaf: missing, status: "missing" },
    ]);
    expect(body.answers).toEqual([]);
  });

  it("answers questions from valid credentials only, naming their leaves", async () => {
    const skill = (code: string) => `http://data.europa.eu/esco/skill/${code}`;
    const query = `?skill=${encodeURIComponent(skill("S6.4.0"))}&totalEcts=`;
    const body = (await post(presentation(capstone, course, revoked), query)).json<PresentationBody>();
    expect(body.answers).toEqual([
      // Only the revoked course lists that skill.
      { question: `holds a valid credential with skill ${skill("S6.4.0")}`, answer: false, leaves: [] },
      { question: "total valid ECTS", answer: 8, leaves: [leaves.capstone, leaves.course] },
    ]);
    const eqf = (await post(presentation(capstone, course), "?minEqf=7")).json<PresentationBody>();
    expect(eqf.answers).toEqual([
      { question: "holds a valid credential with EQF level ≥ 7", answer: true, leaves: [leaves.capstone] },
    ]);
  });

  it("finds a tampered credential without trusting the rest, and never shows its title as evidence", async () => {
    const forged = structuredClone(course);
    forged.credential.title = "PhD in Everything";
    const body = (await post(presentation(capstone, forged))).json<PresentationBody>();
    expect(body.credentials.map((c) => c.verdict)).toEqual(["valid", "tampered"]);
    expect(body.credentials[0]!.stack[0]).toEqual({ leaf: leaves.course, status: "missing" });
    expect(JSON.stringify(body.credentials[0]!.stack)).not.toContain("PhD in Everything");
  });

  it("refuses a version 1 presentation, and a v1 bundle in a v2 one, with 400 saying to re-issue", async () => {
    const v1 = JSON.parse(V1_BUNDLE) as object;
    const old = expectError(await post({ ...presentation(v1), version: 1 }), 400, "invalid-bundle");
    expect(old.message).toContain("re-issue");
    const mixed = expectError(await post(presentation(course, v1)), 400, "invalid-bundle");
    expect(mixed.message).toContain("bundle 1 of the presentation is a version 1 bundle");
    expect(mixed.message).toContain("re-issue");
    expect(detailPaths(mixed)).toEqual(["/bundles/1/version"]);
  });

  it("refuses a presentation with a key twice, or a lone surrogate, with 400 invalid-json", async () => {
    const text = JSON.stringify(presentation(course));
    const twice = text.replace('"title":', '"title":"PhD in Everything","title":');
    const dup = expectError(await postText(fx, "/v1/verify/presentation", twice), 400, "invalid-json");
    expect(dup.message).toBe('the presentation repeats the key "title"');
    const lone = text.replace('"title":"', '"title":"\\udc00');
    const bad = expectError(await postText(fx, "/v1/verify/presentation", lone), 400, "invalid-json");
    expect(bad.message).toBe("the presentation has a lone surrogate (not Unicode text) at /bundles/0/credential/title");
  });

  it("answers 400 naming what does not fit: no bundle, a bad bundle, a bad question", async () => {
    expectError(await post(presentation()), 400, "invalid-request");
    const bad = expectError(await post(presentation(course, { type: "credroot/bundle" })), 400, "invalid-request");
    expect(detailPaths(bad).some((p) => p.startsWith("/bundles/1"))).toBe(true);
    expectError(await post(presentation(course), "?minEqf=nine"), 400, "invalid-request");
    expectError(await post(presentation(course), "?colour=blue"), 400, "invalid-request");
  });
});
