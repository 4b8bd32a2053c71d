import type { Log, TransactionResponse } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import type { CredentialRecord } from "../../server/store/types";
import {
  type AnchorContext,
  batchIdToBytes16,
  commitCredential,
  type Credential,
  credentialRegistryInterface,
  fixedBase64url,
  flatten,
  type Hex32,
  type JsonValue,
  keccak256,
  parseCredential,
  saltOf,
  utf8Bytes,
  valueHash,
} from "../../src";
import { type AcceptedBatch, issueFinalBatch, waitForBatch } from "../server/helpers";
import { type ServiceFixture, startService, waitFor } from "../support/service";

/**
 * Issue 6, item 11 (format v2): after a full issuance and revocation flow through the service, no
 * credential value, secret, salt, value hash or leaf is anywhere on chain — not in any
 * transaction's calldata, not in any log — and no digest but that of the credential revoked by
 * `revokeCredential(digest)`; only batch ids, roots, counts, reasons and issuer records. A leaf
 * cannot be recomputed from a credential without its secret.
 */

const REASON_CREDENTIAL = "issued in error";
const REASON_BATCH = "exam session annulled";

/** A credential whose every value is distinctive, so that finding it anywhere is no coincidence. */
function distinctive(i: number, batch: string): Credential {
  const tag = `${batch}${String(i).padStart(3, "0")}`;
  return sampleCredential(i, {
    id: `urn:uuid:7a1c0de0-0000-4000-8000-${batch.toLowerCase()}${i.toString(16).padStart(11, "0")}`,
    title: `Quantum Basket Weaving ${tag}`,
    description: `A course on weaving baskets under superposition, cohort ${tag}`,
    learner: {
      name: `Zyxwvut Qorpelmann-${tag}`,
      identifier: `PRIV-ID-${tag}-7731`,
      email: `canary.${tag.toLowerCase()}@privacy-probe.example`,
      dateOfBirth: `19${70 + (i % 30)}-0${1 + (i % 9)}-1${i % 10}`,
    },
    issuerCountry: "LU",
    issuedOn: "2026-03-17",
    learningOutcomes: [`Weave a basket in state ${tag}`, `Collapse it on observation ${tag}`],
    workload: { ects: 7.25 + i / 100, hours: 1913 + i },
    eqfLevel: 7,
    nqfLevel: `LU-NQF ${tag}`,
    assessment: { type: `Oral defence ${tag}`, grade: `Grade ${tag}`, identityCheck: "onsite-supervised" },
    participation: "blended",
    qualityAssurance: `Peer review by the Basket Board ${tag}`,
    prerequisites: [`Intro to Wicker ${tag}`],
    stackability: { countsTowards: `MSc Applied Wicker ${tag}` },
    validUntil: "2033-11-05",
    skills: [`http://data.europa.eu/esco/skill/PRIV-${tag}`],
    evidenceUrl: `https://evidence.example/${tag}`,
  });
}

/** Every string and number in a JSON value, depth first. */
function scalars(value: JsonValue | undefined): (string | number)[] {
  if (typeof value === "string" || typeof value === "number") return [value];
  if (Array.isArray(value)) return value.flatMap(scalars);
  if (value && typeof value === "object") return Object.values(value).flatMap(scalars);
  return [];
}

const hexOf = (text: string) => Buffer.from(utf8Bytes(text)).toString("hex");
const bare = (hex: string) => hex.toLowerCase().replace(/^0x/, "");
const hexOfBytes = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const secretOf = (record: CredentialRecord) => fixedBase64url(record.secret, 16, "secret");
const valuesOf = (record: CredentialRecord) => flatten(record.credential as { [key: string]: JsonValue });

describe("privacy: nothing personal reaches the chain", () => {
  let fx: ServiceFixture;
  const inputs = {
    A: Array.from({ length: 50 }, (_, i) => distinctive(i, "A")),
    B: Array.from({ length: 5 }, (_, i) => distinctive(i, "B")),
  };
  let batches: { A: AcceptedBatch; B: AcceptedBatch };
  let records: CredentialRecord[];
  /** The credential of A revoked by itself (its digest goes on chain), and its index. */
  const REVOKED = 17;
  let transactions: TransactionResponse[];
  let logs: Log[];

  beforeAll(async () => {
    fx = await startService();
    batches = {
      A: (await issueFinalBatch(fx, inputs.A)).accepted,
      B: (await issueFinalBatch(fx, inputs.B)).accepted,
    };
    // Revoke one credential of A and the whole of B, through the service, and wait for both.
    const revokedId = batches.A.credentials[REVOKED]!.id;
    const one = await fx.app.inject({
      method: "POST",
      url: `/v1/credentials/${revokedId}/revoke`,
      headers: fx.auth,
      payload: { reason: REASON_CREDENTIAL },
    });
    expect(one.statusCode, one.body).toBe(202);
    const all = await fx.app.inject({
      method: "POST",
      url: `/v1/batches/${batches.B.id}/revoke`,
      headers: fx.auth,
      payload: { reason: REASON_BATCH },
    });
    expect(all.statusCode, all.body).toBe(202);
    await waitForBatch(fx, batches.B.id, ["revoked"]);
    await waitFor(
      async () => {
        if ((await fx.store.getCredential(revokedId))?.revokedReason) return true;
        await fx.mine();
        return undefined;
      },
      20_000,
      "the credential revocation",
    );
    await fx.mine(3);
    records = [
      ...(await fx.store.listCredentials(batches.A.id, 0, 1000)),
      ...(await fx.store.listCredentials(batches.B.id, 0, 1000)),
    ];
    expect(records).toHaveLength(55);

    const latest = await fx.chain.provider.getBlockNumber();
    transactions = [];
    for (let n = 0; n <= latest; n++) {
      const block = await fx.chain.provider.getBlock(n, true);
      transactions.push(...(block?.prefetchedTransactions ?? []));
    }
    logs = await fx.chain.provider.getLogs({ fromBlock: 0, toBlock: latest });
  });

  afterAll(async () => {
    await fx.close();
  });

  /** Everything the chain holds from this flow, as lowercase hex without 0x. */
  const haystacks = () => [
    ...transactions.map((tx) => ({ where: `calldata of ${tx.hash}`, hex: bare(tx.data) })),
    ...logs.map((log) => ({
      where: `log ${log.index} of ${log.transactionHash}`,
      hex: bare(log.data) + log.topics.map(bare).join(""),
    })),
  ];

  it("saw the whole flow on chain: deployment, registration, two anchors and two revocations", () => {
    // (The deployment's constructor calldata is the artifact's bytecode and (adminDelay, admin, accreditor).)
    const names = transactions.map((tx) =>
      tx.to === null ? "deploy" : (credentialRegistryInterface.parseTransaction({ data: tx.data })?.name ?? "?"),
    );
    expect(names.filter((n) => n === "deploy")).toHaveLength(1);
    expect(names.filter((n) => n === "anchor")).toHaveLength(2);
    expect(names).toEqual(expect.arrayContaining(["registerIssuer", "revokeCredential", "revokeBatch"]));
    expect(logs.length).toBeGreaterThanOrEqual(5);
  });

  it("finds no credential value (strings of 3+ characters, numbers as text) in any calldata or log", () => {
    const needles = new Map<string, string>();
    for (const record of records) {
      for (const [pointer, value] of valuesOf(record)) {
        for (const v of scalars(value)) {
          const text = String(v);
          if (text.length >= 3) needles.set(hexOf(text), `${pointer} = ${JSON.stringify(v)}`);
        }
      }
      // The credential id is the learner's capability: not on chain either.
      needles.set(hexOf(record.id), `credential id ${record.id}`);
    }
    expect(needles.size).toBeGreaterThan(55 * 18);
    // The search does find what is on chain, in the same encoding: the reasons, a root, a batch id
    // and the revoked credential's digest.
    const onChain = haystacks()
      .map((h) => h.hex)
      .join("|");
    for (const known of [
      hexOf(REASON_CREDENTIAL),
      hexOf(REASON_BATCH),
      bare(batches.A.root),
      bare(batchIdToBytes16(batches.B.id)),
      bare(records[REVOKED]!.digest),
    ]) {
      expect(onChain).toContain(known);
    }
    for (const { where, hex } of haystacks()) {
      for (const [needle, what] of needles) expect(hex.includes(needle), `${what} in ${where}`).toBe(false);
    }
  });

  it("finds no secret, salt, value hash or leaf on chain either, and no digest but the revoked one's", () => {
    const needles = new Map<string, string>();
    for (const record of records) {
      const secret = secretOf(record);
      needles.set(hexOfBytes(secret), `secret of credential ${record.index}`);
      for (const [pointer, value] of valuesOf(record)) {
        const salt = saltOf(secret, pointer);
        needles.set(hexOfBytes(salt), `salt of ${pointer}`);
        needles.set(hexOfBytes(valueHash(salt, value)), `value hash of ${pointer}`);
      }
      // A batch of 50 or 5 has no leaf for a root: no leaf is on chain.
      needles.set(bare(record.leaf), `leaf of credential ${record.index} of ${record.batchId}`);
      const revoked = record.batchId === batches.A.id && record.index === REVOKED;
      if (!revoked) needles.set(bare(record.digest), `digest of credential ${record.index} of ${record.batchId}`);
    }
    expect(needles.size).toBeGreaterThan(55 * 40);
    for (const { where, hex } of haystacks()) {
      for (const [needle, what] of needles) expect(hex.includes(needle), `${what} in ${where}`).toBe(false);
    }
  });

  it("holds only batch ids, roots, the revoked digest, counts, reasons, issuer records and roles in the registry's calls and events", async () => {
    const registryContract = fx.accreditor.contract;
    const roles = new Set([await registryContract.DEFAULT_ADMIN_ROLE(), await registryContract.ACCREDITOR_ROLE()]);
    const roots = new Set([batches.A.root, batches.B.root, records[REVOKED]!.digest]);
    const batchIds = new Set([batches.A.id, batches.B.id].map(batchIdToBytes16));
    const strings = new Set(["Test University", "https://uni.test", "", REASON_CREDENTIAL, REASON_BATCH]);
    const counts = new Set([50n, 5n, BigInt(fx.issuerId)]);
    const check = (where: string, types: readonly string[], args: readonly unknown[]) => {
      types.forEach((type, i) => {
        const value = args[i];
        const what = `${where} argument ${i} (${type}) = ${String(value)}`;
        if (type === "bytes32") {
          expect(roots.has(value as Hex32) || roles.has(value as string), what).toBe(true);
        } else if (type === "bytes16") expect(batchIds.has(value as `0x${string}`), what).toBe(true);
        else if (type === "string") expect(strings.has(value as string), what).toBe(true);
        else if (type.startsWith("uint")) expect(counts.has(value as bigint), what).toBe(true);
        else expect(type, what).toBe("address");
      });
    };
    const registry = fx.registry.toLowerCase();
    for (const tx of transactions.filter((t) => t.to?.toLowerCase() === registry)) {
      const parsed = credentialRegistryInterface.parseTransaction({ data: tx.data })!;
      expect(["registerIssuer", "anchor", "revokeCredential", "revokeBatch"]).toContain(parsed.name);
      check(
        parsed.name,
        parsed.fragment.inputs.map((p) => p.type),
        parsed.args.toArray(),
      );
    }
    const registryLogs = logs.filter((log) => log.address.toLowerCase() === registry);
    expect(registryLogs).toHaveLength(logs.length); // nothing else on this chain logs
    for (const log of registryLogs) {
      const parsed = credentialRegistryInterface.parseLog({ topics: [...log.topics], data: log.data })!;
      expect([
        "RoleGranted",
        "IssuerRegistered",
        "SignerAdded",
        "BatchAnchored",
        "CredentialRevoked",
        "BatchRevoked",
      ]).toContain(parsed.name);
      check(
        parsed.name,
        parsed.fragment.inputs.map((p) => p.type),
        parsed.args.toArray(),
      );
    }
  });

  describe("a leaf cannot be recomputed from the credential without its secret", () => {
    const contextOf = (record: CredentialRecord): AnchorContext => ({
      chainId: fx.chain.chainId,
      registry: fx.registry,
      issuerId: fx.issuerId,
      batchId: record.batchId,
    });
    const leafWith = (record: CredentialRecord, secret: Uint8Array) =>
      commitCredential(parseCredential(record.credential), contextOf(record), { secret: () => secret }).leaf;

    it("recomputes every leaf with the true secret (the check below is not vacuous)", () => {
      for (const record of records) expect(leafWith(record, secretOf(record))).toBe(record.leaf);
    });

    it("gets another leaf with an all-zero secret, with another secret, and with any one bit of it changed", () => {
      for (const record of records.slice(0, 10)) {
        expect(leafWith(record, new Uint8Array(16))).not.toBe(record.leaf);
        expect(leafWith(record, keccak256(utf8Bytes(`another secret ${record.id}`)).slice(0, 16))).not.toBe(
          record.leaf,
        );
        for (let bit = 0; bit < 128; bit += 9) {
          const flipped = secretOf(record);
          flipped[bit >> 3]! ^= 1 << (bit & 7);
          expect(leafWith(record, flipped), `bit ${bit} of the secret flipped`).not.toBe(record.leaf);
        }
      }
    });

    it("gets another leaf when the whole credential is committed afresh with a secret of its own", () => {
      const credentials = [...inputs.A, ...inputs.B];
      const byPosition = new Map(records.map((r) => [`${r.batchId}/${r.index}`, r]));
      for (const [i, credential] of credentials.entries()) {
        const batch = i < 50 ? batches.A : batches.B;
        const record = byPosition.get(`${batch.id}/${i < 50 ? i : i - 50}`)!;
        const committed = commitCredential(parseCredential(credential), contextOf(record));
        expect(committed.digest).not.toBe(record.digest);
        expect(committed.leaf).not.toBe(record.leaf);
      }
    });
  });
});
