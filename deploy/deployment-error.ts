/** Why a deployment (or the check of one) was refused or failed. */
export type DeploymentErrorCode =
  /** An option or a record file cannot be used (bad address, bad number, unreadable or old file). */
  | "bad-argument"
  /** DEPLOYER_PRIVATE_KEY is not set, or not a private key. */
  | "missing-key"
  /** The RPC endpoint did not answer. */
  | "rpc-unavailable"
  /** The RPC serves another chain than `--expect-chain-id`. */
  | "chain-id-mismatch"
  /** `deployments/<chainId>.json` exists and `--force` was not given. */
  | "record-exists"
  /** The deployer cannot pay for the deployment at the current fees. */
  | "insufficient-funds"
  /** The deployment transaction reverted or was not mined. */
  | "transaction-failed"
  /** The code at the address is not the artifact's, or the creation transaction is not ours. */
  | "code-mismatch"
  /** A role is not held by whom it should be, or is held by the deployer. */
  | "roles-mismatch"
  /**
   * The admin delay is not the recorded one, or a transfer of the admin role (or a change of its
   * delay) is pending.
   */
  | "admin-mismatch";

/** Codes that are a usage or environment problem (exit 2) rather than a refusal or a mismatch (exit 1). */
const USAGE: readonly DeploymentErrorCode[] = ["bad-argument", "missing-key", "rpc-unavailable"];

/** A deployment refusal or failure: a stable `code` and a one-line message that holds no secret. */
export class DeploymentError extends Error {
  constructor(
    readonly code: DeploymentErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DeploymentError";
  }

  /** The process exit status for this error: 2 for usage/environment, 1 for a refusal or mismatch. */
  get exitCode(): 1 | 2 {
    return USAGE.includes(this.code) ? 2 : 1;
  }
}
