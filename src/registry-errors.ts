import { CredrootError } from "./errors";
import { credentialRegistryInterface } from "./registry-interface";

function findRevertData(error: unknown, depth = 0): string | undefined {
  if (typeof error !== "object" || error === null || depth > 5) return undefined;
  const record = error as Record<string, unknown>;
  const data = record.data;
  if (typeof data === "string" && /^0x[0-9a-fA-F]{8}/.test(data)) return data;
  for (const key of ["error", "info", "cause", "data"]) {
    const found = findRevertData(record[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * A one-line reason safe to show anyone: ethers' short message without its `info` payload, and no
 * URL (an RPC URL often carries an API key).
 */
function publicMessage(error: unknown): string {
  const short = (error as { shortMessage?: unknown } | null)?.shortMessage;
  const text = typeof short === "string" ? short : error instanceof Error ? error.message : safeString(error);
  return (text.split("\n")[0] ?? "")
    .replace(/\s*\((info|error|request|payload|code)=.*$/, "")
    .replace(/\b(https?|wss?):\/\/\S+/g, "<rpc>");
}

/** `String(value)`, except for values that refuse it (`Object.create(null)`, a `toString` that is no function). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/**
 * Turns whatever a contract call threw into a {@link CredrootError}: a registry revert becomes
 * `CONTRACT_REVERT` with the custom error's name and arguments (`BatchAlreadyAnchored(root, …)`);
 * arguments ethers refuses to encode become `INVALID_ARGUMENT`; anything else (network, timeout)
 * becomes `CHAIN_UNAVAILABLE`.
 */
export function decodeRegistryError(error: unknown): CredrootError {
  if (error instanceof CredrootError) return error;
  const data = findRevertData(error);
  const parsed = data ? credentialRegistryInterface.parseError(data) : null;
  if (parsed) {
    const args = parsed.args.toArray();
    const shown = args.map((a) => String(a)).join(", ");
    return new CredrootError("CONTRACT_REVERT", `registry reverted: ${parsed.name}(${shown})`, {
      cause: error,
      revert: { name: parsed.name, args },
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "INVALID_ARGUMENT" || code === "NUMERIC_FAULT") {
    // ethers refused the arguments before any call: the caller's mistake, not an outage.
    return new CredrootError("INVALID_ARGUMENT", `invalid call argument: ${publicMessage(error)}`, { cause: error });
  }
  return new CredrootError("CHAIN_UNAVAILABLE", `chain call failed: ${publicMessage(error)}`, { cause: error });
}
