import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sampleCredential } from "../../scripts/lib/samples";
import {
  assembleBatch,
  type Bundle,
  bundleFor,
  buildTree,
  bundlePath,
  bundleRoot,
  type CommittedCredential,
  createPresentation,
  fromHex32,
  type Hex32,
  leafOfDigest,
  type MerkleTree,
  newBatchId,
  prepareBatch,
  processProof,
  proofOf,
  toHex,
  treeRoot,
  type Verdict,
  type VerificationResult,
  verifyPresentation,
} from "../../src";
import {
  accreditor,
  contextOf,
  editsOf,
  fast,
  fx,
  type Issuer,
  newIssuer,
  pathText,
  type Reanchored,
  rootText,
  timestampOf,
  useAttackChain,
} from "./attack-chain";

/* Issue 11: re-anchoring attacks as a property, over random sequences of anchors and revocations on a real local chain. */

useAttackChain();

describe("property: no re-anchored leaf verifies valid unless its own issuer anchored it and never revoked it", () => {
  type Action =
    | { kind: "anchor"; issuer: number; size: number }
    | { kind: "revoke-credential"; issuer: number; pick: number }
    | { kind: "revoke-batch"; issuer: number; pick: number }
    | { kind: "withdraw"; issuer: number; pick: number; retroactive: boolean }
    | { kind: "reanchor"; issuer: number; picks: number[]; shape: "one-leaf" | "tree"; sameBatchId: boolean }
    | { kind: "recommit"; pick: number };

  const action: fc.Arbitrary<Action> = fc.oneof(
    fc.record({ kind: fc.constant("anchor" as const), issuer: fc.nat(), size: fc.integer({ min: 1, max: 3 }) }),
    fc.record({ kind: fc.constant("revoke-credential" as const), issuer: fc.nat(), pick: fc.nat() }),
    fc.record({ kind: fc.constant("revoke-batch" as const), issuer: fc.nat(), pick: fc.nat() }),
    fc.record({ kind: fc.constant("withdraw" as const), issuer: fc.nat(), pick: fc.nat(), retroactive: fc.boolean() }),
    fc.record({ kind: fc.constant("recommit" as const), pick: fc.nat() }),
  );
  /** Re-anchorings are what the property is about: about half the actions. */
  const reanchorAction: fc.Arbitrary<Action> = fc.record({
    kind: fc.constant("reanchor" as const),
    issuer: fc.nat(),
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
    shape: fc.constantFrom("one-leaf" as const, "tree" as const),
    sameBatchId: fc.boolean(),
  });

  /** A root an issuer anchored under a batch id, and the leaves of its tree. */
  interface Anchoring {
    owner: number;
    batchId: string;
    root: Hex32;
    anchoredAt: number;
    leaves: Hex32[];
    tree: MerkleTree | null;
  }

  /** A credential its `owner` issued in `home`, and the owner's later anchorings of its digest. */
  interface Issued {
    owner: number;
    home: Anchoring;
    committed: CommittedCredential;
    bundle: Bundle;
    /** The owner's later batches holding this digest, bound to them (a re-issue with the same secret). */
    recommits: Anchoring[];
  }

  it("holds for random batches, issuers, revocations, withdrawals and re-anchorings", async () => {
    let runs = 0;
    let candidates = 0;
    let valid = 0;
    let edited = 0;
    let sample = 100;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 3 }),
        fc.array(fc.oneof(action, reanchorAction), { minLength: 3, maxLength: 8 }),
        async (n, actions) => {
          runs += 1;
          const issuers: Issuer[] = [];
          for (let i = 0; i < n; i++) issuers.push(await newIssuer(`Issuer ${runs}.${i}`));
          const until = issuers.map(() => Number.POSITIVE_INFINITY);
          const anchorings: Anchoring[] = [];
          const issued: Issued[] = [];
          const revokedDigests = new Set<string>();
          const revokedBatches = new Set<string>();
          const reanchors: Anchoring[] = [];
          const taken = new Set<string>();

          const record = async (owner: number, batchId: string, leaves: Hex32[], tree: MerkleTree | null) => {
            const root = tree ? treeRoot(tree) : leaves[0]!;
            const { blockNumber } = await issuers[owner]!.client.anchor(batchId, root, leaves.length);
            taken.add(`${owner}:${batchId}:${root}`);
            const anchoring = { owner, batchId, root, anchoredAt: await timestampOf(blockNumber), leaves, tree };
            anchorings.push(anchoring);
            return anchoring;
          };
          const accredited = async (owner: number) => (await fast.getBlock("latest"))!.timestamp + 1 < until[owner]!;
          /** Runs an anchoring; when the issuer is no longer accredited, checks that the chain refuses it. */
          const anchorAs = async (owner: number, run: () => Promise<unknown>) => {
            if (await accredited(owner)) return run();
            await expect(run()).rejects.toMatchObject({ revert: { name: "IssuerNotAccredited" } });
            return undefined;
          };
          const issueBatch = async (owner: number, size: number) => {
            const batchId = newBatchId();
            const batch = prepareBatch(
              Array.from({ length: size }, () => sampleCredential(sample++)),
              contextOf(issuers[owner]!, batchId),
            );
            const home = await record(
              owner,
              batchId,
              batch.credentials.map((c) => c.leaf),
              batch.tree,
            );
            batch.credentials.forEach((committed, i) =>
              issued.push({ owner, home, committed, bundle: bundleFor(batch, i, 1), recommits: [] }),
            );
          };

          for (let i = 0; i < n; i++) await issueBatch(i, 2);
          for (const a of actions) {
            const who = "issuer" in a ? a.issuer % n : 0;
            if (a.kind === "anchor") {
              await anchorAs(who, () => issueBatch(who, a.size));
            } else if (a.kind === "revoke-credential") {
              // Any issuer may revoke any digest, but only under its own id: another issuer's credential is untouched.
              const target = issued[a.pick % issued.length]!;
              const key = `${who}:${target.committed.digest}`;
              if (revokedDigests.has(key)) continue;
              await issuers[who]!.client.revokeCredential(target.committed.digest, "property");
              revokedDigests.add(key);
            } else if (a.kind === "revoke-batch") {
              // Any batch id, even another issuer's: it revokes the caller's own batch of that id only.
              const target = anchorings[a.pick % anchorings.length]!;
              const key = `${who}:${target.batchId}`;
              if (revokedBatches.has(key)) continue;
              await issuers[who]!.client.revokeBatch(target.batchId, "property");
              revokedBatches.add(key);
            } else if (a.kind === "withdraw") {
              const own = anchorings.filter((x) => x.owner === who);
              const from = a.retroactive
                ? own[a.pick % own.length]!.anchoredAt
                : (await fast.getBlock("latest"))!.timestamp + 1;
              if (from >= until[who]!) continue;
              await accreditor.withdrawAccreditation(issuers[who]!.id, from, "property");
              until[who] = from;
            } else if (a.kind === "reanchor") {
              // Anyone (the owner included) anchors leaves it finds, alone or in a tree of its own,
              // under a new batch id or under the first victim's own batch id.
              const victims = [...new Set(a.picks.map((p) => issued[p % issued.length]!))];
              const leaves = victims.map((v) => v.committed.leaf);
              const batchId = a.sameBatchId ? victims[0]!.home.batchId : newBatchId();
              const filler = leafOfDigest(contextOf(issuers[who]!, batchId), toHex(new Uint8Array(32).fill(runs)));
              const all = a.shape === "one-leaf" ? [leaves[0]!] : [filler, ...leaves];
              const tree = a.shape === "one-leaf" ? null : buildTree(all.map(fromHex32));
              if (taken.has(`${who}:${batchId}:${tree ? treeRoot(tree) : all[0]!}`)) continue;
              await anchorAs(who, async () => reanchors.push(await record(who, batchId, all, tree)));
            } else {
              // The owner commits the same digest again in a new batch (same secret, new binding).
              const target = issued[a.pick % issued.length]!;
              const context = contextOf(issuers[target.owner]!, newBatchId());
              const rebound = { ...target.committed, leaf: leafOfDigest(context, target.committed.digest) };
              const batch = assembleBatch(context, [rebound]);
              await anchorAs(target.owner, async () => {
                target.recommits.push(await record(target.owner, context.batchId, [rebound.leaf], batch.tree));
              });
            }
          }

          /** The verdict the registry owes a credential of `owner` with `digest` under anchoring `at`. */
          const owed = (owner: number, digest: Hex32, at: Anchoring): Verdict => {
            if (revokedBatches.has(`${owner}:${at.batchId}`) || revokedDigests.has(`${owner}:${digest}`)) {
              return "revoked";
            }
            return at.anchoredAt >= until[owner]! ? "issuer-not-accredited" : "valid";
          };
          const pathIn = (at: Anchoring, leaf: Hex32) => (at.tree ? proofOf(at.tree, at.leaves.indexOf(leaf)) : []);
          const targetOf = (at: Anchoring, leaf: Hex32): Reanchored => ({
            issuerId: issuers[at.owner]!.id,
            batchId: at.batchId,
            root: at.root,
            path: () => pathIn(at, leaf),
          });

          /**
           * The oracle: what the registry owes `bundle`, a copy of `c`'s bundle pointing anywhere.
           * Only an anchoring by `c`'s own issuer, under the batch id and root the copy names, whose
           * tree holds `c`'s digest bound to that issuer and batch id, can make it valid.
           */
          const expectedFor = (c: Issued, bundle: Bundle): Verdict | "not valid" => {
            const { issuerId, batchId } = bundle.anchor;
            if (issuerId !== issuers[c.owner]!.id) return "not valid";
            const leaf = leafOfDigest(contextOf(issuers[c.owner]!, batchId), c.committed.digest);
            const root = bundleRoot(bundle);
            if (processProof(leaf, bundlePath(bundle)) !== root) return "not valid";
            const at = anchorings.find((x) => x.owner === c.owner && x.batchId === batchId && x.root === root);
            return at ? owed(c.owner, c.committed.digest, at) : "not valid";
          };

          const cases: { bundle: Bundle; c: Issued; what: string }[] = [];
          for (const c of issued) {
            cases.push({ bundle: c.bundle, c, what: "genuine" });
            for (const r of c.recommits) {
              const moved: Bundle = {
                ...c.bundle,
                anchor: { ...c.bundle.anchor, batchId: r.batchId },
                root: rootText(r.root),
                proof: pathText(pathIn(r, r.leaves[0]!)),
              };
              cases.push({ bundle: moved, c, what: "re-issued by its owner in a new batch" });
            }
            for (const r of reanchors.filter((x) => x.leaves.includes(c.committed.leaf))) {
              for (const edit of editsOf(c.bundle, targetOf(r, c.committed.leaf), c.committed.leaf)) {
                const named = [
                  edit.anchor.issuerId,
                  edit.anchor.batchId,
                  edit.root === c.bundle.root ? "own root" : "new root",
                ];
                const what = `issuer ${c.owner}'s leaf re-anchored by issuer ${r.owner}, edited to ${JSON.stringify(named)}`;
                cases.push({ bundle: edit, c, what });
                edited += 1;
              }
            }
          }
          const results: VerificationResult[] = [];
          for (let i = 0; i < cases.length; i += 100) {
            const chunk = cases.slice(i, i + 100).map((x) => x.bundle);
            results.push(...(await verifyPresentation(createPresentation(chunk), { chains: fx.trusted })).credentials);
          }
          candidates += cases.length;
          cases.forEach(({ bundle, c, what }, i) => {
            const result = results[i]!;
            const expected = expectedFor(c, bundle);
            if (expected === "not valid") expect(result.verdict, what).not.toBe("valid");
            else expect(result.verdict, what).toBe(expected);
            if (result.verdict === "valid") {
              valid += 1;
              // A valid verdict names the credential's own issuer, as the registry records it.
              expect(result.issuer).toMatchObject({ id: issuers[c.owner]!.id, name: issuers[c.owner]!.name });
            }
          });
        },
      ),
      // Shrinking would replay whole chains of transactions: report the first counterexample as found.
      { numRuns: 8, endOnFailure: true },
    );
    console.log(
      `attacks | property | ${runs} runs, ${candidates} bundles verified (${edited} edited to name a re-anchoring), ` +
        `${valid} legitimately valid`,
    );
    expect(edited).toBeGreaterThan(0);
    expect(valid).toBeGreaterThan(0);
    expect(valid).toBeLessThan(candidates);
  });
});
