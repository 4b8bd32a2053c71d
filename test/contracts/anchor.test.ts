import fc from "fast-check";
import { ZeroHash, type ContractTransactionResponse } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildBatch, randomBatchId, randomBytes32 } from "./batches";
import { anchorBatch, batchOf, failureOf, validOf, verifyOf, type Anchored } from "./calls";
import {
  MAX_UINT64,
  NO_BATCH,
  blockTimestamp,
  decodeRevert,
  deployFixture,
  eventsOf,
  expectRevert,
  increaseTime,
  latestTimestamp,
  mined,
  revertTo,
  snapshots,
  takeSnapshot,
  type Batch,
  type Fixture,
} from "./helpers";

/**
 * Anchoring (batch id, root) in the issuer's namespace, and revoking batch ids (under every root)
 * and credentials (by digest).
 */

const BATCH_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";

let f: Fixture;
/** 6 credentials anchored by issuer A in the fixture. */
let fixture: Anchored;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  fixture = await anchorBatch(f, f.signerA, f.issuerA, { size: 6, uri: BATCH_URI });
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const as = (signer = f.signerA) => f.registry.connect(signer);
const recordOf = (issuerId: bigint, batchId: string, root: string): Promise<Batch> =>
  batchOf(f.registry, issuerId, batchId, root);

describe("anchor", () => {
  it("records the anchoring time under (signer's issuer, batch id, root) only, and emits BatchAnchored", async () => {
    const { batch, anchoredAt, receipt } = await anchorBatch(f, f.signerB, f.issuerB, { size: 5, uri: BATCH_URI });
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchAnchored", args: [f.issuerB, batch.batchId, batch.root, f.signerB.address, 5n, BATCH_URI] },
    ]);
    expect(await recordOf(f.issuerB, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual(NO_BATCH);
    expect(await recordOf(f.issuerB, batch.batchId, randomBytes32())).toEqual(NO_BATCH);
    expect(await recordOf(f.issuerB, randomBatchId(), batch.root)).toEqual(NO_BATCH);
  });

  it("checks the arguments first: ZeroBatchId, then ZeroRoot, then ZeroCount, even for a non-signer", async () => {
    for (const signer of [f.signerA, f.outsider]) {
      await expectRevert(as(signer).anchor(`0x${"00".repeat(16)}`, ZeroHash, 0, ""), "ZeroBatchId", []);
      await expectRevert(as(signer).anchor(randomBatchId(), ZeroHash, 0, ""), "ZeroRoot", []);
      await expectRevert(as(signer).anchor(randomBatchId(), randomBytes32(), 0, ""), "ZeroCount", []);
    }
  });

  it("reverts NotASigner for an outsider, the accreditor, the admin and a removed signer", async () => {
    await mined(as(f.accreditor).removeSigner(f.issuerC, f.signerC));
    for (const account of [f.outsider, f.accreditor, f.admin, f.signerC]) {
      await expectRevert(as(account).anchor(randomBatchId(), randomBytes32(), 1, ""), "NotASigner", [account.address]);
    }
  });

  it("reverts IssuerInactive for a deactivated issuer and IssuerNotAccredited for a withdrawn one", async () => {
    await mined(as(f.accreditor).setIssuerActive(f.issuerB, false));
    await expectRevert(as(f.signerB).anchor(randomBatchId(), randomBytes32(), 1, ""), "IssuerInactive", [f.issuerB]);
    await mined(as(f.accreditor).withdrawAccreditation(f.issuerC, 1, ""));
    await expectRevert(as(f.signerC).anchor(randomBatchId(), randomBytes32(), 1, ""), "IssuerNotAccredited", [
      f.issuerC,
      1n,
    ]);
  });

  it("reverts BatchAlreadyAnchored(issuer, batchId, root) when the issuer anchors the same (batch id, root) again", async () => {
    const { batch, anchoredAt } = fixture;
    await increaseTime(60);
    // Whatever the count and uri: the record is (issuer, batch id, root).
    for (const count of [6, 1]) {
      await expectRevert(as().anchor(batch.batchId, batch.root, count, "again"), "BatchAlreadyAnchored", [
        f.issuerA,
        batch.batchId,
        batch.root,
      ]);
    }
    // Another signer of the same issuer is the same issuer.
    await mined(as(f.accreditor).addSigner(f.issuerA, f.spare));
    await expectRevert(as(f.spare).anchor(batch.batchId, batch.root, 6, ""), "BatchAlreadyAnchored", [
      f.issuerA,
      batch.batchId,
      batch.root,
    ]);
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
  });

  it("lets the issuer anchor the same batch id with a second root, each (batch id, root) once", async () => {
    const { batch, anchoredAt } = fixture;
    const second = buildBatch(f.context, f.issuerA, { size: 2, batchId: batch.batchId });
    await increaseTime(60);
    const receipt = await mined(as().anchor(batch.batchId, second.root, 2, ""));
    const secondAt = await blockTimestamp(receipt);
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchAnchored", args: [f.issuerA, batch.batchId, second.root, f.signerA.address, 2n, ""] },
    ]);
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
    expect(await recordOf(f.issuerA, batch.batchId, second.root)).toEqual({ anchoredAt: secondAt, revokedAt: 0n });
    expect(await verifyOf(f.registry, batch.request(0))).toEqual(validOf(batch, 0, anchoredAt, MAX_UINT64));
    expect(await verifyOf(f.registry, second.request(1))).toEqual(validOf(second, 1, secondAt, MAX_UINT64));
    await expectRevert(as().anchor(batch.batchId, second.root, 2, ""), "BatchAlreadyAnchored", [
      f.issuerA,
      batch.batchId,
      second.root,
    ]);
  });

  it("lets another issuer use the same batch id and root in its own namespace, leaving the first record alone", async () => {
    const { batch, anchoredAt } = fixture;
    for (const root of [batch.root, randomBytes32()]) {
      const at = await blockTimestamp(await mined(as(f.signerB).anchor(batch.batchId, root, 1, "")));
      expect(await recordOf(f.issuerB, batch.batchId, root)).toEqual({ anchoredAt: at, revokedAt: 0n });
    }
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
  });
});

describe("revokeBatch", () => {
  it("records the revocation time and emits BatchRevoked, keeping the anchoring time", async () => {
    const { batch, anchoredAt } = fixture;
    const receipt = await mined(as().revokeBatch(batch.batchId, "printed wrong grades"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchRevoked", args: [f.issuerA, batch.batchId, f.signerA.address, "printed wrong grades"] },
    ]);
    const revokedAt = await blockTimestamp(receipt);
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt });
  });

  it("revokes the batch id under every root: those anchored before and those anchored after", async () => {
    const { batch, anchoredAt } = fixture;
    const before = buildBatch(f.context, f.issuerA, { size: 3, batchId: batch.batchId });
    const beforeAt = await blockTimestamp(await mined(as().anchor(batch.batchId, before.root, 3, "")));
    const revokedAt = await blockTimestamp(await mined(as().revokeBatch(batch.batchId, "exam leaked")));
    const after = buildBatch(f.context, f.issuerA, { size: 2, batchId: batch.batchId });
    const afterAt = await blockTimestamp(await mined(as().anchor(batch.batchId, after.root, 2, "")));
    for (const [b, at] of [
      [batch, anchoredAt],
      [before, beforeAt],
      [after, afterAt],
    ] as const) {
      expect(await recordOf(f.issuerA, batch.batchId, b.root)).toEqual({ anchoredAt: at, revokedAt });
      expect(await verifyOf(f.registry, b.request(0))).toEqual({
        ...validOf(b, 0, at, MAX_UINT64),
        status: "batch-revoked",
        batchRevokedAt: revokedAt,
      });
    }
    // Any root, anchored or not, reports the revocation of the batch id.
    expect(await recordOf(f.issuerA, batch.batchId, randomBytes32())).toEqual({ anchoredAt: 0n, revokedAt });
  });

  it("lets any signer of the issuer revoke, even while the issuer is deactivated and withdrawn", async () => {
    await mined(as(f.accreditor).addSigner(f.issuerA, f.spare));
    await mined(as(f.accreditor).setIssuerActive(f.issuerA, false));
    await mined(as(f.accreditor).withdrawAccreditation(f.issuerA, 0, ""));
    await mined(as(f.spare).revokeBatch(fixture.batch.batchId, ""));
    expect((await recordOf(f.issuerA, fixture.batch.batchId, fixture.batch.root)).revokedAt).not.toBe(0n);
  });

  it("acts in the caller's namespace only: B's signer naming A's batch id revokes B's, and A's stays valid", async () => {
    const { batch, anchoredAt } = fixture;
    const receipt = await mined(as(f.signerB).revokeBatch(batch.batchId, "griefing"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchRevoked", args: [f.issuerB, batch.batchId, f.signerB.address, "griefing"] },
    ]);
    expect(await recordOf(f.issuerB, batch.batchId, batch.root)).toEqual({
      anchoredAt: 0n,
      revokedAt: await blockTimestamp(receipt),
    });
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt, revokedAt: 0n });
    expect(await verifyOf(f.registry, batch.request(2))).toEqual(validOf(batch, 2, anchoredAt, MAX_UINT64));
  });

  it("revokes a batch id never anchored, so that every root later anchored under it is born revoked", async () => {
    const batch = buildBatch(f.context, f.issuerA, { size: 3 });
    const revokedAt = await blockTimestamp(await mined(as().revokeBatch(batch.batchId, "cancelled before issue")));
    expect(await recordOf(f.issuerA, batch.batchId, batch.root)).toEqual({ anchoredAt: 0n, revokedAt });
    // Not anchored yet: the proof holds, the anchor does not.
    expect(await verifyOf(f.registry, batch.request(0))).toEqual(failureOf("not-anchored", batch.leaf(0)));
    const anchoredAt = await blockTimestamp(await mined(as().anchor(batch.batchId, batch.root, 3, "")));
    expect(await verifyOf(f.registry, batch.request(0))).toEqual({
      ...validOf(batch, 0, anchoredAt, MAX_UINT64),
      status: "batch-revoked",
      batchRevokedAt: revokedAt,
    });
  });

  it("reverts ZeroBatchId for batch id 0, even for a non-signer", async () => {
    for (const signer of [f.signerA, f.outsider]) {
      await expectRevert(as(signer).revokeBatch(`0x${"00".repeat(16)}`, ""), "ZeroBatchId", []);
    }
  });

  it("reverts NotASigner for the accreditor", async () => {
    await expectRevert(as(f.accreditor).revokeBatch(fixture.batch.batchId, ""), "NotASigner", [f.accreditor.address]);
  });

  it("reverts BatchAlreadyRevoked with the stored time when revoked twice, anchored or not", async () => {
    for (const batchId of [fixture.batch.batchId, randomBatchId()]) {
      const revokedAt = await blockTimestamp(await mined(as().revokeBatch(batchId, "")));
      await increaseTime(60);
      await expectRevert(as().revokeBatch(batchId, ""), "BatchAlreadyRevoked", [f.issuerA, batchId, revokedAt]);
    }
  });
});

describe("revokeCredential", () => {
  it("records the revocation of that digest for the caller's issuer only, and emits CredentialRevoked", async () => {
    const { batch } = fixture;
    const digest = batch.digest(3);
    const receipt = await mined(as().revokeCredential(digest, "plagiarism"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "CredentialRevoked", args: [f.issuerA, digest, f.signerA.address, "plagiarism"] },
    ]);
    const revokedAt = await blockTimestamp(receipt);
    expect(await f.registry.credentialRevokedAt(f.issuerA, digest)).toBe(revokedAt);
    expect(await f.registry.credentialRevokedAt(f.issuerA, batch.digest(4))).toBe(0n);
    expect(await f.registry.credentialRevokedAt(f.issuerB, digest)).toBe(0n);
    expect((await recordOf(f.issuerA, batch.batchId, batch.root)).revokedAt).toBe(0n);
  });

  it("lets B's signer revoke only B's credential with that digest, not A's", async () => {
    const { batch, anchoredAt } = fixture;
    await mined(as(f.signerB).revokeCredential(batch.digest(0), "not ours"));
    expect(await f.registry.credentialRevokedAt(f.issuerA, batch.digest(0))).toBe(0n);
    expect(await verifyOf(f.registry, batch.request(0))).toEqual(validOf(batch, 0, anchoredAt, MAX_UINT64));
  });

  it("revokes a digest before it is anchored, and the credential is born revoked", async () => {
    const digest = randomBytes32();
    const revokedAt = await blockTimestamp(await mined(as().revokeCredential(digest, "withdrawn before issue")));
    const { batch, anchoredAt } = await anchorBatch(f, f.signerA, f.issuerA, { digests: [digest, randomBytes32()] });
    expect(await verifyOf(f.registry, batch.request(0))).toEqual({
      ...validOf(batch, 0, anchoredAt, MAX_UINT64),
      status: "credential-revoked",
      credentialRevokedAt: revokedAt,
    });
  });

  it("reverts NotASigner for the accreditor and an outsider", async () => {
    for (const account of [f.accreditor, f.outsider]) {
      await expectRevert(as(account).revokeCredential(fixture.batch.digest(0), ""), "NotASigner", [account.address]);
    }
  });

  it("reverts CredentialAlreadyRevoked with the stored time when revoked twice", async () => {
    const digest = fixture.batch.digest(5);
    const revokedAt = await blockTimestamp(await mined(as().revokeCredential(digest, "")));
    await increaseTime(60);
    await expectRevert(as().revokeCredential(digest, ""), "CredentialAlreadyRevoked", [f.issuerA, digest, revokedAt]);
  });
});

describe("getBatch and credentialRevokedAt", () => {
  it("return zeros for a batch or digest never anchored or revoked, even of an unknown issuer", async () => {
    for (const issuerId of [f.issuerA, 0n, 9n]) {
      expect(await recordOf(issuerId, randomBatchId(), randomBytes32())).toEqual(NO_BATCH);
      expect(await recordOf(issuerId, fixture.batch.batchId, ZeroHash)).toEqual(NO_BATCH);
      expect(await f.registry.credentialRevokedAt(issuerId, randomBytes32())).toBe(0n);
    }
  });
});

describe("batch record invariant", () => {
  /**
   * Operations around issuer A and its batch `batchId` anchored with `root`; `anchorAgain` (the
   * same batch id and root) must revert, `anchorOtherRoot` (the same batch id, a new root) succeed.
   */
  type Operation = (batchId: string, root: string) => Promise<ContractTransactionResponse>;
  const operations: Record<string, Operation> = {
    revokeCredential: () => as().revokeCredential(randomBytes32(), "op"),
    revokeBatch: (batchId) => as().revokeBatch(batchId, "op"),
    removeSigner: () => as(f.accreditor).removeSigner(f.issuerA, f.signerA),
    addSigner: () => as(f.accreditor).addSigner(f.issuerA, f.signerA),
    deactivate: () => as(f.accreditor).setIssuerActive(f.issuerA, false),
    reactivate: () => as(f.accreditor).setIssuerActive(f.issuerA, true),
    withdraw: async () => as(f.accreditor).withdrawAccreditation(f.issuerA, (await latestTimestamp()) - 1n, "op"),
    updateIssuer: () => as(f.accreditor).updateIssuer(f.issuerA, "Renamed", "uri"),
    anchorAgain: (batchId, root) => as().anchor(batchId, root, 1, ""),
    anchorOtherRoot: (batchId) => as().anchor(batchId, randomBytes32(), 1, ""),
    anchorSameAsB: (batchId, root) => as(f.signerB).anchor(batchId, root, 1, ""),
    revokeSameIdAsB: (batchId) => as(f.signerB).revokeBatch(batchId, "op"),
  };

  /** Runs an operation; a revert must be a registry error, and is required of `anchorAgain`. */
  async function apply(name: string, batchId: string, root: string): Promise<void> {
    try {
      await mined(operations[name]!(batchId, root));
    } catch (error) {
      const decoded = decodeRevert(error);
      if (decoded === null) throw error;
      if (name === "anchorAgain") {
        // The issuer may be inactive or withdrawn by then; if not, the anchor itself is refused.
        expect(["BatchAlreadyAnchored", "NotASigner", "IssuerInactive", "IssuerNotAccredited"]).toContain(decoded.name);
      }
      return;
    }
    if (name === "anchorAgain") expect.fail("a (batch id, root) was anchored twice");
  }

  it("keeps a root's anchoring time, and the batch's revocation once made, through random operations", async () => {
    const names = Object.keys(operations);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 10 }), async (sequence) => {
        const start = await takeSnapshot();
        try {
          const { batch, anchoredAt } = await anchorBatch(f, f.signerA, f.issuerA, { size: 2 });
          let revokedAt = 0n;
          for (const name of sequence) {
            await increaseTime(7);
            await apply(name, batch.batchId, batch.root);
            const record = await recordOf(f.issuerA, batch.batchId, batch.root);
            expect(record.anchoredAt, `after ${name}`).toBe(anchoredAt);
            if (revokedAt !== 0n) expect(record.revokedAt, `revocation moved by ${name}`).toBe(revokedAt);
            revokedAt = record.revokedAt;
          }
        } finally {
          await revertTo(start);
        }
      }),
      { numRuns: 20 },
    );
  });
});
