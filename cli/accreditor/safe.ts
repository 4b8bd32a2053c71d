/**
 * Safe Transaction Builder batch files (format "1.0"): the accreditor role belongs to a multisig,
 * so a command may write its call into a file the Safe{Wallet} Transaction Builder imports,
 * instead of sending it. Field names and the checksum follow safe-global/safe-react-apps
 * (apps/tx-builder: typings/models.ts, lib/checksum.ts).
 */
import { existsSync } from "node:fs";
import { getAddress, isAddress, keccak256, toUtf8Bytes } from "ethers";
import { credentialRegistryAbi, credentialRegistryInterface } from "../../src";
import { CliError, EXIT, jsonText, readText, writeText } from "../io";
import type { AccreditorCall } from "./operations";

/** The Transaction Builder release whose format this writes (its package.json version). */
export const TX_BUILDER_VERSION = "1.18.2";

export interface SafeMethodInput {
  internalType: string;
  name: string;
  type: string;
}

export interface SafeTransaction {
  to: string;
  value: string;
  data: string;
  contractMethod: { inputs: SafeMethodInput[]; name: string; payable: boolean };
  contractInputsValues: Record<string, string>;
}

export interface SafeBatchFile {
  version: "1.0";
  chainId: string;
  createdAt: number;
  meta: {
    name: string;
    description: string;
    txBuilderVersion: string;
    createdFromSafeAddress: string;
    createdFromOwnerAddress: string;
    checksum?: string;
  };
  transactions: SafeTransaction[];
}

/**
 * The Transaction Builder's serialisation for its checksum: object keys sorted and listed first,
 * then each value followed by a comma; arrays as JSON arrays of serialised items; `undefined` as null.
 */
function serialize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(serialize).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${JSON.stringify(keys)}${keys.map((key) => `${serialize(record[key])},`).join("")}}`;
  }
  return value === undefined ? "null" : JSON.stringify(value);
}

/**
 * `meta.checksum` as the Transaction Builder computes it: keccak256 of {@link serialize} over the
 * whole file with no `meta.checksum` (its `addChecksum` on export, `validateChecksum` on import).
 */
export function safeChecksum(file: SafeBatchFile | Record<string, unknown>): string {
  const { meta, ...rest } = file as { meta?: Record<string, unknown> };
  return txBuilderHash(meta === undefined ? rest : { ...rest, meta: withoutChecksum(meta) });
}

/** keccak256 of the Transaction Builder's serialisation of `value`, as its `calculateChecksum`. */
export function txBuilderHash(value: unknown): string {
  return keccak256(toUtf8Bytes(serialize(value)));
}

function withoutChecksum(meta: Record<string, unknown>): Record<string, unknown> {
  const { checksum: _checksum, ...rest } = meta;
  return rest;
}

/** The Transaction Builder's entry for `call` to `registry`: raw calldata plus the method, to show. */
export function safeTransaction(registry: string, call: AccreditorCall): SafeTransaction {
  const fragment = credentialRegistryAbi.find((entry) => entry.type === "function" && entry.name === call.method);
  if (fragment === undefined || fragment.type !== "function") {
    throw new CliError(`the registry has no function ${call.method}`, EXIT.bug);
  }
  const inputs = fragment.inputs.map(({ internalType, name, type }) => ({ internalType, name, type }));
  const data = credentialRegistryInterface.encodeFunctionData(call.method as "registerIssuer", call.args as never);
  return {
    to: getAddress(registry),
    value: "0",
    data,
    contractMethod: { inputs, name: call.method, payable: (fragment.stateMutability as string) === "payable" },
    // Every value as text: the Transaction Builder refuses numbers (a uint256 does not fit a JS number).
    contractInputsValues: Object.fromEntries(inputs.map((input, i) => [input.name, String(call.args[i])])),
  };
}

export interface SafeTarget {
  file: string;
  chainId: number;
  registry: string;
  safeAddress?: string;
  append: boolean;
}

/** Reads an existing batch file to append to, refusing one of another chain, Safe or format. */
function readBatch(target: SafeTarget): SafeBatchFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(target.file));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${target.file} is not JSON: it cannot be appended to`, EXIT.couldNot);
  }
  const file = parsed as Partial<SafeBatchFile> | null;
  if (
    typeof file !== "object" ||
    file === null ||
    file.version !== "1.0" ||
    typeof file.meta !== "object" ||
    !Array.isArray(file.transactions)
  ) {
    throw new CliError(`${target.file} is not a Safe Transaction Builder batch (version "1.0")`, EXIT.couldNot);
  }
  if (file.chainId !== String(target.chainId)) {
    throw new CliError(
      `${target.file} is a batch for chain ${String(file.chainId)}, not chain ${target.chainId} (--chain-id)`,
      EXIT.couldNot,
    );
  }
  const safe: unknown = file.meta.createdFromSafeAddress;
  if (
    target.safeAddress !== undefined &&
    typeof safe === "string" &&
    safe !== "" &&
    (!isAddress(safe) || getAddress(safe) !== target.safeAddress)
  ) {
    throw new CliError(`${target.file} is a batch for Safe ${safe}, not ${target.safeAddress}`, EXIT.couldNot);
  }
  return file as SafeBatchFile;
}

/**
 * Writes `call` as a transaction of the batch file `target.file`: a new file (refusing to replace
 * one), or, with `append`, added to the end of an existing batch of the same chain and Safe. The
 * checksum is recomputed over the whole batch.
 * @returns the batch as written.
 */
export function writeSafeBatch(target: SafeTarget, call: AccreditorCall, now = Date.now()): SafeBatchFile {
  const transaction = safeTransaction(target.registry, call);
  const appending = target.append && existsSync(target.file);
  const base: SafeBatchFile = appending
    ? readBatch(target)
    : {
        version: "1.0",
        chainId: String(target.chainId),
        createdAt: now,
        meta: {
          name: "credroot accreditor",
          description: "",
          txBuilderVersion: TX_BUILDER_VERSION,
          createdFromSafeAddress: target.safeAddress ?? "",
          createdFromOwnerAddress: "",
        },
        transactions: [],
      };
  const transactions = [...base.transactions, transaction];
  const lines = base.meta.description === "" ? [] : base.meta.description.split("\n");
  const meta = {
    ...withoutChecksum(base.meta),
    description: [...lines, `${transactions.length}. ${call.summary}`].join("\n"),
    createdFromSafeAddress: base.meta.createdFromSafeAddress || (target.safeAddress ?? ""),
  } as SafeBatchFile["meta"];
  const file: SafeBatchFile = { ...base, meta, transactions };
  file.meta.checksum = safeChecksum(file);
  writeText(target.file, jsonText(file), { exclusive: !appending });
  return file;
}
