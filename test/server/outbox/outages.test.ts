/** Outbox tests — outages and bugs: an outage changes nothing, a bug fails its op. */
import { makeError } from "ethers";
import { describe, expect, it, vi } from "vitest";
import { closedPort, type LogEntry, networkError, queueBatch, setAutomine } from "../../support/anchoring";
import { RpcProxy } from "../../support/rpc-proxy";
import { useTestbed } from "./testbed";

/** What SQLite throws while another connection holds the write lock past the busy timeout. */
const databaseBusy = () => Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });

/** The log lines of `level` with message `msg`. */
const lines = (entries: readonly LogEntry[], level: LogEntry["level"], msg: string) =>
  entries.filter((e) => e.level === level && e.msg === msg);

/** The error a log line carries, which must be an `Error` (so that the logger records its stack). */
const loggedError = (entry: LogEntry | undefined): Error => {
  const err = (entry?.obj as { err?: unknown } | undefined)?.err;
  if (!(err instanceof Error)) throw new Error(`the log line carries no Error: ${JSON.stringify(entry)}`);
  return err;
};

describe("Outbox", () => {
  const t = useTestbed();

  describe("an RPC outage", () => {
    it("changes nothing while the chain cannot be reached, and a later pass anchors", async () => {
      const q = await queueBatch(t.fx);
      const down = t.harness({ url: `http://127.0.0.1:${await closedPort()}` });
      await expect(down.worker.tick()).resolves.toBeUndefined(); // the adoption lookup fails
      expect(down.log.entries.map((e) => e.msg)).toContain("chain operation deferred");
      expect(down.log.entries.map((e) => e.msg)).not.toContain("chain operation failed");
      expect(await t.opOf(q.op.id)).toEqual(q.op);
      expect(await t.batchOf(q)).toEqual(q.batch);

      await t.ticks(t.harness(), 2);
      expect((await t.batchOf(q)).status).toBe("anchored");
      expect(await t.anchors(q.root)).toHaveLength(1);
    });

    it("keeps a sent op sent while the chain cannot be reached", async () => {
      const q = await queueBatch(t.fx);
      await setAutomine(t.chain, false);
      await t.harness().worker.tick();
      const sent = await t.opOf(q.op.id);
      const down = t.harness({ url: `http://127.0.0.1:${await closedPort()}` });
      await down.worker.tick();
      expect(await t.opOf(q.op.id)).toEqual(sent);
    });
  });

  describe("an outage the node or the database answers", () => {
    it("changes nothing while the node answers every call with a JSON-RPC error, and a later pass anchors", async () => {
      const q = await queueBatch(t.fx);
      // What a hosted gateway answers while its upstream node is down (-32603; ethers: UNKNOWN_ERROR).
      const proxy = await RpcProxy.start(t.fx.chain.url);
      try {
        await proxy.setMode("rpc-error");
        const h = t.harness({ url: proxy.url });
        await h.worker.tick();
        expect(lines(h.log.entries, "warn", "chain operation deferred")).toHaveLength(1);
        expect(h.log.entries.filter((e) => e.level === "error")).toEqual([]);
        expect(await t.opOf(q.op.id)).toEqual(q.op);

        await proxy.setMode("up");
        await t.ticks(h, 2);
        expect((await t.batchOf(q)).status).toBe("anchored");
      } finally {
        await proxy.close();
      }
    });

    it("changes nothing while the database is busy, and a later pass anchors", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      vi.spyOn(t.fx.store, "getBatch").mockRejectedValueOnce(databaseBusy());
      await h.worker.tick();
      expect(lines(h.log.entries, "warn", "chain operation deferred")).toHaveLength(1);
      expect(await t.opOf(q.op.id)).toEqual(q.op);

      await t.ticks(h, 2);
      expect((await t.batchOf(q)).status).toBe("anchored");
    });

    it("defers the whole pass when the op list cannot be read", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      vi.spyOn(t.fx.store, "listOps").mockRejectedValueOnce(networkError());
      await expect(h.worker.tick()).resolves.toBeUndefined();
      expect(lines(h.log.entries, "warn", "anchoring pass deferred")).toHaveLength(1);
      expect(h.log.entries.filter((e) => e.level === "error")).toEqual([]);
      expect(await t.opOf(q.op.id)).toEqual(q.op);
    });
  });

  // Regression (issue 12): every error a pass met was taken for a chain outage and retried on every
  // pass, for ever, at warn level: a bug in a step (a TypeError, an answer that cannot be decoded)
  // left its op queued and the operator nothing but a warning a pass.
  describe("a bug", () => {
    it("fails the op it hit, logged with its stack, goes on with the others, and never retries it", async () => {
      const hit = await queueBatch(t.fx);
      const behind = await queueBatch(t.fx);
      const h = t.harness();
      const bug = new TypeError("Cannot read properties of undefined (reading 'maxFeePerGas')");
      vi.spyOn(h.provider, "getFeeData").mockRejectedValueOnce(bug);
      await h.worker.tick();

      const reason = `internal error: TypeError: ${bug.message}`;
      expect(await t.opOf(hit.op.id)).toMatchObject({ status: "failed", error: reason, txHash: null, attempts: 0 });
      expect(await t.batchOf(hit)).toMatchObject({ status: "failed", error: reason });
      const [logged] = lines(h.log.entries, "error", "chain operation failed by a bug");
      expect(loggedError(logged)).toBe(bug);
      expect(loggedError(logged).stack).toMatch(/^TypeError: Cannot read properties/);
      expect(lines(h.log.entries, "warn", "chain operation deferred")).toEqual([]);
      expect((await t.opOf(behind.op.id)).status).toBe("sent"); // the same pass went on

      await t.ticks(h, 3, true);
      expect((await t.opOf(hit.op.id)).status).toBe("failed");
      expect(await t.anchors(hit.root)).toEqual([]);
      expect((await t.batchOf(behind)).status).toBe("final");
    });

    it("takes an answer the registry client cannot decode for a bug, though the client calls it CHAIN_UNAVAILABLE", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      // What ethers throws when a registry read returns nothing (no contract at the address).
      const garbled = makeError("could not decode result data", "BAD_DATA", { value: "0x" });
      vi.spyOn(h.provider, "call").mockRejectedValueOnce(garbled);
      await h.worker.tick();
      expect(await t.opOf(q.op.id)).toMatchObject({
        status: "failed",
        error: "internal error: chain call failed: could not decode result data",
      });
      const [logged] = lines(h.log.entries, "error", "chain operation failed by a bug");
      expect(loggedError(logged)).toMatchObject({ code: "CHAIN_UNAVAILABLE", cause: garbled });
    });

    it("stops a pass whose op list cannot be read for a bug, logged with its stack", async () => {
      const q = await queueBatch(t.fx);
      const h = t.harness();
      const bug = new RangeError("Invalid array length");
      vi.spyOn(t.fx.store, "listOps").mockRejectedValueOnce(bug);
      await expect(h.worker.tick()).resolves.toBeUndefined();
      const [logged] = lines(h.log.entries, "error", "anchoring pass stopped by a bug");
      expect(loggedError(logged)).toBe(bug);
      expect(lines(h.log.entries, "warn", "anchoring pass deferred")).toEqual([]);
      expect(await t.opOf(q.op.id)).toEqual(q.op);

      await t.ticks(h, 2); // the next pass reads the list again
      expect((await t.batchOf(q)).status).toBe("anchored");
    });
  });
});
