import { beforeEach, describe, expect, it, vi } from "vitest";
import type { BatchStatus, OpStatus } from "../../../server/store/types";
import {
  ALL_STATUSES,
  aNumber,
  CHECK_VIOLATION,
  countRows,
  credentialsFor,
  db,
  hex32,
  newBatch,
  SIGNER,
  store,
  useStore,
} from "./store-fixture";

useStore();

describe("enqueueOp", () => {
  beforeEach(async () => {
    await store.insertBatch(newBatch("b1", 2), credentialsFor("b1", 2));
    await store.insertBatch(newBatch("b2", 1), credentialsFor("b2", 1));
  });

  it("queues a revocation after the batch's anchor op", async () => {
    const op = await store.enqueueOp({
      kind: "revoke-credential",
      batchId: "b1",
      credentialId: "b1-c1",
      signer: SIGNER,
      reason: "grade corrected",
    });
    expect(op).toMatchObject({ kind: "revoke-credential", credentialId: "b1-c1", status: "queued", attempts: 0 });
    expect(await store.getOp(op.id)).toEqual(op);
    expect((await store.opsOfBatch("b1")).map((o) => o.kind)).toEqual(["anchor", "revoke-credential"]);
  });

  it("refuses an unknown batch, a credential of another batch and a second anchor op", async () => {
    const op = { kind: "revoke-batch" as const, batchId: "nope", credentialId: null, signer: SIGNER, reason: "x" };
    await expect(store.enqueueOp(op)).rejects.toMatchObject({ entity: "batch", key: "nope" });
    const misplaced = { ...op, kind: "revoke-credential" as const, batchId: "b2", credentialId: "b1-c0" };
    await expect(store.enqueueOp(misplaced)).rejects.toMatchObject({ entity: "credential", key: "b1-c0" });
    const anchor = { ...op, kind: "anchor" as const, batchId: "b1" };
    await expect(store.enqueueOp(anchor)).rejects.toMatchObject({ code: "CONFLICT", target: "anchor-op", value: "b1" });
    expect(await countRows("chain_ops")).toBe(2);
  });
});

describe("updateOp", () => {
  async function anchorOp(batchId: string) {
    await store.insertBatch(newBatch(batchId, 1), credentialsFor(batchId, 1));
    return (await store.opsOfBatch(batchId))[0]!;
  }

  it("walks an anchor op from queued to final, writing the batch's status and tx in the same step", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-05-01T00:00:00.000Z"));
    const op = await anchorOp("b1");
    const txHash = hex32("tx");

    vi.setSystemTime(new Date("2026-05-01T00:00:01.000Z"));
    const signed = await store.updateOp(op.id, {
      status: "signed",
      nonce: 7,
      txHash,
      rawTx: "0x02f8",
      attempts: 1,
      batchStatus: "submitted",
      batchTx: { txHash, blockNumber: null },
    });
    expect(signed).toEqual({
      ...op,
      status: "signed",
      nonce: 7,
      txHash,
      rawTx: "0x02f8",
      attempts: 1,
      updatedAt: "2026-05-01T00:00:01.000Z",
    });
    expect(await store.getOp(op.id)).toEqual(signed);
    expect(await store.getBatch("b1")).toMatchObject({
      status: "submitted",
      txHash,
      blockNumber: null,
      updatedAt: "2026-05-01T00:00:01.000Z",
    });

    await store.updateOp(op.id, { status: "sent" });
    const blockHash = hex32("block");
    const mined = await store.updateOp(op.id, {
      status: "mined",
      blockNumber: 42,
      blockHash,
      batchStatus: "anchored",
      batchTx: { txHash, blockNumber: 42 },
    });
    expect(mined).toMatchObject({ status: "mined", nonce: 7, txHash, rawTx: "0x02f8", blockNumber: 42, blockHash });
    expect(await store.getBatch("b1")).toMatchObject({ status: "anchored", txHash, blockNumber: 42 });

    await store.updateOp(op.id, { status: "final", batchStatus: "final" });
    expect(await store.getBatch("b1")).toMatchObject({ status: "final", txHash, blockNumber: 42 });
  });

  it("clears the fields set to null and keeps those left out, as a requeue after a drop does", async () => {
    const op = await anchorOp("b1");
    const txHash = hex32("tx");
    await store.updateOp(op.id, { status: "sent", nonce: 3, txHash, rawTx: "0x02", attempts: 1 });
    const requeued = await store.updateOp(op.id, {
      status: "queued",
      nonce: null,
      txHash: null,
      rawTx: null,
      batchStatus: "pending",
      batchTx: { txHash: null, blockNumber: null },
    });
    expect(requeued).toMatchObject({ status: "queued", nonce: null, txHash: null, rawTx: null, attempts: 1 });
    expect(await store.getBatch("b1")).toMatchObject({ status: "pending", txHash: null, blockNumber: null });
  });

  it("copies the op's error to a batch marked failed, and clears it when the batch moves on", async () => {
    const op = await anchorOp("b1");
    await store.updateOp(op.id, { status: "failed", error: "RootAlreadyAnchored", batchStatus: "failed" });
    expect(await store.getBatch("b1")).toMatchObject({ status: "failed", error: "RootAlreadyAnchored" });
    await store.updateOp(op.id, { status: "queued", error: null, batchStatus: "pending" });
    expect(await store.getBatch("b1")).toMatchObject({ status: "pending", error: null });
  });

  it("leaves the batch untouched without batchStatus or batchTx, and its status without batchStatus", async () => {
    const op = await anchorOp("b1");
    const before = await store.getBatch("b1");
    await store.updateOp(op.id, { status: "signed", nonce: 1, txHash: hex32("tx"), rawTx: "0x02", attempts: 1 });
    expect(await store.getBatch("b1")).toEqual(before);
    await store.updateOp(op.id, { batchTx: { txHash: hex32("tx"), blockNumber: 9 } });
    expect(await store.getBatch("b1")).toMatchObject({ status: "pending", txHash: hex32("tx"), blockNumber: 9 });
  });

  it("changes nothing when the batch update fails: the op and its batch are one transaction", async () => {
    const op = await anchorOp("b1");
    const update = {
      status: "signed" as const,
      nonce: 1,
      txHash: hex32("tx"),
      rawTx: "0x02",
      batchStatus: "bogus" as BatchStatus,
    };
    await expect(store.updateOp(op.id, update)).rejects.toThrow(CHECK_VIOLATION);
    expect(await store.getOp(op.id)).toEqual(op);
  });

  it("refuses an update that leaves the op contradicting its status, and changes nothing", async () => {
    const op = await anchorOp("b1");
    const before = await store.getBatch("b1");
    const update = { status: "signed" as const, nonce: 1, batchStatus: "submitted" as const }; // no transaction
    await expect(store.updateOp(op.id, update)).rejects.toMatchObject({ code: "INVARIANT" });
    expect(await store.getOp(op.id)).toEqual(op);
    expect(await store.getBatch("b1")).toEqual(before);
  });

  it("refuses an unknown op", async () => {
    await expect(store.updateOp(404, { status: "sent" })).rejects.toMatchObject({ code: "NOT_FOUND", entity: "op" });
  });
});

describe("listOps", () => {
  it("returns the ops of the given statuses, oldest first, at most `limit`", async () => {
    const ids: number[] = [];
    for (const batchId of ["b1", "b2", "b3", "b4"]) {
      await store.insertBatch(newBatch(batchId, 1), credentialsFor(batchId, 1));
      ids.push((await store.opsOfBatch(batchId))[0]!.id);
    }
    const tx = { nonce: 1, txHash: hex32("tx"), rawTx: "0x02" };
    await store.updateOp(ids[0]!, { status: "sent", ...tx });
    await store.updateOp(ids[2]!, { status: "final", ...tx, blockNumber: 1, blockHash: hex32("block") });
    await store.updateOp(ids[3]!, { status: "signed", ...tx });
    const statusOrder = async (statuses: readonly OpStatus[], limit?: number) =>
      (await store.listOps(statuses, limit)).map((op) => [op.id, op.status]);

    expect(await statusOrder(["queued", "signed", "sent"])).toEqual([
      [ids[0], "sent"],
      [ids[1], "queued"],
      [ids[3], "signed"],
    ]);
    expect(await statusOrder(["sent", "queued", "signed"], 2)).toEqual([
      [ids[0], "sent"],
      [ids[1], "queued"],
    ]);
    expect(await statusOrder(ALL_STATUSES)).toHaveLength(4);
    expect(await statusOrder(["failed"])).toEqual([]);
    expect(await statusOrder([])).toEqual([]);
    expect(await statusOrder(ALL_STATUSES, 0)).toEqual([]);
  });
});

describe("leases", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it("takes a free lease, renews it for its holder and refuses another holder while it runs", async () => {
    const first = await store.acquireLease("signer:0xabc", "instance-a", 10_000);
    expect(first).toEqual({ name: "signer:0xabc", holder: "instance-a", expiresAt: aNumber });
    expect(Math.abs(first!.expiresAt - (Date.now() + 10_000))).toBeLessThan(5_000);
    await sleep(5);
    const renewed = await store.acquireLease("signer:0xabc", "instance-a", 20_000);
    expect(renewed!.expiresAt).toBeGreaterThan(first!.expiresAt);
    expect(await store.acquireLease("signer:0xabc", "instance-b", 10_000)).toBeNull();
    expect(await store.getLease("signer:0xabc")).toEqual(renewed);
    // Leases of other names are independent.
    expect(await store.acquireLease("signer:0xdef", "instance-b", 10_000)).toMatchObject({ holder: "instance-b" });
  });

  it("lets another holder take an expired lease, after which the old holder cannot renew it", async () => {
    await store.acquireLease("signer:0xabc", "instance-a", 100);
    await sleep(150);
    expect(await store.acquireLease("signer:0xabc", "instance-b", 10_000)).toMatchObject({ holder: "instance-b" });
    expect(await store.acquireLease("signer:0xabc", "instance-a", 10_000)).toBeNull();
    expect(await store.getLease("signer:0xabc")).toMatchObject({ holder: "instance-b" });
  });

  it("is released only by its holder, and is then free for anyone", async () => {
    await store.acquireLease("signer:0xabc", "instance-a", 60_000);
    expect(await store.releaseLease("signer:0xabc", "instance-b")).toBe(false);
    expect(await store.acquireLease("signer:0xabc", "instance-b", 60_000)).toBeNull();
    expect(await store.releaseLease("signer:0xabc", "instance-a")).toBe(true);
    expect(await store.getLease("signer:0xabc")).toBeNull();
    expect(await store.acquireLease("signer:0xabc", "instance-b", 60_000)).toMatchObject({ holder: "instance-b" });
    expect(await store.releaseLease("signer:0xabc", "instance-a")).toBe(false);
  });

  it("goes to exactly one of several instances asking at once on their own connections", async () => {
    const stores = Array.from({ length: 6 }, () => db.open());
    try {
      const results = await Promise.all(stores.map((s, i) => s.acquireLease("signer:0xabc", `instance-${i}`, 60_000)));
      const winners = results.filter((lease) => lease !== null);
      expect(winners).toHaveLength(1);
      expect(await store.getLease("signer:0xabc")).toEqual(winners[0]);
    } finally {
      for (const s of stores) await s.close();
    }
  });

  it("refuses a ttl that is not a positive integer", async () => {
    for (const ttl of [0, -1, 1.5, Number.NaN]) {
      await expect(store.acquireLease("signer:0xabc", "instance-a", ttl)).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
      });
    }
    expect(await store.getLease("signer:0xabc")).toBeNull();
  });
});
