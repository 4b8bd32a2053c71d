import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  buildBatch,
  leafOf,
  processProof,
  randomBatchId,
  randomBytes32,
  treeOf,
  type CredentialBatch,
} from "./batches";
import {
  anchorBatch,
  failureOf,
  statusEverywhere,
  validOf,
  verifyEverywhere,
  verifyManyOf,
  type Anchored,
} from "./calls";
import {
  MAX_UINT64,
  blockTimestamp,
  deployFixture,
  eventsOf,
  expectRevert,
  mined,
  snapshots,
  type Fixture,
  type VerifyRequest,
  type RegistryStatus,
} from "./helpers";

/**
 * Regression tests of the attacks that the v1 registry (global roots, revocation keyed by
 * (root, leaf), leaves that committed to the digest alone) let through. Each says how v1 failed.
 * Issuer A is the victim, issuer C the attacker. Anchors are (issuer, batch id, root) records, so a
 * batch id may carry several roots of its issuer: a batch revocation holds for the batch id under
 * every root, a credential revocation for the digest in every batch.
 */

let f: Fixture;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const as = (signer = f.signerA) => f.registry.connect(signer);
/** `request` naming issuer `issuerId` (and optionally another batch id or root) instead. */
const naming = (
  request: VerifyRequest,
  issuerId: bigint,
  batchId = request.batchId,
  root = request.root,
): VerifyRequest => ({ ...request, issuerId, batchId, root });
const requestsOf = (batch: CredentialBatch) => batch.digests.map((_, i) => batch.request(i));

async function expectStatuses(requests: readonly VerifyRequest[], status: RegistryStatus, what: string): Promise<void> {
  for (const [i, request] of requests.entries()) {
    expect(await statusEverywhere(f.registry, request), `${what}, credential ${i}`).toBe(status);
  }
}

// v1: roots were global, so C anchoring A's root first (seen in the mempool) made A's anchor revert
// BatchAlreadyAnchored, and A's credentials then verified as C's.
describe("attack: front-running a pending anchor", () => {
  it("C anchors A's pending (batchId, root) first; A's anchor still succeeds and the credentials are A's only", async () => {
    const batch = buildBatch(f.context, f.issuerA, { size: 4 });
    const byC = await mined(as(f.signerC).anchor(batch.batchId, batch.root, 4, "ipfs://stolen"));
    expect(await eventsOf(f.registry, byC)).toEqual([
      { name: "BatchAnchored", args: [f.issuerC, batch.batchId, batch.root, f.signerC.address, 4n, "ipfs://stolen"] },
    ]);
    // Until A's anchor is mined, A's credentials are not anchored: C's copy lends them nothing.
    await expectStatuses(requestsOf(batch), "not-anchored", "before A's anchor");
    const byA = await mined(as().anchor(batch.batchId, batch.root, 4, "ipfs://a"));
    expect(await eventsOf(f.registry, byA)).toEqual([
      { name: "BatchAnchored", args: [f.issuerA, batch.batchId, batch.root, f.signerA.address, 4n, "ipfs://a"] },
    ]);
    const anchoredAt = await blockTimestamp(byA);
    for (const [i, request] of requestsOf(batch).entries()) {
      expect(await verifyEverywhere(f.registry, request)).toEqual(validOf(batch, i, anchoredAt, MAX_UINT64));
      // In C's namespace the root is there, but the leaf derived with issuer C is not in the tree.
      const leafUnderC = leafOf(f.context, f.issuerC, batch.batchId, batch.digest(i));
      expect(await verifyEverywhere(f.registry, naming(request, f.issuerC))).toEqual(
        failureOf("bad-proof", leafUnderC),
      );
    }
  });

  it("leaves A's credentials valid when C revokes its copy's batch id", async () => {
    const batch = buildBatch(f.context, f.issuerA, { size: 2 });
    await mined(as(f.signerC).anchor(batch.batchId, batch.root, 2, ""));
    await mined(as().anchor(batch.batchId, batch.root, 2, ""));
    await mined(as(f.signerC).revokeBatch(batch.batchId, "griefing"));
    await expectStatuses(requestsOf(batch), "valid", "A's credential after C revoked its copy");
  });

  it("leaves A's pending batch anchorable and valid when C revokes its batch id first", async () => {
    const batch = buildBatch(f.context, f.issuerA, { size: 2 });
    await mined(as(f.signerC).revokeBatch(batch.batchId, "pre-emptive griefing"));
    await mined(as().anchor(batch.batchId, batch.root, 2, ""));
    await expectStatuses(requestsOf(batch), "valid", "A's credential after C revoked the id in its namespace");
  });
});

// v1: revocation was keyed by (root, leaf), so the same leaf under any other root (a one-leaf batch
// whose root is the leaf, or a new tree) verified Valid again, by another issuer or the same one.
describe("attack: re-anchoring a revoked credential", () => {
  let a: Anchored;
  let revoked: VerifyRequest;
  let revokedAt: bigint;

  beforeEach(async () => {
    a = await anchorBatch(f, f.signerA, f.issuerA, { size: 4 });
    revoked = a.batch.request(1);
    revokedAt = await blockTimestamp(await mined(as().revokeCredential(revoked.digest, "plagiarism")));
    expect(await statusEverywhere(f.registry, revoked)).toBe("credential-revoked");
  });

  it("by another issuer, as a one-leaf batch whose root is A's leaf: never Valid naming A or C", async () => {
    const leaf = a.batch.leaf(1);
    const otherId = randomBatchId();
    for (const batchId of [a.batch.batchId, otherId]) await mined(as(f.signerC).anchor(batchId, leaf, 1, ""));
    const alone = { ...revoked, root: leaf, proof: [] };
    const attempts: [string, VerifyRequest, RegistryStatus][] = [
      ["A's own request", revoked, "credential-revoked"],
      ["naming A, C's one-leaf root", alone, "not-anchored"],
      ["naming C, C's one-leaf root", naming(alone, f.issuerC), "bad-proof"],
      ["naming C and C's other batch id", naming(alone, f.issuerC, otherId), "bad-proof"],
      ["naming A and C's other batch id", naming(alone, f.issuerA, otherId), "bad-proof"],
    ];
    for (const [what, request, status] of attempts) {
      expect(await statusEverywhere(f.registry, request), what).toBe(status);
    }
  });

  it("by another issuer, inside a new tree of its own: never Valid naming A or C", async () => {
    const own = leafOf(f.context, f.issuerC, a.batch.batchId, randomBytes32());
    const tree = treeOf([a.batch.leaf(1), randomBytes32(), own]);
    const otherId = randomBatchId();
    for (const batchId of [a.batch.batchId, otherId]) await mined(as(f.signerC).anchor(batchId, tree.root, 3, ""));
    const path = { ...revoked, root: tree.root, proof: tree.proof(0) };
    expect(processProof(a.batch.leaf(1), path.proof)).toBe(tree.root);
    const attempts: [string, VerifyRequest, RegistryStatus][] = [
      ["naming C", naming(path, f.issuerC), "bad-proof"],
      ["naming C and C's other batch id", naming(path, f.issuerC, otherId), "bad-proof"],
      ["naming A, C's root", naming(path, f.issuerA), "not-anchored"],
      ["naming A and C's other batch id", naming(path, f.issuerA, otherId), "bad-proof"],
    ];
    for (const [what, request, status] of attempts) {
      expect(await statusEverywhere(f.registry, request), what).toBe(status);
    }
  });

  it("by the same issuer, under a new batch id holding the same digest: still CredentialRevoked", async () => {
    const again = await anchorBatch(f, f.signerA, f.issuerA, { digests: [randomBytes32(), revoked.digest] });
    expect(await verifyEverywhere(f.registry, again.batch.request(1))).toEqual({
      ...validOf(again.batch, 1, again.anchoredAt, MAX_UINT64),
      status: "credential-revoked",
      credentialRevokedAt: revokedAt,
    });
    expect(await statusEverywhere(f.registry, again.batch.request(0))).toBe("valid");
  });

  it("by the same issuer, under the old batch id with a second root: still CredentialRevoked", async () => {
    const replacement = buildBatch(f.context, f.issuerA, {
      digests: [revoked.digest, randomBytes32()],
      batchId: a.batch.batchId,
    });
    expect(replacement.leaf(0)).toBe(a.batch.leaf(1));
    const anchoredAt = await blockTimestamp(await mined(as().anchor(a.batch.batchId, replacement.root, 2, "")));
    expect(await verifyEverywhere(f.registry, replacement.request(0))).toEqual({
      ...validOf(replacement, 0, anchoredAt, MAX_UINT64),
      status: "credential-revoked",
      credentialRevokedAt: revokedAt,
    });
    expect(await statusEverywhere(f.registry, replacement.request(1))).toBe("valid");
    // The revoked leaf alone as a root, under the old batch id: revoked too.
    const alone = { ...revoked, root: a.batch.leaf(1), proof: [] };
    await mined(as().anchor(a.batch.batchId, alone.root, 1, ""));
    expect(await statusEverywhere(f.registry, alone)).toBe("credential-revoked");
  });

  it("by the same issuer, the same batch id and root again: BatchAlreadyAnchored", async () => {
    await expectRevert(as().anchor(a.batch.batchId, a.batch.root, 4, ""), "BatchAlreadyAnchored", [
      f.issuerA,
      a.batch.batchId,
      a.batch.root,
    ]);
    expect(await statusEverywhere(f.registry, revoked)).toBe("credential-revoked");
  });
});

// v1: a batch revocation or a withdrawal held for the (root → issuer) record only; the same leaves
// anchored again under another root verified Valid, with another issuer or with the same one.
describe("attack: escaping a revoked batch or a withdrawn accreditation", () => {
  let a: Anchored;

  beforeEach(async () => {
    a = await anchorBatch(f, f.signerA, f.issuerA, { size: 3 });
  });

  /**
   * C anchors A's batch id and root in its namespace, and each of A's leaves as a one-leaf batch
   * (under A's batch id and under a fresh one); returns the requests naming A that C's roots
   * support (each leaf alone, empty path): never anchored by A.
   */
  async function reanchorAsC(): Promise<VerifyRequest[]> {
    await mined(as(f.signerC).anchor(a.batch.batchId, a.batch.root, 3, ""));
    const alone: VerifyRequest[] = [];
    for (const [i, leaf] of a.batch.leaves.entries()) {
      await mined(as(f.signerC).anchor(a.batch.batchId, leaf, 1, ""));
      await mined(as(f.signerC).anchor(randomBatchId(), leaf, 1, ""));
      alone.push({ ...a.batch.request(i), root: leaf, proof: [] });
    }
    return alone;
  }

  it("a revoked batch stays revoked when another issuer re-anchors its batch id, root or leaves", async () => {
    const receipt = await mined(as().revokeBatch(a.batch.batchId, "exam leaked"));
    expect(await eventsOf(f.registry, receipt)).toEqual([
      { name: "BatchRevoked", args: [f.issuerA, a.batch.batchId, f.signerA.address, "exam leaked"] },
    ]);
    const alone = await reanchorAsC();
    await expectStatuses(requestsOf(a.batch), "batch-revoked", "naming A");
    await expectStatuses(alone, "not-anchored", "naming A, C's one-leaf roots");
    await expectStatuses(
      [...requestsOf(a.batch), ...alone].map((r) => naming(r, f.issuerC)),
      "bad-proof",
      "naming C",
    );
  });

  it("a revoked batch id stays revoked under a second root its own issuer anchors with the same leaves", async () => {
    const revokedAt = await blockTimestamp(await mined(as().revokeBatch(a.batch.batchId, "exam leaked")));
    // The same leaves in another order, with a new one, and each leaf alone: three new roots.
    const fresh = randomBytes32();
    const reordered = buildBatch(f.context, f.issuerA, {
      digests: [fresh, ...[...a.batch.digests].reverse()],
      batchId: a.batch.batchId,
    });
    expect(reordered.root).not.toBe(a.batch.root);
    const anchoredAt = await blockTimestamp(await mined(as().anchor(a.batch.batchId, reordered.root, 4, "")));
    for (const i of reordered.digests.keys()) {
      expect(await verifyEverywhere(f.registry, reordered.request(i)), `credential ${i}`).toEqual({
        ...validOf(reordered, i, anchoredAt, MAX_UINT64),
        status: "batch-revoked",
        batchRevokedAt: revokedAt,
      });
    }
    const alone = requestsOf(a.batch).map((r, i) => ({ ...r, root: a.batch.leaf(i), proof: [] }));
    for (const request of alone) await mined(as().anchor(a.batch.batchId, request.root, 1, ""));
    await expectStatuses(alone, "batch-revoked", "each leaf alone under the old batch id");
    await expectStatuses(requestsOf(a.batch), "batch-revoked", "the original root");
    // The same (batch id, root) twice is refused outright.
    await expectRevert(as().anchor(a.batch.batchId, reordered.root, 4, ""), "BatchAlreadyAnchored", [
      f.issuerA,
      a.batch.batchId,
      reordered.root,
    ]);
  });

  it("a second root of a revoked batch id reports both revocations, the batch's first", async () => {
    const credentialRevokedAt = await blockTimestamp(await mined(as().revokeCredential(a.batch.digest(0), "fraud")));
    const batchRevokedAt = await blockTimestamp(await mined(as().revokeBatch(a.batch.batchId, "exam leaked")));
    const second = buildBatch(f.context, f.issuerA, {
      digests: [a.batch.digest(2), a.batch.digest(0)],
      batchId: a.batch.batchId,
    });
    const anchoredAt = await blockTimestamp(await mined(as().anchor(a.batch.batchId, second.root, 2, "")));
    const revoked = { ...validOf(second, 0, anchoredAt, MAX_UINT64), status: "batch-revoked", batchRevokedAt };
    expect(await verifyEverywhere(f.registry, second.request(0))).toEqual(revoked);
    expect(await verifyEverywhere(f.registry, second.request(1))).toEqual({
      ...revoked,
      leaf: second.leaf(1),
      credentialRevokedAt,
    });
  });

  it("a revoked batch's leaves are not revived under a new batch id: they commit to the old one", async () => {
    await mined(as().revokeBatch(a.batch.batchId, ""));
    const newId = randomBatchId();
    await mined(as().anchor(newId, a.batch.root, 3, ""));
    await expectStatuses(
      requestsOf(a.batch).map((r) => naming(r, f.issuerA, newId)),
      "bad-proof",
      "under the new id",
    );
    await expectStatuses(requestsOf(a.batch), "batch-revoked", "under the old id");
  });

  it("a withdrawn accreditation holds when another issuer re-anchors the batch, and stops the issuer re-anchoring", async () => {
    await mined(as(f.accreditor).withdrawAccreditation(f.issuerA, a.anchoredAt, "key compromised"));
    await expectStatuses(requestsOf(a.batch), "issuer-not-accredited", "before C re-anchors");
    const other = buildBatch(f.context, f.issuerA, { digests: a.batch.digests.slice(1), batchId: a.batch.batchId });
    for (const [batchId, root] of [
      [a.batch.batchId, other.root],
      [randomBatchId(), a.batch.root],
    ]) {
      await expectRevert(as().anchor(batchId!, root!, 3, ""), "IssuerNotAccredited", [f.issuerA, a.anchoredAt]);
    }
    const alone = await reanchorAsC();
    await expectStatuses(requestsOf(a.batch), "issuer-not-accredited", "naming A");
    await expectStatuses(alone, "not-anchored", "naming A, C's one-leaf roots");
    await expectStatuses(
      [...requestsOf(a.batch), ...alone].map((r) => naming(r, f.issuerC)),
      "bad-proof",
      "naming C",
    );
  });

  it("a withdrawn issuer's signer cannot move to another issuer to anchor there", async () => {
    await mined(as(f.accreditor).withdrawAccreditation(f.issuerA, a.anchoredAt, ""));
    await mined(as(f.accreditor).removeSigner(f.issuerA, f.signerA));
    await expectRevert(as(f.signerC).addSigner(f.issuerC, f.signerA), "SignerAlreadyAssigned", [
      f.signerA.address,
      f.issuerA,
    ]);
  });
});

// v1: verify(root, leaf, proof) took the leaf as given, so an internal node with the rest of a path
// verified Valid, and revoking a leaf did not revoke its parent offered that way.
describe("attack: an internal node offered as a credential", () => {
  let a: Anchored;
  /** Node requests: the parent of credentials 0 (revoked) and 1, the grandparent of 4–7, the root. */
  let nodes: VerifyRequest[];

  beforeEach(async () => {
    a = await anchorBatch(f, f.signerA, f.issuerA, { size: 8 });
    await mined(as().revokeCredential(a.batch.digest(0), "revoked leaf under the parent"));
    const { batch } = a;
    nodes = [
      { ...batch.request(0), digest: batch.node(1, 0), proof: batch.proof(0).slice(1) },
      { ...batch.request(4), digest: batch.node(2, 1), proof: batch.proof(4).slice(2) },
      { ...batch.request(1), digest: batch.root, proof: [] },
    ];
    // What v1 accepted: each node and its partial path do lead to the anchored root.
    for (const node of nodes) expect(processProof(node.digest, node.proof)).toBe(node.root);
  });

  it("returns BadProof from verify, verifyWithIssuer and verifyMany for each node, one at a time", async () => {
    for (const node of nodes) {
      const leaf = leafOf(f.context, f.issuerA, a.batch.batchId, node.digest);
      expect(await verifyEverywhere(f.registry, node)).toEqual(failureOf("bad-proof", leaf));
    }
  });

  it("returns BadProof for the nodes in one verifyMany call, beside the real credentials", async () => {
    const { batch } = a;
    const answers = await verifyManyOf(f.registry, [...nodes, batch.request(0), batch.request(1)]);
    expect(answers.map((x) => x.verification.status)).toEqual([
      "bad-proof",
      "bad-proof",
      "bad-proof",
      "credential-revoked",
      "valid",
    ]);
  });

  it("returns BadProof for a node offered as the root too, with an empty path", async () => {
    const { batch } = a;
    const asRoots = nodes.map((node) => ({ ...node, root: node.digest, proof: [] }));
    await expectStatuses(asRoots, "bad-proof", "node as its own root");
    expect(await statusEverywhere(f.registry, { ...batch.request(2), root: batch.node(1, 1), proof: [] })).toBe(
      "bad-proof",
    );
  });

  it("returns BadProof for a leaf offered in place of its digest", async () => {
    const { batch } = a;
    const asLeaf = [2, 5].map((i) => ({ ...batch.request(i), digest: batch.leaf(i) }));
    await expectStatuses(asLeaf, "bad-proof", "leaf as digest");
  });
});
