import { type Signer, ZeroAddress, formatEther, formatUnits, getAddress, isAddress, keccak256 } from "ethers";
import { type ContractArtifact, registryArtifact } from "./artifact";
import { type DeploymentCheck, checkDeployment, describeDelay } from "./deployment-checks";
import { DeploymentError, type DeploymentErrorCode } from "./deployment-error";
import { type DeploymentRecord, assertRecordWritable, writeRecord } from "./deployment-record";
import { registryFactory } from "./registry-factory";
import type { Connection } from "./rpc";

/** A checksummed, non-zero address, or a `bad-argument` refusal naming `label`. */
export function parseAddress(label: string, value: string | undefined): string {
  if (value === undefined || !isAddress(value)) {
    throw new DeploymentError("bad-argument", `${label} is not an address: ${String(value)}`);
  }
  const address = getAddress(value);
  if (address === ZeroAddress) throw new DeploymentError("bad-argument", `${label} is the zero address`);
  return address;
}

/** The admin delay `npm run deploy` uses unless told otherwise: 2 days. */
export const DEFAULT_ADMIN_DELAY = 2 * 86_400;

/**
 * The longest admin delay accepted: 30 days. The constructor takes any `uint48`, but a delay given
 * in milliseconds by mistake (172800000 for 2 days: 5.5 years) would hold up every later handoff of
 * the admin role, and shortening it takes as long as the difference.
 */
export const MAX_ADMIN_DELAY = 30 * 86_400;

export interface DeployOptions {
  /** Receives DEFAULT_ADMIN_ROLE (e.g. a multisig), directly: the deployer never holds it. */
  admin: string;
  /**
   * Seconds a later new admin must wait between `beginDefaultAdminTransfer` and
   * `acceptDefaultAdminTransfer` (0 to {@link MAX_ADMIN_DELAY}).
   */
  adminDelay: number;
  /** Receives ACCREDITOR_ROLE. */
  accreditor: string;
  /** Refuse unless the RPC serves this chain (required unless `dryRun`). */
  expectChainId?: number;
  /** Blocks to wait for (1: mined) before the checks run. */
  confirmations: number;
  /** Estimate and report only; nothing is signed or sent. */
  dryRun: boolean;
  /** Folder of `<chainId>.json`. */
  outDir: string;
  /** Replace an existing record (kept as `<chainId>.<timestamp>.json`). */
  force: boolean;
  artifact?: ContractArtifact;
  /** Progress lines (never a secret). */
  log?: (line: string) => void;
}

/** What a deployment will cost, at the fees of the moment. */
export interface DeployPlan {
  chainId: number;
  network: string;
  deployer: string;
  nonce: number;
  balance: bigint;
  gas: bigint;
  /** Wei per gas expected now: base fee + tip (or the legacy gas price). */
  gasPrice: bigint;
  /** Wei per gas at most (`maxFeePerGas`); the node wants a balance of gas × this. */
  maxFeePerGas: bigint;
  costWei: bigint;
  maxCostWei: bigint;
}

const gwei = (wei: bigint) => `${formatUnits(wei, "gwei")} gwei`;

/** Describes a plan in one line: gas, price and cost. */
export function describePlan(plan: DeployPlan): string {
  return (
    `deploying costs ${plan.gas.toLocaleString("en-US")} gas ≈ ${formatEther(plan.costWei)} ETH at ` +
    `${gwei(plan.gasPrice)} (at most ${formatEther(plan.maxCostWei)} ETH at maxFeePerGas ${gwei(plan.maxFeePerGas)}); ` +
    `deployer ${plan.deployer} has ${formatEther(plan.balance)} ETH, nonce ${plan.nonce}`
  );
}

function validate(options: DeployOptions): void {
  const delay = options.adminDelay;
  if (!Number.isSafeInteger(delay) || delay < 0 || delay > MAX_ADMIN_DELAY) {
    throw new DeploymentError(
      "bad-argument",
      `the admin delay must be a whole number of seconds from 0 to ${MAX_ADMIN_DELAY} (30 days): ${delay}`,
    );
  }
  if (!Number.isSafeInteger(options.confirmations) || options.confirmations < 1) {
    throw new DeploymentError("bad-argument", `confirmations must be a whole number ≥ 1: ${options.confirmations}`);
  }
  if (!options.dryRun && options.expectChainId === undefined) {
    throw new DeploymentError("bad-argument", "--expect-chain-id is required (the chain you mean to deploy on)");
  }
}

/**
 * Checks everything that can be checked before sending (chain id, no record yet unless `force`)
 * and estimates gas and cost at the current fee data. Sends nothing.
 */
export async function planDeployment(
  signer: Signer,
  connection: Connection,
  options: DeployOptions,
): Promise<DeployPlan> {
  validate(options);
  const { provider, chainId, network } = connection;
  if (options.expectChainId !== undefined && options.expectChainId !== chainId) {
    throw new DeploymentError(
      "chain-id-mismatch",
      `the RPC serves chain ${chainId} (${network}), not the expected ${options.expectChainId}: nothing sent`,
    );
  }
  assertRecordWritable(options.outDir, chainId, options.force);
  const artifact = options.artifact ?? registryArtifact();
  const deployer = await signer.getAddress();
  const request = await registryFactory(signer, artifact).getDeployTransaction(
    options.adminDelay,
    options.admin,
    options.accreditor,
  );
  const [gas, fees, block, balance, nonce] = await Promise.all([
    provider.estimateGas({ ...request, from: deployer }),
    provider.getFeeData(),
    provider.getBlock("latest"),
    provider.getBalance(deployer),
    provider.getTransactionCount(deployer, "pending"),
  ]);
  const baseFee = block?.baseFeePerGas;
  const eip1559 = baseFee != null && fees.maxFeePerGas !== null && fees.maxPriorityFeePerGas !== null;
  const gasPrice = eip1559 ? baseFee + fees.maxPriorityFeePerGas : (fees.gasPrice ?? 0n);
  const maxFeePerGas = eip1559 ? fees.maxFeePerGas : gasPrice;
  return {
    chainId,
    network,
    deployer,
    nonce,
    balance,
    gas,
    gasPrice,
    maxFeePerGas,
    costWei: gas * gasPrice,
    maxCostWei: gas * maxFeePerGas,
  };
}

/** What {@link deployRegistryVerified} did: the plan, and unless a dry run, the record and its file. */
export interface DeployResult {
  plan: DeployPlan;
  record: DeploymentRecord | null;
  file: string | null;
  /** Where an earlier record was moved by `force`. */
  previous: string | null;
  checks: DeploymentCheck[];
}

/** The error code of a failed check. */
const failureCode = (check: DeploymentCheck): DeploymentErrorCode =>
  check.name === "roles" ? "roles-mismatch" : check.name === "admin" ? "admin-mismatch" : "code-mismatch";

/**
 * Deploys CredentialRegistry with `(adminDelay, admin, accreditor)` from `signer`, waits for
 * `confirmations`, checks the code, the creation transaction, the roles and the admin rules on
 * chain, and records the deployment in `<outDir>/<chainId>.json`. The admin is the constructor's
 * `admin` from the start, so no handoff of the admin role follows. Any refusal or failed check
 * throws a {@link DeploymentError} (after a failed check nothing is recorded).
 */
export async function deployRegistryVerified(
  signer: Signer,
  connection: Connection,
  options: DeployOptions,
): Promise<DeployResult> {
  const log = options.log ?? (() => undefined);
  const artifact = options.artifact ?? registryArtifact();
  const plan = await planDeployment(signer, connection, { ...options, artifact });
  log(describePlan(plan));
  log(
    `admin ${options.admin} (defaultAdmin() from the start; a later handoff waits ${describeDelay(options.adminDelay)}), ` +
      `accreditor ${options.accreditor}`,
  );
  if (options.dryRun) return { plan, record: null, file: null, previous: null, checks: [] };
  if (plan.balance < plan.maxCostWei) {
    throw new DeploymentError(
      "insufficient-funds",
      `the deployer has ${formatEther(plan.balance)} ETH; deploying may take up to ${formatEther(plan.maxCostWei)} ETH`,
    );
  }
  const contract = await registryFactory(signer, artifact).deploy(
    options.adminDelay,
    options.admin,
    options.accreditor,
    {
      gasLimit: plan.gas,
    },
  );
  const tx = contract.deploymentTransaction()!;
  const address = await contract.getAddress();
  log(`sent ${tx.hash}: CredentialRegistry at ${address}; waiting for ${options.confirmations} confirmation(s)`);
  let receipt;
  try {
    receipt = await tx.wait(options.confirmations);
  } catch (error) {
    throw new DeploymentError("transaction-failed", `deployment transaction ${tx.hash} failed`, { cause: error });
  }
  if (!receipt) throw new DeploymentError("transaction-failed", `deployment transaction ${tx.hash} was not mined`);
  const terms = {
    deployer: plan.deployer,
    admin: options.admin,
    adminDelay: options.adminDelay,
    accreditor: options.accreditor,
  };
  const { code, checks } = await checkDeployment(connection.provider, { ...terms, address, txHash: tx.hash }, artifact);
  for (const check of checks) log(`${check.ok ? "✓" : "✗"} ${check.name}: ${check.message}`);
  const failed = checks.find((check) => !check.ok);
  if (failed) {
    throw new DeploymentError(
      failureCode(failed),
      `deployed at ${address} (tx ${tx.hash}) but ${failed.name} check failed: ${failed.message}; nothing recorded`,
    );
  }
  const record: DeploymentRecord = {
    type: "credroot/deployment",
    version: 2,
    contract: artifact.contractName,
    chainId: connection.chainId,
    network: connection.network,
    address,
    txHash: tx.hash,
    blockNumber: receipt.blockNumber,
    ...terms,
    confirmations: options.confirmations,
    compiler: artifact.compiler,
    artifact: {
      bytecodeKeccak256: keccak256(artifact.bytecode),
      deployedBytecodeKeccak256: keccak256(artifact.deployedBytecode),
    },
    codeHash: code.codeHash,
    codeVerified: true,
    rolesVerified: true,
    gasUsed: receipt.gasUsed.toString(),
    effectiveGasPrice: receipt.gasPrice.toString(),
    costWei: receipt.fee.toString(),
    costEth: formatEther(receipt.fee),
    deployedAt: new Date().toISOString(),
  };
  const { file, previous } = writeRecord(options.outDir, record, options.force);
  return { plan, record, file, previous, checks };
}

/**
 * Re-checks a recorded deployment against the artifact: the RPC serves the record's chain, the
 * code at the address equals the artifact's, the creation transaction and the roles are as
 * recorded, the admin delay is the recorded one and no transfer of the admin role (nor change of
 * its delay) is pending.
 */
export async function verifyRecordedDeployment(
  connection: Connection,
  record: DeploymentRecord,
  artifact: ContractArtifact = registryArtifact(),
): Promise<DeploymentCheck[]> {
  if (connection.chainId !== record.chainId) {
    throw new DeploymentError(
      "chain-id-mismatch",
      `the RPC serves chain ${connection.chainId}, the record is for chain ${record.chainId}`,
    );
  }
  const { checks } = await checkDeployment(connection.provider, record, artifact);
  const failed = checks.find((check) => !check.ok);
  if (failed) {
    throw new DeploymentError(
      failureCode(failed),
      `${record.address} on chain ${record.chainId}: ${failed.name} check failed: ${failed.message}`,
    );
  }
  return checks;
}
