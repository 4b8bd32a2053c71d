import { describe, expect, it } from "vitest";
import { applyOpUpdate } from "../../server/store/common";
import { hasStatus, opRecord } from "../../server/store/op-record";
import type { OpFields, OpRecord } from "../../server/store/types";

const TX = `0x${"ab".repeat(32)}`;
const BLOCK = `0x${"cd".repeat(32)}`;

/** A queued anchor op, as `insertBatch` stores it, with `changes`. */
const fields = (changes: Partial<OpFields> = {}): OpFields => ({
  id: 4,
  kind: "anchor",
  batchId: "b1",
  credentialId: null,
  signer: "0xs",
  reason: "",
  status: "queued",
  nonce: null,
  txHash: null,
  rawTx: null,
  blockNumber: null,
  blockHash: null,
  error: null,
  attempts: 0,
  createdAt: "2026-05-01T00:00:00.000Z",
  updatedAt: "2026-05-01T00:00:00.000Z",
  ...changes,
});

const own = { nonce: 7, txHash: TX, rawTx: "0x02f8" };
const mined = { blockNumber: 42, blockHash: BLOCK };

describe("opRecord", () => {
  it.each<[string, Partial<OpFields>]>([
    ["queued", {}],
    ["queued again, keeping the raw transaction it must outbid", { rawTx: "0x02f8" }],
    ["signed", { status: "signed", ...own }],
    ["sent, its own transaction", { status: "sent", ...own }],
    ["sent, an adopted transaction back in the mempool", { status: "sent", txHash: TX }],
    ["mined, its own transaction", { status: "mined", ...own, ...mined }],
    ["mined, adopted (an earlier raw transaction kept)", { status: "mined", txHash: TX, rawTx: "0x02f8", ...mined }],
    ["final", { status: "final", ...own, ...mined }],
    ["failed before anything was sent", { status: "failed", error: "IssuerInactive" }],
    ["failed after its transaction reverted", { status: "failed", ...own, ...mined, error: "IssuerInactive" }],
  ])("takes a %s op as it is", (_, changes) => {
    const op = fields(changes);
    expect(opRecord(op)).toEqual(op);
  });

  it.each<[string, Partial<OpFields>, string]>([
    ["a queued op naming a transaction", { txHash: TX }, "it records txHash"],
    ["a queued op with an error", { error: "x" }, "it records error"],
    ["a signed op without its raw transaction", { status: "signed", nonce: 7, txHash: TX }, "it records nonce, txHash"],
    ["a signed op without a nonce", { status: "signed", txHash: TX, rawTx: "0x02" }, "it records txHash, rawTx"],
    ["a signed op naming a block", { status: "signed", ...own, ...mined }, "blockNumber, blockHash"],
    ["a sent op without a transaction hash", { status: "sent" }, "it records none of these"],
    ["a sent op with a nonce but no raw transaction", { status: "sent", nonce: 7, txHash: TX }, "nonce, txHash"],
    ["a mined op without its block", { status: "mined", ...own }, "it records nonce, txHash, rawTx"],
    ["a mined op with half a block", { status: "mined", ...own, blockNumber: 42 }, "blockNumber"],
    ["a final op with an error", { status: "final", ...own, ...mined, error: "x" }, "error"],
    ["a failed op without an error", { status: "failed" }, "it records none of these"],
  ])("refuses %s, saying what its status requires", (_, changes, recorded) => {
    const op = fields(changes);
    let thrown: unknown;
    try {
      opRecord(op);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "INVARIANT" });
    expect((thrown as Error).message).toMatch(new RegExp(`^op 4 is ${op.status}, which requires .*; it records`));
    expect((thrown as Error).message).toContain(recorded);
  });
});

describe("applyOpUpdate", () => {
  const queued = opRecord(fields());
  const at = "2026-05-01T00:00:01.000Z";

  it("types the result by its new status", () => {
    const signed: OpRecord = applyOpUpdate(queued, { status: "signed", ...own, attempts: 1 }, at);
    expect(hasStatus(signed, "signed") && signed.rawTx).toBe("0x02f8");
    expect(signed.updatedAt).toBe(at);
  });

  it("refuses an update that would leave the op contradicting its status", () => {
    expect(() => applyOpUpdate(queued, { status: "signed", attempts: 1 }, at)).toThrow(/op 4 is signed, which/);
    expect(() => applyOpUpdate(queued, { status: "mined", txHash: TX }, at)).toThrow(/requires .* a block/);
  });
});

describe("hasStatus", () => {
  it("tells an op's status, and so its type", () => {
    const op: OpRecord = opRecord(fields({ status: "sent", ...own }));
    expect(hasStatus(op, "sent")).toBe(true);
    expect(hasStatus(op, "queued")).toBe(false);
  });
});
