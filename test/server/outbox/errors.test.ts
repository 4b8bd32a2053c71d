/** Outbox tests — which errors are outages (retried) and which are bugs (fail the op). */
import { makeError } from "ethers";
import { describe, expect, it } from "vitest";
import { CredrootError, decodeRegistryError } from "../../../src";
import { TimeoutError } from "../../../src/timeout";
import { asError, isOutage, isUnreachable, summary } from "../../../server/outbox/errors";
import { StoreConflictError, StoreNotFoundError } from "../../../server/store/types";

/** A Node system error, as `net` and `dns` throw them. */
const systemError = (code: string, message: string) => Object.assign(new Error(message), { code });
/** What ethers throws for a JSON-RPC error answer it does not recognise. */
const rpcAnswer = (code: number, message: string) =>
  makeError("could not coalesce error", "UNKNOWN_ERROR", { error: { code, message } });

const unreachable: [string, unknown][] = [
  ["connection refused", systemError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8545")],
  ["connection reset", systemError("ECONNRESET", "socket hang up")],
  ["DNS failure", systemError("ENOTFOUND", "getaddrinfo ENOTFOUND rpc.example")],
  ["ethers NETWORK_ERROR", makeError("network error", "NETWORK_ERROR", { event: "changed" })],
  ["ethers TIMEOUT", makeError("request timeout", "TIMEOUT", { operation: "getBlockNumber", reason: "timeout" })],
  [
    "HTTP 502 (ethers SERVER_ERROR)",
    makeError("server response 502 Bad Gateway", "SERVER_ERROR", { request: "eth_blockNumber" }),
  ],
  ["our own deadline", new TimeoutError(2000)],
  [
    "a registry read the client wrapped (CHAIN_UNAVAILABLE)",
    decodeRegistryError(systemError("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:8545")),
  ],
  ["a cause two levels down", new Error("outer", { cause: new Error("inner", { cause: systemError("EPIPE", "x") }) })],
];

/** What ethers throws for any JSON-RPC error answering `eth_call` (its `data`: revert data, if any). */
const callAnswer = (code: number, message: string, data: string | null = null) =>
  makeError("missing revert data", "CALL_EXCEPTION", {
    action: "call",
    data,
    reason: null,
    transaction: { to: null, data: "0x" },
    invocation: null,
    revert: null,
    info: { error: { code, message } },
  });

const answeredOutages: [string, unknown][] = [
  ["a JSON-RPC internal error answering eth_call (ethers: CALL_EXCEPTION)", callAnswer(-32603, "upstream unavailable")],
  ["JSON-RPC internal error (-32603)", rpcAnswer(-32603, "upstream node unavailable")],
  ["JSON-RPC server error (-32000)", rpcAnswer(-32000, "header not found")],
  ["JSON-RPC rate limit (-32005)", rpcAnswer(-32005, "limit exceeded")],
  ["a signer without funds for gas", makeError("insufficient funds", "INSUFFICIENT_FUNDS", { transaction: {} })],
  ["SQLite busy", systemError("SQLITE_BUSY", "database is locked")],
  ["SQLite disk full", systemError("SQLITE_FULL", "database or disk is full")],
  ["PostgreSQL connection failure (08006)", systemError("08006", "connection failure")],
  ["PostgreSQL shutting down (57P01)", systemError("57P01", "terminating connection due to administrator command")],
  ["PostgreSQL serialization failure (40001)", systemError("40001", "could not serialize access")],
  ["node-postgres connection dropped", new Error("Connection terminated unexpectedly")],
];

const bugs: [string, unknown][] = [
  ["a TypeError", new TypeError("Cannot read properties of undefined (reading 'nonce')")],
  ["an INVARIANT", new CredrootError("INVARIANT", "op 4 names unknown batch b1")],
  ["a decoded revert thrown where none is expected", new CredrootError("CONTRACT_REVERT", "registry reverted: X()")],
  [
    "an undecodable answer the client wrapped (CHAIN_UNAVAILABLE around BAD_DATA)",
    decodeRegistryError(makeError("could not decode result data", "BAD_DATA", { value: "0x" })),
  ],
  ["a revert without data (geth: code 3)", callAnswer(3, "execution reverted", "0x")],
  ["a revert without a reason (Hardhat)", callAnswer(-32603, "Error: Transaction reverted without a reason string")],
  ["undecodable revert data", callAnswer(-32000, "execution reverted", "0xdeadbeef")],
  ["a malformed request (JSON-RPC -32602)", rpcAnswer(-32602, "invalid argument 0")],
  ["no such method (JSON-RPC -32601)", rpcAnswer(-32601, "the method eth_foo does not exist")],
  ["an ethers error without a JSON-RPC answer", makeError("could not coalesce error", "UNKNOWN_ERROR", {})],
  ["a store conflict", new StoreConflictError("anchor-op", "b1")],
  ["a store miss", new StoreNotFoundError("op", 4)],
  ["a SQLite constraint", systemError("SQLITE_CONSTRAINT_CHECK", "CHECK constraint failed")],
  ["a PostgreSQL unique violation (23505)", systemError("23505", "duplicate key value")],
  ["a string thrown", "boom"],
  ["undefined thrown", undefined],
];

describe("isOutage", () => {
  it.each([...unreachable, ...answeredOutages])("takes %s for an outage", (_, error) => {
    expect(isOutage(error)).toBe(true);
  });

  it.each(bugs)("takes %s for a bug", (_, error) => {
    expect(isOutage(error)).toBe(false);
  });
});

describe("isUnreachable", () => {
  it.each(unreachable)("takes %s for a node that could not be reached", (_, error) => {
    expect(isUnreachable(error)).toBe(true);
  });

  it.each([...answeredOutages, ...bugs])("takes %s for no failure to reach the node", (_, error) => {
    expect(isUnreachable(error)).toBe(false);
  });
});

describe("summary", () => {
  it("says a built-in error's kind and keeps its first line only", () => {
    expect(summary(new TypeError("x is undefined\n    at step (pass.ts:1:1)"))).toBe("TypeError: x is undefined");
  });

  it("drops ethers' payloads and any URL (it may carry an API key)", () => {
    const error = makeError("could not decode result data", "BAD_DATA", { value: "0x" });
    expect(summary(error)).toBe("could not decode result data");
    expect(summary(new Error("request to https://rpc.example/v3/SECRET failed"))).toBe("request to <rpc> failed");
  });

  it("gives our own errors' messages as they are", () => {
    expect(summary(new CredrootError("INVARIANT", "op 4 names unknown batch b1"))).toBe("op 4 names unknown batch b1");
    expect(summary("boom")).toBe("boom");
  });
});

describe("asError", () => {
  it("keeps an Error, and wraps anything else thrown so that its stack is logged", () => {
    const error = new RangeError("x");
    expect(asError(error)).toBe(error);
    expect(asError("boom")).toMatchObject({ message: "non-error thrown: boom", cause: "boom" });
  });
});
