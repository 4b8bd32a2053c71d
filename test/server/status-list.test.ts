import { decodeList } from "@digitalbazaar/vc-bitstring-status-list";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import { batchIdToBytes16, type Hex32 } from "../../src";
import { CredentialRegistry__factory } from "../../src/contracts";
import { sleep } from "../../src/timeout";
import { type TestDatabase, testDatabase } from "../support/db";
import { recordIssuerKey } from "../support/issuer-key";
import { type ServiceFixture, startService } from "../support/service";
import { fetchFrom, revokedBit } from "../src/standard/status-list-third-party";
import { dccVerify, digitalbazaarVerify } from "../src/standard/third-party";
import { fromVerifiableCredential } from "../../src/export";
import { expectError, issueFinalBatch, verdictOf } from "./helpers";

const SEED = "6b".repeat(32);
/** The service's block poll (WORKER_INTERVAL_MS): a revocation must show in the list within one. */
const POLL_MS = 300;

type Signed = Record<string, unknown> & {
  issuer: { id: string };
  credentialStatus: { id: string; statusListIndex: string; statusListCredential: string };
};
type ListCredential = { issuer: string; credentialSubject: { encodedList: string } };

describe("GET /v1/status-lists/:issuerId and the credentials' status entries", () => {
  let fx: ServiceFixture;
  let db: TestDatabase;
  let origin: string;
  let did: string;
  const batches: { id: string; credentials: string[] }[] = [];

  beforeAll(async () => {
    db = await testDatabase();
    const env = { ISSUER_SIGNING_KEY: SEED, WORKER_INTERVAL_MS: String(POLL_MS) };
    fx = await startService({ env, store: db.open() });
    await fx.app.listen({ host: "127.0.0.1", port: 0 });
    const address = fx.app.server.address() as { port: number };
    origin = `http://127.0.0.1:${address.port}`;
    did = await recordIssuerKey(fx);
    for (const range of [
      [0, 1, 2],
      [3, 4],
      [5, 6],
    ]) {
      const { accepted } = await issueFinalBatch(
        fx,
        range.map((i) => sampleCredential(i)),
      );
      batches.push({ id: accepted.id, credentials: accepted.credentials.map((c) => c.id) });
    }
  }, 120_000);
  afterAll(async () => {
    await fx.close();
    await db.dispose();
  });

  const fetchList = () => fetchFrom(origin);
  /** A signed credential as a wallet gets it, over HTTP from the running service. */
  const credential = async (id: string, format = "ob3"): Promise<Signed> => {
    const res = await fetch(`${origin}/v1/credentials/${id}/credential?format=${format}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as Signed;
  };
  const contract = () => CredentialRegistry__factory.connect(fx.registry, fx.issuerSigner);
  const digestOf = async (id: string) => (await fx.store.getCredential(id))!.digest as Hex32;
  /** What @digitalbazaar/vc says with the Bitstring Status List library as its status check. */
  const vcWithStatus = (doc: Signed) =>
    digitalbazaarVerify(doc, undefined, async () => ({ verified: !(await revokedBit(doc, fetchList())) }));

  it("gives every signed form an entry in the issuer's list, unique per issuer, from 0", async () => {
    const docs = await Promise.all(batches.flatMap((b) => b.credentials).map((id) => credential(id)));
    const url = `${origin}/v1/status-lists/${fx.issuerId}`;
    expect(docs.map((d) => d.credentialStatus.statusListIndex)).toEqual(["0", "1", "2", "3", "4", "5", "6"]);
    expect(docs[2]!.credentialStatus).toEqual({
      id: `${url}#2`,
      type: "BitstringStatusListEntry",
      statusPurpose: "revocation",
      statusListIndex: "2",
      statusListCredential: url,
    });
    const vc = await credential(batches[0]!.credentials[2]!, "vc");
    expect(vc.credentialStatus).toEqual(docs[2]!.credentialStatus);
    const jwt = await (
      await fetch(`${origin}/v1/credentials/${batches[0]!.credentials[2]!}/credential?format=jwt`)
    ).text();
    const payload = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString()) as Signed;
    expect(payload.credentialStatus).toEqual(docs[2]!.credentialStatus);
  });

  it("serves a list signed by the credentials' issuer that @digitalbazaar/vc verifies, nothing revoked", async () => {
    const res = await fetch(`${origin}/v1/status-lists/${fx.issuerId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/ld\+json/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=30");
    const list = (await res.json()) as ListCredential;
    expect(list.issuer).toBe(did);
    const verified = await digitalbazaarVerify(list);
    expect(verified.verified, verified.error?.message).toBe(true);
    expect((await dccVerify(list)).verified).toBe(true);
    const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
    expect(bits.length).toBe(131_072);
    expect(Array.from({ length: 7 }, (_, i) => bits.getStatus(i))).toEqual(Array(7).fill(false));
    const doc = await credential(batches[0]!.credentials[0]!);
    expect(await revokedBit(doc, fetchList())).toBe(false);
    expect((await vcWithStatus(doc)).verified).toBe(true);
  });

  it("answers 304 to the same ETag and application/vc when asked for it", async () => {
    const first = await fx.app.inject({
      url: `/v1/status-lists/${fx.issuerId}`,
      headers: { accept: "application/vc" },
    });
    expect(first.headers["content-type"]).toMatch(/^application\/vc/);
    const etag = first.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await fx.app.inject({ url: `/v1/status-lists/${fx.issuerId}`, headers: { "if-none-match": etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe("");
  });

  it("flips a credential's bit within one poll of a revocation sent straight to the contract", async () => {
    const [id] = batches[0]!.credentials;
    const doc = await credential(id!);
    await (await contract().revokeCredential(await digestOf(id!), "issued in error")).wait();
    await sleep(POLL_MS);
    expect(await revokedBit(doc, fetchList())).toBe(true);
    const result = await vcWithStatus(doc);
    expect(result.verified).toBe(false);
    // credroot's own verifier reads the revocation from the chain, not from the list.
    expect(await verdictOf(fx, fromVerifiableCredential(doc))).toBe("revoked");
    // Only its own bit: the next credential of the batch stays unrevoked.
    expect(await revokedBit(await credential(batches[0]!.credentials[1]!), fetchList())).toBe(false);
    // The service no longer signs it, and the list it signed still verifies.
    expect((await fetch(`${origin}/v1/credentials/${id}/credential`)).status).toBe(409);
    const list = await fetchList()(doc.credentialStatus.statusListCredential);
    expect((await digitalbazaarVerify(list)).verified).toBe(true);
  });

  it("flips every index of a batch revoked on chain, and no other", async () => {
    const docs = await Promise.all(
      [...batches[1]!.credentials, ...batches[2]!.credentials].map((id) => credential(id)),
    );
    await (await contract().revokeBatch(batchIdToBytes16(batches[1]!.id), "course withdrawn")).wait();
    await sleep(POLL_MS);
    const bits = await Promise.all(docs.map((doc) => revokedBit(doc, fetchList())));
    expect(bits).toEqual([true, true, false, false]);
  });

  it("keeps the indexes across a restart on the same database, and reads the revocations again", async () => {
    const before = await credential(batches[2]!.credentials[1]!);
    // A new instance on the same database: what a restart finds.
    const restarted = await startService({
      registry: fx,
      store: db.open(),
      worker: false,
      env: { ISSUER_SIGNING_KEY: SEED },
    });
    try {
      const entry = await restarted.store.getStatusEntry(batches[2]!.credentials[1]!);
      expect(entry).toEqual({ issuerId: fx.issuerId, index: Number(before.credentialStatus.statusListIndex) });
      const res = await restarted.app.inject({ url: `/v1/status-lists/${fx.issuerId}` });
      expect(res.statusCode, res.body).toBe(200);
      const list = res.json<ListCredential>();
      const bits = await decodeList({ encodedList: list.credentialSubject.encodedList });
      expect(Array.from({ length: 7 }, (_, i) => bits.getStatus(i))).toEqual([
        true,
        false,
        false,
        true,
        true,
        false,
        false,
      ]);
    } finally {
      await restarted.app.close();
    }
  });

  it("answers 404 for an issuer id that is not one, or not this service's", async () => {
    for (const bad of ["abc", "-1", "01", "1.5", "99", "99999999999999999999"]) {
      expectError(await fx.app.inject({ url: `/v1/status-lists/${bad}` }), 404, "not-found");
    }
  });

  it("flips the credentials anchored at or after an accreditation withdrawal's start, and no earlier ones", async () => {
    const last = batches[2]!;
    const record = await fx.store.getBatch(last.id);
    const { anchoredAt } = await fx.issuer.getBatch(fx.issuerId, last.id, record!.root as Hex32);
    await fx.accreditor.withdrawAccreditation(fx.issuerId, anchoredAt, "audit failed");
    await sleep(POLL_MS);
    const res = await fx.app.inject({ url: `/v1/status-lists/${fx.issuerId}` });
    const bits = await decodeList({ encodedList: res.json<ListCredential>().credentialSubject.encodedList });
    expect(Array.from({ length: 7 }, (_, i) => bits.getStatus(i))).toEqual([
      true,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
  });
});
