import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import hre from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { beforeAll, describe, expect, it } from "vitest";
import { buildBatch, randomBatchId, randomBytes32, type CredentialBatch } from "./batches";
import { anchorBatch, verifyManyOf } from "./calls";
import {
  decodeRevert,
  deployFixture,
  increaseTime,
  latestTimestamp,
  mined,
  revertTo,
  takeSnapshot,
  toBatch,
  toSignerRecord,
  type Batch,
  type Fixture,
  type VerifyRequest,
  type RegistryStatus,
} from "./helpers";

/**
 * Issue 6, item 7 (with the guards of test/security/contract-guards.test.ts): over random operation
 * sequences by random actors — the accreditor, the issuers' signers, outsiders — every operation
 * that succeeds was allowed, an anchored (batch id, root) keeps its time and is anchored once, a
 * batch id may take several roots of its issuer, a revocation is never undone and never verifies
 * Valid (a batch's under every root), no credential verifies Valid naming another issuer, and an
 * address once bound to an issuer stays bound to it.
 */

let f: Fixture;
/** Issuer A's batch, anchored in the fixture (outside the operations' batch ids: never touched). */
let batchA: CredentialBatch;

beforeAll(async () => {
  f = await deployFixture();
  batchA = (await anchorBatch(f, f.signerA, f.issuerA, { size: 3 })).batch;
});

const as = (signer: HardhatEthersSigner) => f.registry.connect(signer);

/** One operation of a random sequence; `actor` and `account` index the accounts below. */
type Operation =
  | { kind: "anchor"; actor: number; batch: number; variant: number }
  | { kind: "revokeBatch"; actor: number; batch: number }
  | { kind: "revokeCredential"; actor: number; digest: number }
  | { kind: "addSigner" | "removeSigner"; actor: number; issuer: number; account: number }
  | { kind: "setIssuerActive"; actor: number; issuer: number; active: boolean }
  | { kind: "withdrawAccreditation"; actor: number; issuer: number; offset: number }
  | { kind: "wait"; seconds: number };

const BATCHES = 3;
/** Trees an anchor may build for a batch id: all three digests, or the first two (another root). */
const VARIANTS = 2;
const ACTORS = 8;
/** Mostly the issuers' signers (2, 3, 4) or the accreditor (1), so that a fair share of operations succeed. */
const actor = (favourite: number[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...favourite), weight: 3 }, { arbitrary: fc.nat(ACTORS - 1), weight: 1 });
const signerActor = actor([2, 3, 4]);
const governor = actor([1, 1, 2, 3]);
const issuerId = fc.integer({ min: 1, max: 4 }); // 4 is not registered

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("anchor" as const),
      actor: signerActor,
      batch: fc.nat(BATCHES - 1),
      variant: fc.nat(VARIANTS - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant("revokeBatch" as const), actor: signerActor, batch: fc.nat(BATCHES - 1) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant("revokeCredential" as const), actor: signerActor, digest: fc.nat(2) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constantFrom("addSigner" as const, "removeSigner" as const),
      actor: governor,
      issuer: issuerId,
      account: fc.nat(ACTORS - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setIssuerActive" as const),
      actor: governor,
      issuer: issuerId,
      active: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("withdrawAccreditation" as const),
      actor: governor,
      issuer: issuerId,
      offset: fc.integer({ min: -30, max: 30 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 100 }) }),
  },
);

describe("registry invariant under random operations by random actors", () => {
  /** Batch ids and digests the operations pick from; an anchor builds the batch for the actor's issuer. */
  const batchIds = Array.from({ length: BATCHES }, randomBatchId);
  const digests = [randomBytes32(), randomBytes32(), randomBytes32()];
  let actors: HardhatEthersSigner[];

  beforeAll(async () => {
    // admin, accreditor, signers A, B, C, spare, outsider, and one more stranger.
    actors = (await hre.ethers.getSigners()).slice(0, ACTORS);
  });

  /** What the test believes: who is bound to which issuer, what was anchored and revoked (never undone). */
  interface Model {
    bound: Map<string, { issuerId: bigint; active: boolean }>;
    /** `issuer/batchId/root` → the anchoring time and the batch. */
    anchored: Map<string, { anchoredAt: bigint; batch: CredentialBatch }>;
    /** `issuer/batchId` → revokedAt. */
    batchRevokedAt: Map<string, bigint>;
    credentialRevokedAt: Map<string, bigint>;
  }

  const activeIssuer = (model: Model, address: string) => {
    const record = model.bound.get(address);
    return record?.active ? record.issuerId : 0n;
  };
  const batchFor = (issuer: bigint, batch: number, variant: number) =>
    buildBatch(f.context, issuer, { digests: digests.slice(0, digests.length - variant), batchId: batchIds[batch]! });
  const anchorKey = (batch: CredentialBatch) => `${batch.issuerId}/${batch.batchId}/${batch.root}`;

  function send(op: Exclude<Operation, { kind: "wait" }>, model: Model): Promise<ContractTransactionResponse> {
    const r = as(actors[op.actor]!);
    switch (op.kind) {
      case "anchor": {
        const batch = batchFor(activeIssuer(model, actors[op.actor]!.address) || 1n, op.batch, op.variant);
        return r.anchor(batch.batchId, batch.root, batch.digests.length, "");
      }
      case "revokeBatch":
        return r.revokeBatch(batchIds[op.batch]!, "op");
      case "revokeCredential":
        return r.revokeCredential(digests[op.digest]!, "op");
      case "addSigner":
        return r.addSigner(op.issuer, actors[op.account]!);
      case "removeSigner":
        return r.removeSigner(op.issuer, actors[op.account]!);
      case "setIssuerActive":
        return r.setIssuerActive(op.issuer, op.active);
      case "withdrawAccreditation":
        return latestTimestamp().then((now) => r.withdrawAccreditation(op.issuer, now + BigInt(op.offset), "op"));
    }
  }

  /** Whether the transaction succeeded; a revert must be a decodable registry error. */
  async function succeeds(tx: Promise<ContractTransactionResponse>): Promise<boolean> {
    try {
      await mined(tx);
      return true;
    } catch (error) {
      expect(decodeRevert(error), `reverted with an undecodable error: ${String(error)}`).not.toBeNull();
      return false;
    }
  }

  /** A successful operation must have been allowed; records its effect in the model. */
  async function checkAllowed(op: Exclude<Operation, { kind: "wait" }>, model: Model): Promise<void> {
    const address = actors[op.actor]!.address;
    const own = activeIssuer(model, address);
    const isAccreditor = address === f.accreditor.address;
    switch (op.kind) {
      case "anchor": {
        expect(own, "anchor by a non-signer").not.toBe(0n);
        const batch = batchFor(own, op.batch, op.variant);
        const key = anchorKey(batch);
        expect(model.anchored.has(key), "a (batch id, root) anchored twice by one issuer").toBe(false);
        const record = toBatch(await f.registry.getBatch(own, batch.batchId, batch.root));
        expect(record.anchoredAt, "an anchor that recorded no time").not.toBe(0n);
        model.anchored.set(key, { anchoredAt: record.anchoredAt, batch });
        return;
      }
      case "revokeBatch": {
        expect(own, "revokeBatch by a non-signer").not.toBe(0n);
        const key = `${own}/${batchIds[op.batch]}`;
        expect(model.batchRevokedAt.has(key), "a batch id revoked twice").toBe(false);
        const record = toBatch(await f.registry.getBatch(own, batchIds[op.batch]!, randomBytes32()));
        expect(record.revokedAt, "a revocation that recorded no time").not.toBe(0n);
        model.batchRevokedAt.set(key, record.revokedAt);
        return;
      }
      case "revokeCredential": {
        expect(own, "revokeCredential by a non-signer").not.toBe(0n);
        const key = `${own}/${digests[op.digest]}`;
        expect(model.credentialRevokedAt.has(key), "a credential revoked twice").toBe(false);
        model.credentialRevokedAt.set(key, await f.registry.credentialRevokedAt(own, digests[op.digest]!));
        return;
      }
      case "addSigner":
      case "removeSigner": {
        const issuer = BigInt(op.issuer);
        expect(isAccreditor || own === issuer, `${op.kind} by a stranger to the issuer`).toBe(true);
        const account = actors[op.account]!.address;
        const bound = model.bound.get(account);
        if (op.kind === "addSigner")
          expect(bound === undefined || (bound.issuerId === issuer && !bound.active)).toBe(true);
        else expect(bound).toEqual({ issuerId: issuer, active: true });
        model.bound.set(account, { issuerId: issuer, active: op.kind === "addSigner" });
        return;
      }
      case "setIssuerActive":
      case "withdrawAccreditation":
        expect(isAccreditor, `${op.kind} by a non-accreditor`).toBe(true);
    }
  }

  /**
   * Roots keep their time, revocations stay (a batch's under every root), revoked never verifies
   * Valid. `verify` costs
   * about a millisecond a request here, so after each step one credential per batch is verified
   * (`step` picks which, in turn); after the last step (`step` null) every credential is, also
   * naming each other issuer, which must never be Valid.
   */
  async function checkBatches(model: Model, where: string, step: number | null): Promise<void> {
    const entries = [...model.anchored];
    const batchRevokedAt = (batch: CredentialBatch) =>
      model.batchRevokedAt.get(`${batch.issuerId}/${batch.batchId}`) ?? 0n;
    const records = await Promise.all(
      entries.map(async ([, { batch }]) =>
        toBatch(await f.registry.getBatch(batch.issuerId, batch.batchId, batch.root)),
      ),
    );
    records.forEach((record, i) => {
      const { anchoredAt, batch } = entries[i]![1];
      const expected: Batch = { anchoredAt, revokedAt: batchRevokedAt(batch) };
      expect(record, `batch ${entries[i]![0]} after ${where}`).toEqual(expected);
    });
    const checks: {
      request: VerifyRequest;
      expected: (status: RegistryStatus, credentialRevokedAt: bigint) => void;
    }[] = [];
    for (const [key, { batch }] of entries) {
      const record = { revokedAt: batchRevokedAt(batch) };
      batch.digests.forEach((digest, i) => {
        if (step !== null && i !== step % batch.digests.length) return;
        const what = `batch ${key} credential ${i} after ${where}`;
        const revokedAt = model.credentialRevokedAt.get(`${batch.issuerId}/${digest}`) ?? 0n;
        checks.push({
          request: batch.request(i),
          expected: (status, credentialRevokedAt) => {
            expect(credentialRevokedAt, what).toBe(revokedAt);
            if (record.revokedAt !== 0n) expect(status, what).toBe("batch-revoked");
            else if (revokedAt !== 0n) expect(status, what).toBe("credential-revoked");
            else expect(["valid", "issuer-not-accredited"], what).toContain(status);
          },
        });
        for (const other of [1n, 2n, 3n].filter((id) => step === null && id !== batch.issuerId)) {
          checks.push({
            request: { ...batch.request(i), issuerId: other },
            expected: (status) => expect(status, `${what}, naming issuer ${other}`).not.toBe("valid"),
          });
        }
      });
    }
    const answers = await verifyManyOf(
      f.registry,
      checks.map((c) => c.request),
    );
    answers.forEach(({ verification }, i) =>
      checks[i]!.expected(verification.status, verification.credentialRevokedAt),
    );
  }

  /** Every account's binding is the model's: once bound to an issuer, always bound to it. */
  async function checkSigners(model: Model, step: string): Promise<void> {
    const actual = await Promise.all(
      actors.map(async (account) => ({
        record: toSignerRecord(await f.registry.signerRecord(account)),
        issuerOf: await f.registry.issuerOf(account),
      })),
    );
    actors.forEach((account, i) => {
      const expected = model.bound.get(account.address) ?? { issuerId: 0n, active: false };
      expect(actual[i], `${account.address} after ${step}`).toEqual({
        record: expected,
        issuerOf: expected.active ? expected.issuerId : 0n,
      });
    });
  }

  it("keeps batches, revocations and signer bindings through 200+ random sequences", async () => {
    let runs = 0;
    const succeeded = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 3, maxLength: 14 }), async (sequence) => {
        runs += 1;
        const start = await takeSnapshot();
        try {
          const model: Model = {
            bound: new Map(
              [f.signerA, f.signerB, f.signerC].map((s, i) => [s.address, { issuerId: BigInt(i + 1), active: true }]),
            ),
            anchored: new Map(),
            batchRevokedAt: new Map(),
            credentialRevokedAt: new Map(),
          };
          model.anchored.set(anchorKey(batchA), {
            anchoredAt: toBatch(await f.registry.getBatch(f.issuerA, batchA.batchId, batchA.root)).anchoredAt,
            batch: batchA,
          });
          for (const [i, op] of sequence.entries()) {
            if (op.kind === "wait") await increaseTime(op.seconds);
            else if (await succeeds(send(op, model))) {
              succeeded.set(op.kind, (succeeded.get(op.kind) ?? 0) + 1);
              await checkAllowed(op, model);
            }
            const step = `${i}: ${JSON.stringify(op)}`;
            await checkBatches(model, step, i);
            // Only signer operations change bindings; the last check catches any other change.
            if (op.kind === "addSigner" || op.kind === "removeSigner") await checkSigners(model, step);
          }
          await checkBatches(model, "the sequence", null);
          await checkSigners(model, "the sequence");
        } finally {
          await revertTo(start);
        }
      }),
      { numRuns: 200 },
    );
    console.log(
      `registry invariant | random operation sequences | ${runs} cases (succeeded: ${JSON.stringify(Object.fromEntries(succeeded))})`,
    );
    expect(runs).toBeGreaterThanOrEqual(200);
  }, 120_000);
});
