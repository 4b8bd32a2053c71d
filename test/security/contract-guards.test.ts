import fc from "fast-check";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import hre from "hardhat";
import { ZeroHash, type ContractTransactionResponse } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type Batch,
  buildBatch,
  decodeRevert,
  deployFixture,
  expectRevert,
  type Fixture,
  increaseTime,
  latestTimestamp,
  type MerkleBatch,
  mined,
  randomBytes32,
  revertTo,
  Status,
  takeSnapshot,
  toBatch,
  toIssuer,
  toVerificationWithIssuer,
} from "../contracts/helpers";

/**
 * Issue 6, item 7: every access and input guard of the registry, one table-driven test each, on a
 * fresh deployment (issuer A = 1 and issuer B = 2, one signer each, a batch of A anchored); then
 * an invariant over random operation sequences by random actors.
 */

let f: Fixture;
let accreditorRole: string;
let adminRole: string;
/** Issuer A's batch, anchored in the fixture. */
const batchA: MerkleBatch = buildBatch(8);
let anchoredAtA: bigint;
let snapshot: string;

beforeAll(async () => {
  f = await deployFixture();
  accreditorRole = await f.registry.ACCREDITOR_ROLE();
  adminRole = await f.registry.DEFAULT_ADMIN_ROLE();
  await mined(f.registry.connect(f.signerA).anchor(batchA.root, 8, ""));
  anchoredAtA = toBatch(await f.registry.getBatch(batchA.root)).anchoredAt;
  snapshot = await takeSnapshot();
});

// evm_revert consumes the snapshot, so each test takes the next one.
beforeEach(async () => {
  await revertTo(snapshot);
  snapshot = await takeSnapshot();
});

const as = (signer: HardhatEthersSigner) => f.registry.connect(signer);

/** Everything a guarded call could have changed: batch A, its first leaf, the issuers, the signers. */
async function registryState(roots: readonly string[]): Promise<unknown> {
  const accounts = [f.admin, f.accreditor, f.signerA, f.signerB, f.spare, f.outsider];
  return {
    batches: await Promise.all(roots.map(async (root) => toBatch(await f.registry.getBatch(root)))),
    leafRevokedAt: await f.registry.credentialRevokedAt(batchA.root, batchA.leaf(0)),
    issuerCount: await f.registry.issuerCount(),
    issuers: [toIssuer(await f.registry.getIssuer(1)), toIssuer(await f.registry.getIssuer(2))],
    signers: await Promise.all(accounts.map((a) => f.registry.issuerOf(a))),
  };
}

interface GuardCase {
  /** Who does what, e.g. "issuer B anchors A's root". */
  what: string;
  call(): Promise<ContractTransactionResponse>;
  error: string;
  args(): unknown[];
}

interface Guard {
  guard: string;
  /** Sets up what the guard is about (runs after the fixture snapshot is restored). */
  arrange?(): Promise<{ roots?: string[] }>;
  /** `roots`: what `arrange` made; `untilB`: issuer B's accreditation end once arranged. */
  cases(context: { roots: string[]; untilB: bigint }): GuardCase[];
}

const GUARDS: Guard[] = [
  {
    guard: "a root is anchored once, by whichever issuer came first",
    cases: () => [
      {
        what: "issuer A anchors its root again",
        call: () => as(f.signerA).anchor(batchA.root, 8, ""),
        error: "BatchAlreadyAnchored",
        args: () => [batchA.root, f.issuerA, anchoredAtA],
      },
      {
        what: "issuer B anchors A's root",
        call: () => as(f.signerB).anchor(batchA.root, 1, "ipfs://b"),
        error: "BatchAlreadyAnchored",
        args: () => [batchA.root, f.issuerA, anchoredAtA],
      },
    ],
  },
  {
    guard: "the zero root cannot be anchored",
    cases: () =>
      [f.signerA, f.signerB, f.outsider].map((signer) => ({
        what: `${signer.address} anchors 0x0`,
        call: () => as(signer).anchor(ZeroHash, 1, ""),
        error: "ZeroRoot",
        args: () => [],
      })),
  },
  {
    guard: "an empty batch cannot be anchored",
    cases: () =>
      [f.signerA, f.signerB].map((signer) => ({
        what: `${signer.address} anchors a count of 0`,
        call: () => as(signer).anchor(randomBytes32(), 0, ""),
        error: "ZeroCount",
        args: () => [],
      })),
  },
  {
    guard: "only a signer anchors or revokes: not outsiders, not the admin, not the accreditor",
    cases: () => [
      ...[f.outsider, f.admin, f.accreditor].map((signer) => ({
        what: `${signer.address} anchors`,
        call: () => as(signer).anchor(randomBytes32(), 1, ""),
        error: "NotASigner",
        args: () => [signer.address],
      })),
      ...[f.outsider, f.admin, f.accreditor].flatMap((signer) => [
        {
          what: `${signer.address} revokes A's batch`,
          call: () => as(signer).revokeBatch(batchA.root, "x"),
          error: "NotIssuerSigner",
          args: () => [signer.address, f.issuerA],
        },
        {
          what: `${signer.address} revokes a credential of A`,
          call: () => as(signer).revokeCredential(batchA.root, batchA.leaf(0), "x"),
          error: "NotIssuerSigner",
          args: () => [signer.address, f.issuerA],
        },
      ]),
      {
        what: "an outsider makes itself a signer of A",
        call: () => as(f.outsider).addSigner(f.issuerA, f.outsider),
        error: "NotIssuerSigner",
        args: () => [f.outsider.address, f.issuerA],
      },
    ],
  },
  {
    guard: "a deactivated issuer cannot anchor, whoever its signer",
    arrange: async () => {
      await mined(as(f.accreditor).setIssuerActive(f.issuerA, false));
      await mined(as(f.accreditor).addSigner(f.issuerA, f.spare));
      return {};
    },
    cases: () =>
      [f.signerA, f.spare].map((signer) => ({
        what: `${signer.address} anchors for deactivated A`,
        call: () => as(signer).anchor(randomBytes32(), 1, ""),
        error: "IssuerInactive",
        args: () => [f.issuerA],
      })),
  },
  {
    guard: "an issuer whose accreditation was withdrawn cannot anchor",
    arrange: async () => {
      await mined(as(f.accreditor).withdrawAccreditation(f.issuerB, (await latestTimestamp()) - 60n, "x"));
      return {};
    },
    cases: ({ untilB }) => [
      {
        what: "issuer B anchors after its withdrawal",
        call: () => as(f.signerB).anchor(randomBytes32(), 1, ""),
        error: "IssuerNotAccredited",
        args: () => [f.issuerB, untilB],
      },
    ],
  },
  {
    guard: "a signer of issuer A cannot touch issuer B's batches or signers",
    arrange: async () => {
      const batchB = buildBatch(2);
      await mined(as(f.signerB).anchor(batchB.root, 2, ""));
      return { roots: [batchB.root, batchB.leaf(1)] };
    },
    cases: ({ roots: [rootB = "", leafB = ""] }) => [
      {
        what: "A's signer revokes B's batch",
        call: () => as(f.signerA).revokeBatch(rootB, "x"),
        error: "NotIssuerSigner",
        args: () => [f.signerA.address, f.issuerB],
      },
      {
        what: "A's signer revokes a credential of B",
        call: () => as(f.signerA).revokeCredential(rootB, leafB, "x"),
        error: "NotIssuerSigner",
        args: () => [f.signerA.address, f.issuerB],
      },
      {
        what: "A's signer adds a signer to B",
        call: () => as(f.signerA).addSigner(f.issuerB, f.spare),
        error: "NotIssuerSigner",
        args: () => [f.signerA.address, f.issuerB],
      },
      {
        what: "A's signer removes B's signer",
        call: () => as(f.signerA).removeSigner(f.issuerB, f.signerB),
        error: "NotIssuerSigner",
        args: () => [f.signerA.address, f.issuerB],
      },
    ],
  },
  {
    guard: "a removed signer can neither anchor nor revoke, not even the batch it anchored",
    arrange: async () => {
      await mined(as(f.signerA).addSigner(f.issuerA, f.spare));
      const own = buildBatch(2);
      await mined(as(f.spare).anchor(own.root, 2, ""));
      await mined(as(f.signerA).removeSigner(f.issuerA, f.spare));
      return { roots: [own.root, own.leaf(0)] };
    },
    cases: ({ roots: [ownRoot = "", ownLeaf = ""] }) => [
      {
        what: "the removed signer anchors",
        call: () => as(f.spare).anchor(randomBytes32(), 1, ""),
        error: "NotASigner",
        args: () => [f.spare.address],
      },
      {
        what: "the removed signer revokes the batch it anchored",
        call: () => as(f.spare).revokeBatch(ownRoot, "x"),
        error: "NotIssuerSigner",
        args: () => [f.spare.address, f.issuerA],
      },
      {
        what: "the removed signer revokes a credential of the batch it anchored",
        call: () => as(f.spare).revokeCredential(ownRoot, ownLeaf, "x"),
        error: "NotIssuerSigner",
        args: () => [f.spare.address, f.issuerA],
      },
      {
        what: "the removed signer revokes another batch of its former issuer",
        call: () => as(f.spare).revokeBatch(batchA.root, "x"),
        error: "NotIssuerSigner",
        args: () => [f.spare.address, f.issuerA],
      },
      {
        what: "the removed signer adds itself back",
        call: () => as(f.spare).addSigner(f.issuerA, f.spare),
        error: "NotIssuerSigner",
        args: () => [f.spare.address, f.issuerA],
      },
    ],
  },
  {
    guard: "only the accreditor registers and governs issuers; only the admin grants roles",
    cases: () => [
      ...[f.outsider, f.admin, f.signerA].map((signer) => ({
        what: `${signer.address} registers an issuer`,
        call: () => as(signer).registerIssuer("Diploma Mill", "https://mill.example", f.spare),
        error: "AccessControlUnauthorizedAccount",
        args: () => [signer.address, accreditorRole],
      })),
      {
        what: "A's signer reactivates or deactivates its issuer",
        call: () => as(f.signerA).setIssuerActive(f.issuerA, false),
        error: "AccessControlUnauthorizedAccount",
        args: () => [f.signerA.address, accreditorRole],
      },
      {
        what: "A's signer renames its issuer",
        call: () => as(f.signerA).updateIssuer(f.issuerA, "Renamed", ""),
        error: "AccessControlUnauthorizedAccount",
        args: () => [f.signerA.address, accreditorRole],
      },
      {
        what: "B's signer withdraws A's accreditation",
        call: () => as(f.signerB).withdrawAccreditation(f.issuerA, 1, "x"),
        error: "AccessControlUnauthorizedAccount",
        args: () => [f.signerB.address, accreditorRole],
      },
      {
        what: "the accreditor grants itself the admin role",
        call: () => as(f.accreditor).grantRole(adminRole, f.accreditor),
        error: "AccessControlUnauthorizedAccount",
        args: () => [f.accreditor.address, adminRole],
      },
    ],
  },
];

describe("registry guards (each reverts with its custom error and arguments, and changes nothing)", () => {
  it.each(GUARDS.map((g) => [g.guard, g] as const))("%s", async (_name, guard) => {
    const { roots = [] } = (await guard.arrange?.()) ?? {};
    const untilB = toIssuer(await f.registry.getIssuer(f.issuerB)).accreditedUntil;
    const watched = [batchA.root, ...roots];
    const before = await registryState(watched);
    for (const c of guard.cases({ roots, untilB })) {
      await expectRevert(c.call(), c.error, c.args());
      expect(await registryState(watched), `state after: ${c.what}`).toEqual(before);
    }
  });
});

// ---------------------------------------------------------------- invariant

/** One operation of a random sequence; `actor` indexes the accounts below. */
type Operation =
  | { kind: "anchor"; actor: number; batch: number; count: number }
  | { kind: "revokeBatch"; actor: number; batch: number }
  | { kind: "revokeCredential"; actor: number; batch: number; leaf: number }
  | { kind: "addSigner" | "removeSigner"; actor: number; issuer: number; account: number }
  | { kind: "setIssuerActive"; actor: number; issuer: number; active: boolean }
  | { kind: "withdrawAccreditation"; actor: number; issuer: number; offset: number }
  | { kind: "wait"; seconds: number };

const BATCHES = 3;
const LEAVES = 3;
const ACTORS = 8;

/** Mostly the issuers' signers (2, 3) or the accreditor (1), so that a fair share of operations succeed. */
const actor = (favourite: number[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...favourite), weight: 2 }, { arbitrary: fc.nat(ACTORS - 1), weight: 1 });
const signerActor = actor([2, 2, 2, 3]);
const governor = actor([1, 1, 2, 3]);

const operation: fc.Arbitrary<Operation> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant("anchor" as const),
      actor: signerActor,
      batch: fc.nat(BATCHES - 1),
      count: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 5 },
        { arbitrary: fc.constant(0), weight: 1 },
      ),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("revokeBatch" as const),
      actor: signerActor,
      batch: fc.nat(BATCHES - 1),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("revokeCredential" as const),
      actor: signerActor,
      batch: fc.nat(BATCHES - 1),
      leaf: fc.nat(LEAVES), // LEAVES: a leaf outside the batch
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      kind: fc.constantFrom("addSigner" as const, "removeSigner" as const),
      actor: governor,
      issuer: fc.integer({ min: 1, max: 3 }), // 3 is not registered
      account: fc.nat(ACTORS - 1),
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("setIssuerActive" as const),
      actor: governor,
      issuer: fc.integer({ min: 1, max: 2 }),
      active: fc.boolean(),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant("withdrawAccreditation" as const),
      actor: governor,
      issuer: fc.integer({ min: 1, max: 2 }),
      offset: fc.integer({ min: -30, max: 30 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({ kind: fc.constant("wait" as const), seconds: fc.integer({ min: 1, max: 100 }) }),
    weight: 1,
  },
);

describe("registry invariant under random operations by random actors", () => {
  const pool: MerkleBatch[] = Array.from({ length: BATCHES }, () => buildBatch(LEAVES));
  const strayLeaf = randomBytes32();
  let actors: HardhatEthersSigner[];

  beforeAll(async () => {
    const signers = await hre.ethers.getSigners();
    // admin, accreditor, signer A, signer B, spare, outsider, and two more strangers.
    actors = signers.slice(0, ACTORS);
  });

  /** What the test believes: who signs for whom, and what was anchored and revoked (never undone). */
  interface Model {
    signerOf: Map<string, bigint>;
    anchored: Map<number, Batch>;
    credentialRevokedAt: Map<string, bigint>;
  }

  const leafOf = (batch: number, leaf: number) => (leaf < LEAVES ? pool[batch]!.leaf(leaf) : strayLeaf);

  function send(op: Exclude<Operation, { kind: "wait" }>): Promise<ContractTransactionResponse> {
    const r = f.registry.connect(actors[op.actor]!);
    switch (op.kind) {
      case "anchor":
        return r.anchor(pool[op.batch]!.root, op.count, "");
      case "revokeBatch":
        return r.revokeBatch(pool[op.batch]!.root, "op");
      case "revokeCredential":
        return r.revokeCredential(pool[op.batch]!.root, leafOf(op.batch, op.leaf), "op");
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

  /** Applies `op`; a revert must be a decodable registry error. Returns whether it succeeded. */
  async function apply(op: Operation): Promise<boolean> {
    if (op.kind === "wait") {
      await increaseTime(op.seconds);
      return true;
    }
    try {
      await mined(send(op));
      return true;
    } catch (error) {
      expect(decodeRevert(error), `${op.kind} reverted with an undecodable error`).not.toBeNull();
      return false;
    }
  }

  /** A successful operation must have been allowed; records its effect in the model. */
  async function checkAllowed(op: Operation, model: Model): Promise<void> {
    if (op.kind === "wait") return;
    const actor = actors[op.actor]!.address;
    const actorIssuer = model.signerOf.get(actor) ?? 0n;
    const isAccreditor = actor === f.accreditor.address;
    switch (op.kind) {
      case "anchor": {
        expect(actorIssuer, "anchored by a non-signer").not.toBe(0n);
        expect(model.anchored.has(op.batch), "a root anchored twice").toBe(false);
        const record = toBatch(await f.registry.getBatch(pool[op.batch]!.root));
        expect(record.issuerId, "anchored for another issuer than the signer's").toBe(actorIssuer);
        model.anchored.set(op.batch, record);
        return;
      }
      case "revokeBatch":
      case "revokeCredential": {
        const batch = model.anchored.get(op.batch);
        expect(batch, "revoked a batch never anchored").toBeDefined();
        expect(actorIssuer, "revoked by someone not signing for the batch's issuer").toBe(batch!.issuerId);
        if (op.kind === "revokeBatch") {
          expect(batch!.revokedAt, "a batch revoked twice").toBe(0n);
          model.anchored.set(op.batch, toBatch(await f.registry.getBatch(pool[op.batch]!.root)));
        } else {
          const key = `${op.batch}/${op.leaf}`;
          expect(model.credentialRevokedAt.has(key), "a credential revoked twice").toBe(false);
          const at = await f.registry.credentialRevokedAt(pool[op.batch]!.root, leafOf(op.batch, op.leaf));
          model.credentialRevokedAt.set(key, at);
        }
        return;
      }
      case "addSigner":
      case "removeSigner": {
        expect(isAccreditor || actorIssuer === BigInt(op.issuer), `${op.kind} by a stranger to the issuer`).toBe(true);
        const account = actors[op.account]!.address;
        if (op.kind === "addSigner") model.signerOf.set(account, BigInt(op.issuer));
        else model.signerOf.delete(account);
        return;
      }
      case "setIssuerActive":
      case "withdrawAccreditation":
        expect(isAccreditor, `${op.kind} by a non-accreditor`).toBe(true);
    }
  }

  /** The invariant: anchored batches keep issuer and time; revocations stay; revoked never verifies valid. */
  async function checkInvariant(model: Model, step: string): Promise<void> {
    for (const [index, expected] of model.anchored) {
      const batch = pool[index]!;
      expect(toBatch(await f.registry.getBatch(batch.root)), `batch ${index} after ${step}`).toEqual(expected);
      const answers = await Promise.all(
        Array.from({ length: LEAVES }, (_, leaf) =>
          f.registry.verifyWithIssuer(batch.root, batch.leaf(leaf), batch.proof(leaf)),
        ),
      );
      answers.forEach((raw, leaf) => {
        const { verification } = toVerificationWithIssuer(raw);
        const where = `batch ${index} leaf ${leaf} after ${step}`;
        expect({ issuerId: verification.issuerId, anchoredAt: verification.anchoredAt }, where).toEqual({
          issuerId: expected.issuerId,
          anchoredAt: expected.anchoredAt,
        });
        const credentialRevokedAt = model.credentialRevokedAt.get(`${index}/${leaf}`) ?? 0n;
        expect(verification.credentialRevokedAt, where).toBe(credentialRevokedAt);
        if (expected.revokedAt !== 0n) expect(verification.status, where).toBe(Status.BatchRevoked);
        else if (credentialRevokedAt !== 0n) expect(verification.status, where).toBe(Status.CredentialRevoked);
        else expect([Status.Valid, Status.IssuerNotAccredited], where).toContain(verification.status);
      });
    }
  }

  it("keeps every anchored batch's issuer and time, and every revocation, through 200+ random sequences", async () => {
    let runs = 0;
    let operations = 0;
    const succeeded = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 3, maxLength: 14 }), async (sequence) => {
        runs += 1;
        const start = await takeSnapshot();
        try {
          const model: Model = {
            signerOf: new Map([
              [f.signerA.address, f.issuerA],
              [f.signerB.address, f.issuerB],
            ]),
            anchored: new Map(),
            credentialRevokedAt: new Map(),
          };
          for (const [i, op] of sequence.entries()) {
            operations += 1;
            const step = `${i}: ${JSON.stringify(op)}`;
            if (await apply(op)) {
              succeeded.set(op.kind, (succeeded.get(op.kind) ?? 0) + 1);
              await checkAllowed(op, model);
            }
            await checkInvariant(model, step);
          }
        } finally {
          await revertTo(start);
        }
      }),
      { numRuns: 220 },
    );
    console.log(
      `contract-guards | random operation sequences | ${runs} cases (${operations} operations; succeeded: ${JSON.stringify(Object.fromEntries(succeeded))})`,
    );
    expect(runs).toBeGreaterThanOrEqual(200);
  });
});
