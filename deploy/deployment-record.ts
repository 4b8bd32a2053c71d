import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CompilerInfo } from "./artifact";
import { DeploymentError } from "./deployment-error";

/**
 * `deployments/<chainId>.json`, version 2: one verified deployment of the registry (format v2, whose
 * constructor is `(adminDelay, admin, accreditor)`) on one chain. Version 1 recorded the format v1
 * registry, constructed with `(admin, accreditor)`; its records are refused (see {@link readRecord}).
 */
export interface DeploymentRecord {
  type: "credroot/deployment";
  version: 2;
  contract: string;
  chainId: number;
  /** ethers' name for the chain (`mainnet`, `sepolia`, `base`, …) or `unknown`. */
  network: string;
  address: string;
  txHash: string;
  blockNumber: number;
  deployer: string;
  /** Holder of DEFAULT_ADMIN_ROLE, from the constructor: `defaultAdmin()`. */
  admin: string;
  /** Seconds a new admin waits before it may accept the role (`defaultAdminDelay()` at deployment). */
  adminDelay: number;
  /** First holder of ACCREDITOR_ROLE. */
  accreditor: string;
  /** Confirmations waited for before the checks ran. */
  confirmations: number;
  compiler: CompilerInfo;
  /** keccak256 of the artifact's creation code and runtime code (`deployedBytecode`). */
  artifact: { bytecodeKeccak256: string; deployedBytecodeKeccak256: string };
  /** keccak256 of the code found at `address`, and whether it equalled the artifact's. */
  codeHash: string;
  codeVerified: boolean;
  /** The roles and admin checks held: admin, delay and accreditor as above, nothing pending. */
  rolesVerified: boolean;
  gasUsed: string;
  /** Wei per gas actually paid (base fee + tip); an L2's L1 data fee is not included. */
  effectiveGasPrice: string;
  costWei: string;
  costEth: string;
  deployedAt: string;
}

/** Where the record of `chainId` lives in `folder`. */
export const recordPath = (folder: string, chainId: number): string => join(folder, `${chainId}.json`);

/**
 * Refuses when `folder` already records a deployment on `chainId`, unless `force`. Called before
 * anything is sent, so that a refusal costs no gas.
 */
export function assertRecordWritable(folder: string, chainId: number, force: boolean): void {
  const file = recordPath(folder, chainId);
  if (existsSync(file) && !force) {
    throw new DeploymentError(
      "record-exists",
      `${file} already records a deployment on chain ${chainId}: pass --force to deploy again (the old file is kept)`,
    );
  }
}

/**
 * Writes the record to `<folder>/<chainId>.json`. An existing file is refused unless `force`; then it
 * is first renamed to `<chainId>.<timestamp>.json`, returned as `previous`.
 */
export function writeRecord(
  folder: string,
  record: DeploymentRecord,
  force: boolean,
): { file: string; previous: string | null } {
  assertRecordWritable(folder, record.chainId, force);
  mkdirSync(folder, { recursive: true });
  const file = recordPath(folder, record.chainId);
  let previous: string | null = null;
  if (existsSync(file)) {
    previous = join(folder, `${record.chainId}.${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
    renameSync(file, previous);
  }
  // "wx": a file that appeared since the check is never overwritten.
  writeFileSync(file, `${JSON.stringify(record, null, 2)}\n`, { flag: "wx" });
  return { file, previous };
}

/**
 * Reads a record written by {@link writeRecord}, refusing anything that is not one (version 2). A
 * version 1 record is refused with its own message: it describes a format v1 registry, whose code
 * the current artifact can never match.
 */
export function readRecord(file: string): DeploymentRecord {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DeploymentError("bad-argument", `cannot read ${file}: ${(error as Error).message}`);
  }
  const record = value as (Omit<Partial<DeploymentRecord>, "version"> & { version?: unknown }) | null;
  if (record?.type === "credroot/deployment" && record.version === 1) {
    throw new DeploymentError(
      "bad-argument",
      `${file} is a version 1 record, of a format v1 registry (constructor (admin, accreditor)): ` +
        "this credroot checks version 2 records (format v2, constructor (adminDelay, admin, accreditor)) only",
    );
  }
  if (record?.type !== "credroot/deployment" || record.version !== 2) {
    throw new DeploymentError("bad-argument", `${file} is not a credroot deployment record (version 2)`);
  }
  for (const key of ["address", "txHash", "deployer", "admin", "accreditor"] as const) {
    if (typeof record[key] !== "string") throw new DeploymentError("bad-argument", `${file}: ${key} is missing`);
  }
  if (!Number.isSafeInteger(record.chainId)) throw new DeploymentError("bad-argument", `${file}: chainId is missing`);
  const delay = record.adminDelay;
  if (typeof delay !== "number" || !Number.isSafeInteger(delay) || delay < 0) {
    throw new DeploymentError("bad-argument", `${file}: adminDelay is missing or not a whole number of seconds`);
  }
  return record as DeploymentRecord;
}
