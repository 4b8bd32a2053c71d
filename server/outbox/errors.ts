/**
 * Outage or bug: what the outbox does with an error depends on which it is. An outage (the node or
 * the database cannot be reached, or answers that it cannot serve now) changes nothing and is
 * retried on a later pass; anything else is a bug, or a state no retry can change, and fails the op
 * it happened on, visibly, instead of being retried for ever.
 */
import { isError } from "ethers";
import { CredrootError } from "../../src";
import { TimeoutError } from "../../src/timeout";
import { StoreError } from "../store/types";

/** Node's codes for a peer that cannot be reached, or that went away mid-request. */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** ethers' codes for a node that could not be reached, did not answer in time, or answered HTTP 5xx. */
const UNREACHABLE_CODES = ["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR"] as const;

/**
 * JSON-RPC error codes that say the request itself is wrong (parse error, invalid request, no such
 * method, invalid params): asking again cannot help. Any other error a node answers (internal
 * error, `-32000` server errors such as "header not found", rate limits) is the node's trouble.
 */
const MALFORMED_REQUEST = new Set([-32700, -32600, -32601, -32602]);

/** SQLite busy or locked (another writer), out of disk or I/O failing: the operator's to fix, not ours. */
const SQLITE_TRANSIENT = /^SQLITE_(BUSY|LOCKED|IOERR|FULL)/;

/**
 * PostgreSQL SQLSTATEs of a failed connection (class 08), exhausted resources (53), a server shutting
 * down or starting (57P01–57P03), and serialization failures or deadlocks (40001, 40P01).
 */
const POSTGRES_TRANSIENT = /^(08|53|57P0[123]|40001|40P01)/;

/** What node-postgres throws, without a code, when its connection drops or cannot be made in time. */
const POSTGRES_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;

/** How deep {@link isOutage} follows `cause` and `error` links. */
const MAX_DEPTH = 5;

/** The fields of a thrown error that {@link classify} reads (Node, ethers, pg and SQLite errors have some). */
type Coded = { code?: unknown; cause?: unknown; error?: unknown; info?: unknown; message?: unknown; data?: unknown };

/** A JSON-RPC error message saying the call reverted (geth answers code 3 then, Hardhat -32603). */
const REVERTED = /revert/i;

/**
 * True when `payload` is a JSON-RPC error object the node answered with for its own reasons: not
 * a malformed request, and not a revert.
 */
function isNodeFault(payload: unknown): boolean {
  const { code, message } = (payload ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code !== "number" || MALFORMED_REQUEST.has(code) || code === 3) return false;
  return !(typeof message === "string" && REVERTED.test(message));
}

/**
 * The JSON-RPC error an ethers error carries, when ethers could not say more: an `UNKNOWN_ERROR`,
 * or a `CALL_EXCEPTION` without revert data (ethers makes one of any error answering `eth_call` or
 * `eth_estimateGas`, a node that is down included).
 */
function rpcErrorOf(e: Coded): unknown {
  const info = e.info as Coded | undefined;
  if (e.code === "UNKNOWN_ERROR") return isNodeFault(e.error) ? e.error : info?.error;
  if (e.code === "CALL_EXCEPTION" && e.data === null) return info?.error;
  return undefined;
}

/**
 * True when `error` says the node could not be reached at all (socket errors, HTTP 5xx, ethers'
 * timeouts, {@link TimeoutError}), as opposed to a node that answered: a broadcast that fails so
 * may still have been delivered, and is asked about again rather than signed anew.
 * @example
 * isUnreachable(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" })) // true
 */
export function isUnreachable(error: unknown): boolean {
  return classify(error, { answered: false });
}

/**
 * True when `error` is an outage: the node or the database could not be reached or could not serve
 * the request now (see {@link isUnreachable}; also a JSON-RPC error the node answered other than a
 * malformed request or a revert, a signer without the funds to pay for gas, a busy or unreachable
 * database).
 * A later pass retries. Anything else (a `TypeError`, an `INVARIANT`, an undecodable revert, a
 * store `CONFLICT`) is a bug.
 * @example
 * isOutage(makeError("could not coalesce error", "UNKNOWN_ERROR", { error: { code: -32603, message: "x" } })) // true
 * isOutage(new TypeError("cannot read properties of undefined")) // false
 */
export function isOutage(error: unknown): boolean {
  return classify(error, { answered: true });
}

/**
 * Follows `error` down its causes to the first one that says what happened. Our own wrappers
 * (`CHAIN_UNAVAILABLE`, which the registry client puts around whatever a call threw) and errors
 * without a code are looked through; the first coded error decides. `answered`: whether outages the
 * node or the database answered (not only failures to reach them) count.
 */
function classify(error: unknown, { answered }: { answered: boolean }): boolean {
  let e: unknown = error;
  for (let depth = 0; typeof e === "object" && e !== null && depth < MAX_DEPTH; depth++) {
    if (e instanceof TimeoutError) return true;
    if (e instanceof StoreError) return false;
    if (e instanceof CredrootError && e.code !== "CHAIN_UNAVAILABLE") return false;
    const { code, message } = e as Coded;
    if (!(e instanceof CredrootError) && typeof code === "string") {
      if (SOCKET_CODES.has(code) || UNREACHABLE_CODES.some((c) => isError(e, c))) return true;
      if (!answered) return false;
      if (isError(e, "INSUFFICIENT_FUNDS")) return true; // nothing is sent until the signer is funded
      if (code === "UNKNOWN_ERROR" || code === "CALL_EXCEPTION") return isNodeFault(rpcErrorOf(e));
      return SQLITE_TRANSIENT.test(code) || POSTGRES_TRANSIENT.test(code);
    }
    if (answered && typeof message === "string" && POSTGRES_CONNECTION.test(message)) return true;
    e = (e as Coded).cause ?? (e as Coded).error;
  }
  return false;
}

/**
 * A one-line account of `error` safe to record on an op (and so to show the issuer): its short
 * message, without ethers' payloads and with no URL (an RPC URL often carries an API key).
 * @example
 * summary(new TypeError("x is undefined\n    at …")) // "TypeError: x is undefined"
 */
export function summary(error: unknown): string {
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage;
  const text = typeof short === "string" ? short : error instanceof Error ? error.message : String(error);
  const line = (text.split("\n")[0] ?? "")
    .replace(/\s*\((info|error|request|payload|code|transaction)=.*$/, "")
    .replace(/\b(https?|wss?):\/\/\S+/g, "<rpc>");
  // A built-in error's name says what kind of bug it is; ours (CredrootError, StoreError) say it in words.
  const named = error instanceof Error && !(error instanceof CredrootError || error instanceof StoreError);
  return named && error.name !== "Error" ? `${error.name}: ${line}` : line;
}

/** `error` as an `Error` (so that a logger records its stack), wrapping anything else that was thrown. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(`non-error thrown: ${String(error)}`, { cause: error });
}
