import type { Log, TransactionResponse } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import type { CredentialRecord } from "../../server/store/types";
import {
  commitCredential,
  type Credential,
  digestOfFields,
  type Fields,
  fromHex32,
  type Hex32,
  type JsonValue,
  keccak256,
  leafOf,
  parseCredential,
  registryInterface,
  toHex,
  utf8Bytes,
  valueHash,
} from "../../src";
import { type AcceptedBatch, issueFinalBatch, waitForBatch } from "../server/helpers";
import { type ServiceFixture, startService, waitFor } from "../support/service";

/**
 * Issue 6, item 11: after a full issuance and revocation flow through the service, no credential
 * value, salt, value hash or digest is anywhere on chain — not in any transaction's calldata, not
 * in any log — only roots, leaves, counts, reasons and issuer records; and a leaf cannot be
 * recomputed from a credential without its salts.
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
    awardingBody: {
      name: `Hochschule Unauffindbar ${tag}`,
      country: "LU",
      url: `https://hu-${tag.toLowerCase()}.example`,
    },
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

describe("privacy: nothing personal reaches the chain", () => {
  let fx: ServiceFixture;
  const inputs = {
    A: Array.from({ length: 50 }, (_, i) => distinctive(i, "A")),
    B: Array.from({ length: 5 }, (_, i) => distinctive(i, "B")),
  };
  let batches: { A: AcceptedBatch; B: AcceptedBatch };
  let records: CredentialRecord[];
  let transactions: TransactionResponse[];
  let logs: Log[];

  beforeAll(async () => {
    fx = await startService();
    batches = {
      A: (await issueFinalBatch(fx, inputs.A)).accepted,
      B: (await issueFinalBatch(fx, inputs.B)).accepted,
    };
    // Revoke one credential of A and the whole of B, through the service, and wait for both.
    const revokedId = batches.A.credentials[17]!.id;
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
    const names = transactions.map((tx) =>
      tx.to === null ? "deploy" : (registryInterface.parseTransaction({ data: tx.data })?.name ?? "?"),
    );
    expect(names.filter((n) => n === "deploy")).toHaveLength(1);
    expect(names.filter((n) => n === "anchor")).toHaveLength(2);
    expect(names).toEqual(expect.arrayContaining(["registerIssuer", "revokeCredential", "revokeBatch"]));
    expect(logs.length).toBeGreaterThanOrEqual(5);
  });

  it("finds no credential value (strings of 3+ characters, numbers as text) in any calldata or log", () => {
    const needles = new Map<string, string>();
    for (const record of records) {
      for (const [pointer, field] of Object.entries(record.fields)) {
        for (const v of scalars(field.value as JsonValue)) {
          const text = String(v);
          if (text.length >= 3) needles.set(hexOf(text), `${pointer} = ${JSON.stringify(v)}`);
        }
      }
      // The credential id is the learner's capability: not on chain either.
      needles.set(hexOf(record.id), `credential id ${record.id}`);
    }
    expect(needles.size).toBeGreaterThan(55 * 20);
    // The search does find what is on chain, in the same encoding: the reasons, a root and a leaf.
    const onChain = haystacks()
      .map((h) => h.hex)
      .join("|");
    for (const known of [
      hexOf(REASON_CREDENTIAL),
      hexOf(REASON_BATCH),
      bare(batches.A.root),
      bare(records[17]!.leaf),
    ]) {
      expect(onChain).toContain(known);
    }
    for (const { where, hex } of haystacks()) {
      for (const [needle, what] of needles) expect(hex.includes(needle), `${what} in ${where}`).toBe(false);
    }
  });

  it("finds no salt, value hash or digest on chain either: only leaves and roots", () => {
    const needles = new Map<string, string>();
    for (const record of records) {
      const fields = record.fields as Fields;
      for (const [pointer, field] of Object.entries(record.fields)) {
        needles.set(bare(field.salt), `salt of ${pointer}`);
        needles.set(
          bare(toHex(valueHash(fromHex32(field.salt), field.value as JsonValue))),
          `value hash of ${pointer}`,
        );
      }
      needles.set(bare(toHex(digestOfFields(fields))), `digest of credential ${record.index}`);
    }
    for (const { where, hex } of haystacks()) {
      for (const [needle, what] of needles) expect(hex.includes(needle), `${what} in ${where}`).toBe(false);
    }
  });

  it("holds only roots, leaves, counts, reasons, issuer records and roles in the registry's calls and events", async () => {
    const role = (name: string) => fx.accreditor.contract.getFunction(name).staticCall() as Promise<string>;
    const roles = new Set([await role("DEFAULT_ADMIN_ROLE"), await role("ACCREDITOR_ROLE")]);
    const roots = new Set([batches.A.root, batches.B.root]);
    const leaves = new Set(records.map((r) => r.leaf));
    const strings = new Set(["Test University", "https://uni.test", "", REASON_CREDENTIAL, REASON_BATCH]);
    const counts = new Set([50n, 5n, BigInt(fx.issuerId)]);
    const check = (where: string, types: readonly string[], args: readonly unknown[]) => {
      types.forEach((type, i) => {
        const value = args[i];
        const what = `${where} argument ${i} (${type}) = ${String(value)}`;
        if (type === "bytes32") {
          expect(roots.has(value as Hex32) || leaves.has(value as string) || roles.has(value as string), what).toBe(
            true,
          );
        } else if (type === "string") expect(strings.has(value as string), what).toBe(true);
        else if (type.startsWith("uint")) expect(counts.has(value as bigint), what).toBe(true);
        else expect(type, what).toBe("address");
      });
    };
    const registry = fx.registry.toLowerCase();
    for (const tx of transactions.filter((t) => t.to?.toLowerCase() === registry)) {
      const parsed = registryInterface.parseTransaction({ data: tx.data })!;
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
      const parsed = registryInterface.parseLog({ topics: [...log.topics], data: log.data })!;
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

  describe("a leaf cannot be recomputed from the credential without its salts", () => {
    const withSalts = (fields: CredentialRecord["fields"], salt: (pointer: string) => string): Fields =>
      Object.fromEntries(
        Object.entries(fields).map(([p, f]) => [p, { salt: salt(p) as Hex32, value: f.value as JsonValue }]),
      );
    const leafFrom = (fields: Fields) => toHex(leafOf(digestOfFields(fields)));

    it("recomputes every leaf with the true salts (the check below is not vacuous)", () => {
      for (const record of records) expect(leafFrom(record.fields as Fields)).toBe(record.leaf);
    });

    it("gets another leaf with all-zero salts, with other salts, and with any one salt changed", () => {
      const zero = toHex(new Uint8Array(32));
      for (const record of records.slice(0, 10)) {
        expect(leafFrom(withSalts(record.fields, () => zero))).not.toBe(record.leaf);
        const other = (p: string) => toHex(keccak256(utf8Bytes(`another salt for ${p}`)));
        expect(leafFrom(withSalts(record.fields, other))).not.toBe(record.leaf);
        for (const pointer of Object.keys(record.fields)) {
          const oneOff = withSalts(record.fields, (p) => (p === pointer ? zero : record.fields[p]!.salt));
          expect(leafFrom(oneOff), `only ${pointer}'s salt changed`).not.toBe(record.leaf);
        }
      }
    });

    it("gets another leaf when the whole credential is committed afresh with known salts", () => {
      const credentials = [...inputs.A, ...inputs.B];
      const leafOfRecord = new Map(records.map((r) => [`${r.batchId}/${r.index}`, r.leaf]));
      for (const [i, credential] of credentials.entries()) {
        const batch = i < 50 ? batches.A : batches.B;
        const issued = leafOfRecord.get(`${batch.id}/${i < 50 ? i : i - 50}`);
        const committed = commitCredential(parseCredential(credential), { salt: () => new Uint8Array(32) });
        expect(committed.leaf).not.toBe(issued);
      }
    });
  });
});
