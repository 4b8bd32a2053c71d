import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Wallet, ZeroHash, type ContractTransactionResponse } from "ethers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomBatchId, randomBytes32, type CredentialBatch } from "../contracts/batches";
import { anchorBatch, batchOf } from "../contracts/calls";
import {
  blockTimestamp,
  deployFixture,
  expectRevert,
  latestTimestamp,
  mined,
  snapshots,
  toIssuer,
  toSignerRecord,
  type Fixture,
} from "../contracts/helpers";

/**
 * Issue 6, item 7: every access and input guard of the registry (format v2), one table-driven test
 * each, on a fresh deployment (issuers A = 1, B = 2, C = 3, one signer each, a batch of A
 * anchored). The invariant over random operation sequences by random actors is in
 * test/contracts/invariant.test.ts; the attacks the guards close are in test/contracts/attacks.test.ts.
 */

let f: Fixture;
let accreditorRole: string;
let adminRole: string;
/** Issuer A's batch, anchored in the fixture. */
let batchA: CredentialBatch;
const snapshot = snapshots();

beforeAll(async () => {
  f = await deployFixture();
  accreditorRole = await f.registry.ACCREDITOR_ROLE();
  adminRole = await f.registry.DEFAULT_ADMIN_ROLE();
  batchA = (await anchorBatch(f, f.signerA, f.issuerA, { size: 8 })).batch;
  await snapshot.save();
});

beforeEach(() => snapshot.restore());

const as = (signer: HardhatEthersSigner) => f.registry.connect(signer);

/** A (issuer, batch id, root) whose `getBatch` record a guard watches. */
type Watched = readonly [issuerId: bigint, batchId: string, root: string];

/** Everything a guarded call could have changed: the watched batches, A's first digest, issuers, signers, admin. */
async function registryState(batches: readonly Watched[]): Promise<unknown> {
  const accounts = [f.admin, f.accreditor, f.signerA, f.signerB, f.signerC, f.spare, f.outsider];
  const issuers = [1, 2, 3].map(async (id) => toIssuer(await f.registry.getIssuer(id)));
  return {
    batches: await Promise.all(batches.map(([i, id, root]) => batchOf(f.registry, i, id, root))),
    digestRevokedAt: await f.registry.credentialRevokedAt(f.issuerA, batchA.digest(0)),
    issuerCount: await f.registry.issuerCount(),
    issuers: await Promise.all(issuers),
    signers: await Promise.all(accounts.map(async (a) => toSignerRecord(await f.registry.signerRecord(a)))),
    signersOfA: await f.registry.getSigners(f.issuerA),
    admin: [await f.registry.defaultAdmin(), ...(await f.registry.pendingDefaultAdmin())],
  };
}

interface GuardCase {
  /** Who does what, e.g. "issuer A anchors its batch id again". */
  what: string;
  call(): Promise<ContractTransactionResponse>;
  error: string;
  args(): unknown[];
}

interface Guard {
  guard: string;
  /** Sets up what the guard is about (after the fixture snapshot is restored); returns batches to watch. */
  arrange?(): Promise<{ batches?: Watched[] }>;
  /** `untilB`: issuer B's accreditation end once arranged. */
  cases(context: { untilB: bigint }): GuardCase[];
}

/** Revocation times recorded by the arrange step of the revoked-once guard. */
const revokedAt = { batch: 0n, digest: 0n, unanchored: 0n };
/** A second root of A's batch id, anchored by the arrange step of the anchored-once guard. */
const secondRoot = randomBytes32();
/** A batch id A revokes without ever anchoring it, in the revoked-once guard. */
const unanchoredId = randomBatchId();
const anyAnchor = (signer: HardhatEthersSigner) => as(signer).anchor(randomBatchId(), randomBytes32(), 1, "");
const removeSpareFromA = async () => {
  await mined(as(f.signerA).addSigner(f.issuerA, f.spare));
  await mined(as(f.signerA).removeSigner(f.issuerA, f.spare));
  return {};
};

const GUARDS: Guard[] = [
  {
    guard: "a (batch id, root) is anchored once per issuer, whatever the count, uri or signer",
    arrange: async () => {
      // A second root under the same batch id is allowed, once.
      await mined(as(f.signerA).anchor(batchA.batchId, secondRoot, 2, ""));
      await mined(as(f.signerA).addSigner(f.issuerA, f.spare));
      return { batches: [[f.issuerA, batchA.batchId, secondRoot]] };
    },
    cases: () =>
      [batchA.root, secondRoot].flatMap((root) =>
        [
          { by: f.signerA, count: 8, uri: "" },
          { by: f.signerA, count: 1, uri: "ipfs://other" },
          { by: f.spare, count: 8, uri: "" },
        ].map(({ by, count, uri }) => ({
          what: `${by.address} anchors A's batch id with root ${root} again (count ${count})`,
          call: () => as(by).anchor(batchA.batchId, root, count, uri),
          error: "BatchAlreadyAnchored",
          args: () => [f.issuerA, batchA.batchId, root],
        })),
      ),
  },
  {
    guard: "a zero batch id, a zero root and an empty batch cannot be anchored, nor batch id 0 revoked, by anyone",
    cases: () =>
      [f.signerA, f.signerB, f.outsider].flatMap((signer) => [
        {
          what: `${signer.address} revokes batch id 0`,
          call: () => as(signer).revokeBatch(`0x${"00".repeat(16)}`, "x"),
          error: "ZeroBatchId",
          args: () => [],
        },
        {
          what: `${signer.address} anchors batch id 0`,
          call: () => as(signer).anchor(`0x${"00".repeat(16)}`, randomBytes32(), 1, ""),
          error: "ZeroBatchId",
          args: () => [],
        },
        {
          what: `${signer.address} anchors root 0`,
          call: () => as(signer).anchor(randomBatchId(), ZeroHash, 1, ""),
          error: "ZeroRoot",
          args: () => [],
        },
        {
          what: `${signer.address} anchors a count of 0`,
          call: () => as(signer).anchor(randomBatchId(), randomBytes32(), 0, ""),
          error: "ZeroCount",
          args: () => [],
        },
      ]),
  },
  {
    guard: "only an active signer anchors or revokes: not outsiders, not the admin, not the accreditor",
    cases: () => [
      ...[f.outsider, f.admin, f.accreditor].flatMap((signer) =>
        [
          { what: `${signer.address} anchors`, call: () => anyAnchor(signer) },
          { what: `${signer.address} revokes A's batch`, call: () => as(signer).revokeBatch(batchA.batchId, "x") },
          {
            what: `${signer.address} revokes a credential`,
            call: () => as(signer).revokeCredential(batchA.digest(0), "x"),
          },
        ].map((c) => ({ ...c, error: "NotASigner", args: () => [signer.address] })),
      ),
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
        call: () => anyAnchor(signer),
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
        call: () => anyAnchor(f.signerB),
        error: "IssuerNotAccredited",
        args: () => [f.issuerB, untilB],
      },
    ],
  },
  {
    guard: "a signer of issuer B cannot touch A's signers",
    cases: () => [
      ...[
        { what: "B's signer adds a signer to A", call: () => as(f.signerB).addSigner(f.issuerA, f.spare) },
        { what: "B's signer removes A's signer", call: () => as(f.signerB).removeSigner(f.issuerA, f.signerA) },
      ].map((c) => ({ ...c, error: "NotIssuerSigner", args: () => [f.signerB.address, f.issuerA] })),
    ],
  },
  {
    guard: "a removed signer can neither anchor nor revoke, nor add itself back",
    arrange: removeSpareFromA,
    cases: () => [
      ...[
        { what: "the removed signer anchors", call: () => anyAnchor(f.spare) },
        { what: "the removed signer revokes A's batch", call: () => as(f.spare).revokeBatch(batchA.batchId, "x") },
        {
          what: "the removed signer revokes a credential",
          call: () => as(f.spare).revokeCredential(batchA.digest(0), "x"),
        },
      ].map((c) => ({ ...c, error: "NotASigner", args: () => [f.spare.address] })),
      {
        what: "the removed signer adds itself back",
        call: () => as(f.spare).addSigner(f.issuerA, f.spare),
        error: "NotIssuerSigner",
        args: () => [f.spare.address, f.issuerA],
      },
    ],
  },
  {
    guard: "an address serves one issuer, ever: active or removed, it joins no other",
    arrange: removeSpareFromA,
    cases: () => [
      ...[
        {
          what: "the accreditor registers an issuer with A's removed signer",
          call: () => as(f.accreditor).registerIssuer("Fresh Start", "", f.spare),
        },
        { what: "B's signer adds A's removed signer to B", call: () => as(f.signerB).addSigner(f.issuerB, f.spare) },
        { what: "the accreditor adds A's removed signer to C", call: () => as(f.accreditor).addSigner(3, f.spare) },
      ].map((c) => ({ ...c, error: "SignerAlreadyAssigned", args: () => [f.spare.address, f.issuerA] })),
      {
        what: "the accreditor adds B's signer to A",
        call: () => as(f.accreditor).addSigner(f.issuerA, f.signerB),
        error: "SignerAlreadyAssigned",
        args: () => [f.signerB.address, f.issuerB],
      },
    ],
  },
  {
    guard: "an issuer has at most MAX_SIGNERS active signers",
    arrange: async () => {
      for (let i = 1; i < 20; i++) await mined(as(f.signerA).addSigner(f.issuerA, Wallet.createRandom().address));
      return {};
    },
    cases: () =>
      [f.signerA, f.accreditor].map((by) => ({
        what: `${by.address} adds a 21st signer to A`,
        call: () => as(by).addSigner(f.issuerA, f.spare),
        error: "TooManySigners",
        args: () => [f.issuerA, 20n],
      })),
  },
  {
    guard: "a batch id (anchored or not) or a credential is revoked once",
    arrange: async () => {
      revokedAt.batch = await blockTimestamp(await mined(as(f.signerA).revokeBatch(batchA.batchId, "x")));
      revokedAt.unanchored = await blockTimestamp(await mined(as(f.signerA).revokeBatch(unanchoredId, "x")));
      revokedAt.digest = await blockTimestamp(await mined(as(f.signerA).revokeCredential(batchA.digest(0), "x")));
      return { batches: [[f.issuerA, unanchoredId, ZeroHash]] };
    },
    cases: () => [
      {
        what: "A revokes its batch again",
        call: () => as(f.signerA).revokeBatch(batchA.batchId, "y"),
        error: "BatchAlreadyRevoked",
        args: () => [f.issuerA, batchA.batchId, revokedAt.batch],
      },
      {
        what: "A revokes a batch id it never anchored again",
        call: () => as(f.signerA).revokeBatch(unanchoredId, "y"),
        error: "BatchAlreadyRevoked",
        args: () => [f.issuerA, unanchoredId, revokedAt.unanchored],
      },
      {
        what: "A revokes its credential again",
        call: () => as(f.signerA).revokeCredential(batchA.digest(0), "y"),
        error: "CredentialAlreadyRevoked",
        args: () => [f.issuerA, batchA.digest(0), revokedAt.digest],
      },
    ],
  },
  {
    guard: "only the accreditor governs issuers; only the admin grants roles; the admin role moves in two steps",
    cases: () => [
      ...[
        ...[f.outsider, f.admin, f.signerA].map((signer) => ({
          by: signer,
          what: `${signer.address} registers an issuer`,
          call: () => as(signer).registerIssuer("Diploma Mill", "https://mill.example", f.outsider),
        })),
        {
          by: f.signerA,
          what: "A's signer deactivates A",
          call: () => as(f.signerA).setIssuerActive(f.issuerA, false),
        },
        { by: f.signerA, what: "A's signer renames A", call: () => as(f.signerA).updateIssuer(f.issuerA, "X", "") },
        {
          by: f.signerB,
          what: "B's signer withdraws A's accreditation",
          call: () => as(f.signerB).withdrawAccreditation(f.issuerA, 1, "x"),
        },
      ].map((c) => ({ ...c, error: "AccessControlUnauthorizedAccount", args: () => [c.by.address, accreditorRole] })),
      ...[
        {
          by: f.accreditor,
          what: "the accreditor grants a role",
          call: () => as(f.accreditor).grantRole(accreditorRole, f.outsider),
        },
        {
          by: f.accreditor,
          what: "the accreditor begins an admin transfer to itself",
          call: () => as(f.accreditor).beginDefaultAdminTransfer(f.accreditor),
        },
      ].map((c) => ({ ...c, error: "AccessControlUnauthorizedAccount", args: () => [c.by.address, adminRole] })),
      ...[
        {
          what: "the accreditor grants itself the admin role",
          call: () => as(f.accreditor).grantRole(adminRole, f.accreditor),
        },
        { what: "the admin grants the admin role outright", call: () => as(f.admin).grantRole(adminRole, f.outsider) },
        { what: "the admin revokes its own role outright", call: () => as(f.admin).revokeRole(adminRole, f.admin) },
      ].map((c) => ({ ...c, error: "AccessControlEnforcedDefaultAdminRules", args: () => [] })),
      {
        what: "an outsider accepts an admin transfer never offered",
        call: () => as(f.outsider).acceptDefaultAdminTransfer(),
        error: "AccessControlInvalidDefaultAdmin",
        args: () => [f.outsider.address],
      },
    ],
  },
];

describe("registry guards (each reverts with its custom error and arguments, and changes nothing)", () => {
  it.each(GUARDS.map((g) => [g.guard, g] as const))("%s", async (_name, guard) => {
    const { batches = [] } = (await guard.arrange?.()) ?? {};
    const untilB = toIssuer(await f.registry.getIssuer(f.issuerB)).accreditedUntil;
    const watched: Watched[] = [
      [f.issuerA, batchA.batchId, batchA.root],
      [f.issuerB, batchA.batchId, batchA.root],
      ...batches,
    ];
    const before = await registryState(watched);
    for (const c of guard.cases({ untilB })) {
      await expectRevert(c.call(), c.error, c.args());
      expect(await registryState(watched), `state after: ${c.what}`).toEqual(before);
    }
  });
});
