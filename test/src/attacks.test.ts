import { beforeAll, describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  assembleBatch,
  batchIdToBytes16,
  type Bundle,
  bundleFor,
  commitCredential,
  decodeVerifyManyResult,
  decodeVerifyResult,
  encodeVerifyCall,
  encodeVerifyManyCall,
  leafOfDigest,
  newBatchId,
  parseCredential,
  proofOf,
  toHex,
} from "../../src";
import {
  accreditor,
  contextOf,
  editsOf,
  fast,
  fx,
  issue,
  type Issuer,
  MILL,
  newIssuer,
  pathText,
  reanchor,
  rootText,
  useAttackChain,
  verdictsOf,
  verify,
  VICTIM,
} from "./attack-chain";

/*
 * Issue 11, attacks on the binding of a credential to its issuer, tried on a real local chain
 * (Hardhat, the v2 CredentialRegistry) through the library's verifier. On format v1 every test
 * below that edits an anchor answered "valid": the leaf committed to the fields only, revocation
 * was keyed by (root, leaf), and `anchor.issuerId` was not hashed.
 */

useAttackChain();

describe("re-anchoring by another issuer (a diploma mill, or anyone with one signer key)", () => {
  let victim: Issuer;
  let mill: Issuer;

  beforeAll(async () => {
    victim = await newIssuer(VICTIM);
    mill = await newIssuer(MILL);
  });

  it.each(["one-leaf", "tree"] as const)(
    "never makes a revoked credential valid again (%s batch, holder edits issuerId / batchId)",
    async (shape) => {
      const issued = await issue(victim, [0, 1, 2]);
      const bundle = issued.bundle(1);
      const { digest, leaf } = issued.credentials[1]!;
      expect((await verify(bundle)).verdict).toBe("valid");
      await victim.client.revokeCredential(digest, "issued in error");
      expect((await verify(bundle)).verdict).toBe("revoked");
      // The mill anchors the victim's leaf, under a batch id of its own and under the victim's own batch id.
      for (const batchId of [newBatchId(), issued.context.batchId]) {
        const target = await reanchor(mill, [leaf], shape, batchId);
        const verdicts = await verdictsOf(editsOf(bundle, target, leaf));
        expect(verdicts).not.toContain("valid");
        // Naming the mill changes the leaf the fields are bound to: the mill's root is missed.
        expect(verdicts[0]).toBe("tampered");
      }
      expect((await verify(bundle)).verdict).toBe("revoked");
    },
  );

  it.each(["one-leaf", "tree"] as const)(
    "never makes a credential of a revoked batch valid again (%s)",
    async (shape) => {
      const issued = await issue(victim, [3, 4]);
      await victim.client.revokeBatch(issued.context.batchId, "exam leaked");
      const bundle = issued.bundle(0);
      expect((await verify(bundle)).verdict).toBe("revoked");
      const leaf = issued.credentials[0]!.leaf;
      const target = await reanchor(mill, shape === "one-leaf" ? [leaf] : [leaf, issued.credentials[1]!.leaf], shape);
      const verdicts = await verdictsOf(editsOf(bundle, target, leaf));
      expect(verdicts).not.toContain("valid");
      expect(verdicts[0]).toBe("tampered");
      // The mill can even anchor the victim's whole root, under the victim's batch id: nothing changes.
      const copied = {
        issuerId: mill.id,
        batchId: issued.context.batchId,
        root: issued.root,
        path: () => proofOf(issued.tree, 0),
      };
      await mill.client.anchor(issued.context.batchId, issued.root, 2).catch(() => undefined);
      expect(await verdictsOf(editsOf(bundle, copied, leaf))).not.toContain("valid");
    },
  );

  it("never makes a credential of an issuer whose accreditation was withdrawn valid again", async () => {
    const college = await newIssuer("Hogeschool Zonder Erkenning");
    const issued = await issue(college, [5, 6]);
    await accreditor.withdrawAccreditation(college.id, issued.anchoredAt, "accredited by mistake");
    const bundle = issued.bundle(1);
    const leaf = issued.credentials[1]!.leaf;
    expect((await verify(bundle)).verdict).toBe("issuer-not-accredited");
    for (const shape of ["one-leaf", "tree"] as const) {
      const target = await reanchor(mill, [leaf], shape);
      expect(await verdictsOf(editsOf(bundle, target, leaf))).not.toContain("valid");
    }
    // Nor can the college itself re-anchor: it can anchor nothing any more.
    await expect(college.client.anchor(newBatchId(), leaf, 1)).rejects.toMatchObject({
      code: "CONTRACT_REVERT",
      revert: { name: "IssuerNotAccredited" },
    });
  });

  it("names the issuer that anchored, as the registry records it, never another", async () => {
    const own = await issue(mill, [7]);
    const result = await verify(own.bundle(0));
    expect(result.verdict).toBe("valid");
    expect(result.issuer).toMatchObject({ id: mill.id, name: MILL });
    // The mill cannot borrow the victim's name: a copy naming the victim is bound to another leaf.
    const borrowed: Bundle = { ...own.bundle(0), anchor: { ...own.bundle(0).anchor, issuerId: victim.id } };
    expect((await verify(borrowed)).verdict).toBe("tampered");
  });
});

describe("re-anchoring by the same issuer under a new root or batch id", () => {
  let issuer: Issuer;

  beforeAll(async () => {
    issuer = await newIssuer("Technische Universiteit Voorbeeld");
  });

  it("never makes a bundle of a revoked batch valid, edited to a new root or batch holding its leaf or root", async () => {
    const issued = await issue(issuer, [8, 9, 10]);
    await issuer.client.revokeBatch(issued.context.batchId, "superseded");
    const bundle = issued.bundle(2);
    const leaf = issued.credentials[2]!.leaf;
    const sameRoot = newBatchId();
    await issuer.client.anchor(sameRoot, issued.root, 3);
    const targets = [
      await reanchor(issuer, [leaf], "one-leaf"),
      await reanchor(issuer, [leaf], "tree"),
      // Under the revoked batch id itself, with a new root: the revocation holds for every root.
      await reanchor(issuer, [leaf], "one-leaf", issued.context.batchId),
      await reanchor(issuer, [leaf], "tree", issued.context.batchId),
      { issuerId: issuer.id, batchId: sameRoot, root: issued.root, path: () => proofOf(issued.tree, 2) },
    ];
    for (const target of targets) expect(await verdictsOf(editsOf(bundle, target, leaf))).not.toContain("valid");
    expect((await verify(bundle)).verdict).toBe("revoked");
    // The leaf under the revoked batch id and a new root of the issuer's own: still revoked.
    const sameId = targets[3]!;
    const reRooted = { ...bundle, root: rootText(sameId.root), proof: pathText(sameId.path(leaf)) };
    const result = await verify(reRooted);
    expect(result.verdict).toBe("revoked");
    expect(result.checks.find((c) => c.name === "revocation")?.message).toMatch(/^the batch was revoked at /);
  });

  it("keeps an unrevoked credential its issuer's when it re-anchors it under a new root: valid, naming the issuer", async () => {
    const issued = await issue(issuer, [22, 23]);
    const leaf = issued.credentials[0]!.leaf;
    const target = await reanchor(issuer, [leaf], "tree", issued.context.batchId);
    const result = await verify({
      ...issued.bundle(0),
      root: rootText(target.root),
      proof: pathText(target.path(leaf)),
    });
    expect(result.verdict).toBe("valid");
    expect(result.issuer).toMatchObject({ id: issuer.id, name: "Technische Universiteit Voorbeeld" });
  });

  it("keeps a revoked credential revoked when its issuer commits the same digest in a new batch", async () => {
    const issued = await issue(issuer, [11, 12]);
    const original = issued.credentials[0]!;
    await issuer.client.revokeCredential(original.digest, "withdrawn");
    // A new batch whose leaf is the same digest bound to the new batch id (what a re-issue with the
    // same secret would anchor): the holder points the bundle at it with its new path.
    const batchId = newBatchId();
    const rebound = { ...original, leaf: leafOfDigest(contextOf(issuer, batchId), original.digest) };
    const other = commitCredential(parseCredential(sampleCredential(13)), contextOf(issuer, batchId));
    const batch = assembleBatch(contextOf(issuer, batchId), [rebound, other]);
    await issuer.client.anchor(batchId, batch.root, batch.count);
    const moved: Bundle = {
      ...issued.bundle(0),
      anchor: { ...issued.bundle(0).anchor, batchId },
      root: rootText(batch.root),
      proof: pathText(proofOf(batch.tree, 0)),
    };
    const result = await verify(moved);
    expect(result.verdict).toBe("revoked");
    expect(result.checks.find((c) => c.name === "proof")?.ok).toBe(true);
    expect(result.checks.find((c) => c.name === "revocation")?.message).toMatch(/^the credential was revoked at /);
    // The unrevoked neighbour of the new batch is valid: the batch itself is fine.
    expect((await verify(bundleFor(batch, 1, 1))).verdict).toBe("valid");
  });
});

describe("an internal node offered as a leaf", () => {
  it("is refused by every verify view: each derives the leaf from a digest", async () => {
    const issuer = await newIssuer("Internal Node University");
    const issued = await issue(issuer, [18, 19, 20, 21]);
    // The parent of leaves 0 and 1 (credential 1 revoked), with the rest of leaf 0's path, reaches the root.
    await issuer.client.revokeCredential(issued.credentials[1]!.digest, "revoked");
    const internal = toHex(issued.tree.layers[1]!.subarray(0, 32));
    const suffix = proofOf(issued.tree, 0).slice(1);
    const request = {
      issuerId: issuer.id,
      batchId: issued.context.batchId,
      root: issued.root,
      digest: internal,
      proof: suffix,
    };
    const single = decodeVerifyResult(await fast.call({ to: fx.registry, data: encodeVerifyCall(request) }), issuer.id);
    const [many] = decodeVerifyManyResult(await fast.call({ to: fx.registry, data: encodeVerifyManyCall([request]) }), [
      request,
    ]);
    const plain = (await issuer.client.contract
      .getFunction("verify")
      .staticCall(issuer.id, batchIdToBytes16(request.batchId), issued.root, internal, suffix)) as { status: bigint };
    expect([single.status, many!.status, Number(plain.status)]).toEqual(["bad-proof", "bad-proof", 2]);
    expect(single.leaf).toBe(leafOfDigest(issued.context, internal));
  });
});
